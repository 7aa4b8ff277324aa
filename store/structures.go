package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

// SaveStructure records an administrator's entry, keyed by its SIREN, and returns the
// registry entry as it now stands with what it covers. A département or a région gives
// the registry's entry its SIREN; a structure is added or corrected with the territory it
// declares. Population, département and région are computed from the communes covered.
// Saving the same entry again changes nothing. A SIREN that another administrator's entry
// held moves here (a correction); one a commune or an EPCI holds is a conflict.
//
// A change is written, with the entry before (none when new) and after, to the SIREN's
// audit trail (models.StructureTrailID) in the same transaction, by the administrator by.
func (s *Store) SaveStructure(ctx context.Context, e models.StructureEntry, by string) (models.Collectivite, models.Coverage, error) {
	e.Normalize()
	if err := e.Validate(); err != nil {
		return models.Collectivite{}, models.Coverage{}, err
	}
	var (
		saved models.Collectivite
		cov   models.Coverage
	)
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		row := collectiviteRow{Type: string(models.TypeStructure), Code: e.Siren}
		before, found, err := s.declaredEntry(tx, e)
		if err != nil {
			return err
		}
		switch typ := e.Type(); typ {
		case models.TypeDepartement, models.TypeRegion:
			code, field := firstOf(e.Departements), "departements"
			if typ == models.TypeRegion {
				code, field = firstOf(e.Regions), "regions"
			}
			err := tx.Where("type = ? AND code = ?", string(typ), code).Take(&row).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.FieldErrors(map[string]string{field: fmt.Sprintf("unknown to the registry: %s", code)})
			}
			if err != nil {
				return err
			}
		default:
			territory, err := json.Marshal(e.Territory)
			if err != nil {
				return err
			}
			row.Name, row.SearchName, row.Territory = e.Name, searchKey(e.Name), string(territory)
		}

		communes, missing, err := territoryCommunes(tx, row.model().Covers())
		if err != nil {
			return err
		}
		if err := unknownCodes(missing); err != nil {
			return err
		}
		if len(communes) == 0 {
			return models.FieldErrors(map[string]string{"communes": "the territory holds no commune of the registry"})
		}
		counts, err := communesPerDepartement(tx)
		if err != nil {
			return err
		}
		cov = models.CoverageOf(communes, counts)
		if err := releaseSiren(tx, e.Siren, row); err != nil {
			return err
		}
		row.Siren, row.LegalForm, row.Population = &e.Siren, e.LegalForm, cov.Population
		row.Departement, row.Region = cov.Departement, cov.Region
		if row.Type == string(models.TypeRegion) {
			row.Departement = "" // a région belongs to no one département
		}
		err = tx.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "type"}, {Name: "code"}},
			DoUpdates: clause.AssignmentColumns([]string{"siren", "legal_form", "name", "search_name", "departement", "region",
				"population", "territory"}),
		}).Create(&row).Error
		saved = row.model()
		if err != nil || found && reflect.DeepEqual(before, e) {
			return err
		}
		return s.auditEntry(tx, models.StructureTrailID(e.Siren), by, models.AuditStructureSaved, changeOf(before, found, e))
	})
	return saved, cov, err
}

// declaredEntry is the entry an administrator last saved under e's SIREN, as SaveStructure
// keeps it, locked until tx ends; found is false when none was.
func (s *Store) declaredEntry(tx *gorm.DB, e models.StructureEntry) (models.StructureEntry, bool, error) {
	var row collectiviteRow
	err := lockForUpdate(tx, s.sqlite).Where("siren = ? AND (type = ? OR legal_form <> '')", e.Siren, string(models.TypeStructure)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.StructureEntry{}, false, nil
	}
	if err != nil {
		return models.StructureEntry{}, false, err
	}
	c := row.model()
	before := models.StructureEntry{Siren: c.Siren, Name: c.Name, LegalForm: c.LegalForm}
	if c.Territory != nil {
		before.Territory = *c.Territory
	} else if c.Type == models.TypeDepartement {
		before.Departements = []string{c.Code}
	} else if c.Type == models.TypeRegion {
		before.Regions = []string{c.Code}
	}
	return before, true, nil
}

func firstOf(codes []string) string {
	if len(codes) == 0 {
		return ""
	}
	return codes[0]
}

// unknownCodes names, field by field, the codes of a territory the registry does not hold.
func unknownCodes(missing models.Territory) error {
	fields := map[string]string{}
	for field, codes := range map[string][]string{"communes": missing.Communes, "epcis": missing.EPCIs,
		"departements": missing.Departements, "regions": missing.Regions} {
		if len(codes) > 0 {
			fields[field] = "unknown to the registry: " + strings.Join(codes, ", ")
		}
	}
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	return nil
}

// releaseSiren takes siren from any entry other than row: an administrator's entry gives
// it up (a département or région keeps its row, a structure is removed); a commune or an
// EPCI keeps it, since the Etalab data is the reference.
func releaseSiren(tx *gorm.DB, siren string, row collectiviteRow) error {
	var holders []collectiviteRow
	if err := tx.Where("siren = ? AND NOT (type = ? AND code = ?)", siren, row.Type, row.Code).Find(&holders).Error; err != nil {
		return err
	}
	for _, h := range holders {
		q := tx.Model(&collectiviteRow{}).Where("type = ? AND code = ?", h.Type, h.Code)
		var err error
		switch models.CollectiviteType(h.Type) {
		case models.TypeDepartement, models.TypeRegion:
			err = q.Updates(map[string]any{"siren": nil, "legal_form": ""}).Error
		case models.TypeStructure:
			err = q.Delete(&collectiviteRow{}).Error
		default:
			return models.Errorf(models.EConflict, "SIREN %s belongs to %s %s (%s) in the Etalab registry", siren, h.Type, h.Code, h.Name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// HasStructures reports whether the administrator has entered any structure, département or région SIREN.
func (s *Store) HasStructures(ctx context.Context) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&collectiviteRow{}).Where("legal_form <> ''").Limit(1).Count(&n).Error
	return n > 0, err
}
