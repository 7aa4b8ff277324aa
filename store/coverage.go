package store

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// inBatch bounds IN lists: a métropole has 100+ members, and SQLite caps bound parameters.
const inBatch = 500

// CoveredCommunes returns the distinct communes covered by the registry entries with these
// SIRENs (what each covers is models.Collectivite.Covers: a commune itself, an EPCI its
// members, a département or a région all its communes, a structure its declared territory),
// sorted by INSEE code, and the given SIRENs the registry does not hold, in the given order,
// so the caller can say which are unknown. It costs a few queries per 500 codes.
func (s *Store) CoveredCommunes(ctx context.Context, sirens []string) ([]models.Collectivite, []string, error) {
	db := s.db.WithContext(ctx)
	wanted := distinct(sirens)
	found, err := findIn(db, wanted, func(q *gorm.DB, batch []string) *gorm.DB { return q.Where("siren IN ?", batch) })
	if err != nil {
		return nil, nil, err
	}
	var t models.Territory
	for _, r := range found {
		c := r.model().Covers()
		t.Communes = append(t.Communes, c.Communes...)
		t.EPCIs = append(t.EPCIs, c.EPCIs...)
		t.Departements = append(t.Departements, c.Departements...)
		t.Regions = append(t.Regions, c.Regions...)
	}
	// A code a structure names that the registry lacks covers nothing: the registry is the reference.
	covered, _, err := territoryCommunes(db, t)
	if err != nil {
		return nil, nil, err
	}
	return covered, absent(wanted, found, func(r collectiviteRow) string { return *r.Siren }), nil
}

// territoryCommunes returns the registry's communes in t, each once, sorted by INSEE code,
// and the codes of t the registry does not hold. An EPCI's member that the registry does
// not list as a commune covers nothing.
func territoryCommunes(db *gorm.DB, t models.Territory) ([]models.Collectivite, models.Territory, error) {
	var missing models.Territory
	byCode := func(r collectiviteRow) string { return r.Code }
	entries := func(typ models.CollectiviteType, codes []string) ([]collectiviteRow, error) {
		return findIn(db, codes, func(q *gorm.DB, batch []string) *gorm.DB {
			return q.Where("type = ? AND code IN ?", string(typ), batch)
		})
	}
	communesWhere := func(column string, values []string) ([]collectiviteRow, error) {
		return findIn(db, values, func(q *gorm.DB, batch []string) *gorm.DB {
			return q.Where("type = ? AND "+column+" IN ?", string(models.TypeCommune), batch)
		})
	}

	communes, err := entries(models.TypeCommune, t.Communes)
	if err != nil {
		return nil, missing, err
	}
	missing.Communes = absent(t.Communes, communes, byCode)

	epcis, err := entries(models.TypeEPCI, t.EPCIs)
	if err != nil {
		return nil, missing, err
	}
	missing.EPCIs = absent(t.EPCIs, epcis, byCode)
	var members []string
	for _, e := range epcis {
		members = append(members, e.model().Members...)
	}
	rows, err := communesWhere("siren", members)
	if err != nil {
		return nil, missing, err
	}
	communes = append(communes, rows...)

	// A département or a région covers the communes the registry places in it.
	deps, err := entries(models.TypeDepartement, t.Departements)
	if err != nil {
		return nil, missing, err
	}
	missing.Departements = absent(t.Departements, deps, byCode)
	regions, err := entries(models.TypeRegion, t.Regions)
	if err != nil {
		return nil, missing, err
	}
	missing.Regions = absent(t.Regions, regions, byCode)
	if rows, err = communesWhere("departement", t.Departements); err != nil {
		return nil, missing, err
	}
	communes = append(communes, rows...)
	if rows, err = communesWhere("region", t.Regions); err != nil {
		return nil, missing, err
	}
	communes = append(communes, rows...)

	seen := map[string]bool{}
	out := make([]models.Collectivite, 0, len(communes))
	for _, r := range communes {
		if !seen[r.Code] {
			seen[r.Code] = true
			out = append(out, r.model())
		}
	}
	slices.SortFunc(out, func(a, b models.Collectivite) int { return strings.Compare(a.Code, b.Code) })
	return out, missing, nil
}

// findIn loads the rows query selects for each batch of inBatch distinct values.
func findIn(db *gorm.DB, values []string, query func(q *gorm.DB, batch []string) *gorm.DB) ([]collectiviteRow, error) {
	var all []collectiviteRow
	for batch := range slices.Chunk(distinct(values), inBatch) {
		var rows []collectiviteRow
		if err := query(db, batch).Find(&rows).Error; err != nil {
			return nil, err
		}
		all = append(all, rows...)
	}
	return all, nil
}

// absent returns the distinct values no row's key matches, in first-seen order.
func absent(values []string, rows []collectiviteRow, key func(collectiviteRow) string) []string {
	found := map[string]bool{}
	for _, r := range rows {
		found[key(r)] = true
	}
	var out []string
	for _, v := range distinct(values) {
		if !found[v] {
			out = append(out, v)
		}
	}
	return out
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

// CommunesPerDepartement counts the registry's communes in each département, so that
// "covers a whole département" is decided against the registry, not a typed-in figure.
func (s *Store) CommunesPerDepartement(ctx context.Context) (map[string]int, error) {
	return communesPerDepartement(s.db.WithContext(ctx))
}

func communesPerDepartement(db *gorm.DB) (map[string]int, error) {
	var rows []struct {
		Departement string
		N           int
	}
	err := db.Model(&collectiviteRow{}).Select("departement, COUNT(*) AS n").
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
