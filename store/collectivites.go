package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

type collectiviteRow struct {
	Type        string
	Code        string
	Siren       *string
	Name        string
	SearchName  string
	Departement string
	Region      string
	Population  int64
	Members     string
	LegalForm   string
	Territory   string // a structure's models.Territory, as JSON
}

func (collectiviteRow) TableName() string { return "collectivites" }

func (r collectiviteRow) model() models.Collectivite {
	c := models.Collectivite{Type: models.CollectiviteType(r.Type), Code: r.Code, Name: r.Name,
		Departement: r.Departement, Region: r.Region, Population: r.Population}
	if r.Siren != nil {
		c.Siren = *r.Siren
	}
	if r.Members != "" {
		c.Members = strings.Split(r.Members, ",")
	}
	c.LegalForm = r.LegalForm
	if r.Territory != "" {
		// SaveStructure wrote it from a models.Territory; one that no longer decodes covers nothing.
		var t models.Territory
		if err := json.Unmarshal([]byte(r.Territory), &t); err == nil {
			c.Territory = &t
		}
	}
	return c
}

// searchKey folds case and accents so "Evry" finds "Évry-Courcouronnes".
func searchKey(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// ImportRegistry upserts the registry in batches, calling progress after each batch.
// Running it again with the same data changes nothing, and keeps what the administrator
// added: the SIRENs of départements and régions (absent from the data), legal forms and structures.
func (s *Store) ImportRegistry(ctx context.Context, all []models.Collectivite, progress func(done, total int)) error {
	const batch = 500
	for start := 0; start < len(all); start += batch {
		end := min(start+batch, len(all))
		rows := make([]collectiviteRow, 0, end-start)
		for _, c := range all[start:end] {
			r := collectiviteRow{Type: string(c.Type), Code: c.Code, Name: c.Name, SearchName: searchKey(c.Name),
				Departement: c.Departement, Region: c.Region, Population: c.Population, Members: strings.Join(c.Members, ",")}
			if c.Siren != "" {
				siren := c.Siren
				r.Siren = &siren
			}
			rows = append(rows, r)
		}
		updates := clause.AssignmentColumns([]string{"name", "search_name", "departement", "region", "population", "members"})
		updates = append(updates, clause.Assignment{Column: clause.Column{Name: "siren"},
			Value: gorm.Expr("COALESCE(excluded.siren, collectivites.siren)")})
		err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "type"}, {Name: "code"}},
			DoUpdates: updates,
		}).Create(&rows).Error
		if err != nil {
			return err
		}
		if progress != nil {
			progress(end, len(all))
		}
	}
	return nil
}

// CountCollectivites tells how many registry entries are loaded.
func (s *Store) CountCollectivites(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&collectiviteRow{}).Count(&n).Error
	return n, err
}

// CollectiviteBySiren returns the registry entry with that SIREN.
func (s *Store) CollectiviteBySiren(ctx context.Context, siren string) (models.Collectivite, error) {
	var r collectiviteRow
	err := s.db.WithContext(ctx).Where("siren = ?", siren).Take(&r).Error
	if err != nil {
		return models.Collectivite{}, notFound(err, "no collectivité with SIREN %s in the registry", siren)
	}
	return r.model(), nil
}

// sirensPerQuery bounds the SIRENs one query binds, under the databases' parameter limits.
const sirensPerQuery = 1000

// CollectiviteNames returns the registry's names of the entries with these SIRENs, by
// SIREN; a SIREN the registry lacks has none.
func (s *Store) CollectiviteNames(ctx context.Context, sirens []string) (map[string]string, error) {
	out := make(map[string]string, len(sirens))
	for chunk := range slices.Chunk(sirens, sirensPerQuery) {
		var rows []collectiviteRow
		if err := s.db.WithContext(ctx).Select("siren", "name").Where("siren IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[*r.Siren] = r.Name
		}
	}
	return out, nil
}

// CollectiviteFilter narrows a registry search.
type CollectiviteFilter struct {
	Query       string
	Type        models.CollectiviteType
	Departement string
	Limit       int
	// After is the cursor: the (type, code) of the last entry of the previous page.
	AfterType, AfterCode string
}

// SearchCollectivites lists registry entries by name, type and département, ordered by type then code.
func (s *Store) SearchCollectivites(ctx context.Context, f CollectiviteFilter) ([]models.Collectivite, error) {
	q := s.db.WithContext(ctx).Model(&collectiviteRow{})
	if f.Query != "" {
		like := "%" + escapeLike(searchKey(f.Query)) + "%"
		q = q.Where("search_name LIKE ? ESCAPE '\\' OR siren = ? OR code = ?", like, f.Query, f.Query)
	}
	if f.Type != "" {
		q = q.Where("type = ?", string(f.Type))
	}
	if f.Departement != "" {
		q = q.Where("departement = ?", f.Departement)
	}
	if f.AfterType != "" {
		q = q.Where("(type > ?) OR (type = ? AND code > ?)", f.AfterType, f.AfterType, f.AfterCode)
	}
	var rows []collectiviteRow
	if err := q.Order("type, code").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Collectivite, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// inTx runs fn in a transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}
