package store

import (
	"context"
	"slices"
	"strings"

	"github.com/relance/relance/models"
)

// inBatch bounds IN lists: a métropole has 100+ members, and SQLite caps bound parameters.
const inBatch = 500

// CoveredCommunes returns the distinct communes covered by the collectivités with these
// SIRENs (a commune covers itself, an EPCI its member communes), sorted by INSEE code, and
// the given SIRENs that are neither a commune nor an EPCI of the registry, in the given order,
// so the caller can say which are unknown. It costs a query per 500 SIRENs and per 500 members.
func (s *Store) CoveredCommunes(ctx context.Context, sirens []string) ([]models.Collectivite, []string, error) {
	wanted := distinct(sirens)
	found, err := s.collectivitesBySiren(ctx, wanted, string(models.TypeCommune), string(models.TypeEPCI))
	if err != nil {
		return nil, nil, err
	}
	covered := map[string]models.Collectivite{} // by SIREN
	var members []string
	for _, r := range found {
		c := r.model()
		if c.Type == models.TypeCommune {
			covered[c.Siren] = c
			continue
		}
		members = append(members, c.Members...)
	}
	var missing []string
	for _, m := range distinct(members) {
		if _, ok := covered[m]; !ok {
			missing = append(missing, m)
		}
	}
	// A member the registry does not list as a commune covers nothing: the registry is the reference.
	rows, err := s.collectivitesBySiren(ctx, missing, string(models.TypeCommune))
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		c := r.model()
		covered[c.Siren] = c
	}

	known := map[string]bool{}
	for _, r := range found {
		known[*r.Siren] = true
	}
	var unknown []string
	for _, siren := range wanted {
		if !known[siren] {
			unknown = append(unknown, siren)
		}
	}
	out := make([]models.Collectivite, 0, len(covered))
	for _, c := range covered {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b models.Collectivite) int { return strings.Compare(a.Code, b.Code) })
	return out, unknown, nil
}

// distinct returns ss without repeats, in first-seen order.
func distinct(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// collectivitesBySiren loads the entries of the given types with these SIRENs, inBatch at a time.
func (s *Store) collectivitesBySiren(ctx context.Context, sirens []string, types ...string) ([]collectiviteRow, error) {
	var all []collectiviteRow
	for batch := range slices.Chunk(sirens, inBatch) {
		var rows []collectiviteRow
		err := s.db.WithContext(ctx).Where("siren IN ? AND type IN ?", batch, types).Find(&rows).Error
		if err != nil {
			return nil, err
		}
		all = append(all, rows...)
	}
	return all, nil
}

// CommunesPerDepartement counts the registry's communes in each département, so that
// "covers a whole département" is decided against the registry, not a typed-in figure.
func (s *Store) CommunesPerDepartement(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Departement string
		N           int
	}
	err := s.db.WithContext(ctx).Model(&collectiviteRow{}).Select("departement, COUNT(*) AS n").
		Where("type = ? AND departement <> ''", string(models.TypeCommune)).Group("departement").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int, len(rows))
	for _, r := range rows {
		counts[r.Departement] = r.N
	}
	return counts, nil
}
