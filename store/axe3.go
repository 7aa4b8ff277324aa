package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

// Axe 3's reference data and its envelopes: the regional split, the préfets' delegations,
// the labs, the CRTE and each territory's rules.

type envelopeActRow struct {
	ID           int64 `gorm:"primaryKey"`
	EnvelopeCode string
	Action       string
	Actor        string
	FromCents    models.Cents
	ToCents      models.Cents
	At           time.Time
}

func (envelopeActRow) TableName() string { return "envelope_acts" }

// RegionPopulations returns each région's population from the registry.
func (s *Store) RegionPopulations(ctx context.Context) (map[string]int64, error) {
	var rows []collectiviteRow
	if err := s.db.WithContext(ctx).Where("type = ?", string(models.TypeRegion)).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Code] = r.Population
	}
	return out, nil
}

// DepartementRegion returns the région of département code, from the registry.
func (s *Store) DepartementRegion(ctx context.Context, code string) (string, error) {
	var r collectiviteRow
	err := s.db.WithContext(ctx).Where("type = ? AND code = ?", string(models.TypeDepartement), code).Take(&r).Error
	if err != nil {
		return "", notFound(err, "no département %q in the registry", code)
	}
	return r.Region, nil
}

// axe3Tree is the locked Axe 3 territorial subtree, by code.
type axe3Tree map[string]*envelopeRow

func (s *Store) lockAxe3Tree(tx *gorm.DB) (axe3Tree, error) {
	var rows []envelopeRow
	if err := lockForUpdate(tx, s.sqlite).Where("code = ? OR code LIKE ?", models.EnvelopeAxe3Territorial, models.EnvelopeAxe3Territorial+".%").
		Find(&rows).Error; err != nil {
		return nil, err
	}
	t := axe3Tree{}
	for i := range rows {
		t[rows[i].Code] = &rows[i]
	}
	if t[models.EnvelopeAxe3Territorial] == nil {
		return nil, models.Errorf(models.ENotFound, "no envelope %q", models.EnvelopeAxe3Territorial)
	}
	return t, nil
}

// children returns the rows whose parent is code.
func (t axe3Tree) children(code string) []*envelopeRow {
	var out []*envelopeRow
	for _, r := range t {
		if r.ParentCode == code {
			out = append(out, r)
		}
	}
	return out
}

// SetRegionalSplit gives each région its envelope out of axe3.territorial, as one audited
// act: the split must sum to the territorial envelope, and no région goes below what it has
// delegated to its départements plus what its kept part has engaged. A région's kept part
// absorbs the change. The first split creates the régions' envelopes.
func (s *Store) SetRegionalSplit(ctx context.Context, allocations map[string]models.Cents, actor string) error {
	split := maps.Clone(allocations)
	return s.inTx(ctx, func(tx *gorm.DB) error {
		t, err := s.lockAxe3Tree(tx)
		if err != nil {
			return err
		}
		held := map[string]models.Cents{}
		for _, reg := range t.children(models.EnvelopeAxe3Territorial) {
			code := strings.TrimPrefix(reg.Code, models.EnvelopeAxe3Territorial+".")
			for _, c := range t.children(reg.Code) {
				if c.Code == models.KeptEnvelope(code) {
					engaged, err := c.model().Engaged()
					if err != nil {
						return err
					}
					held[code] += engaged
				} else {
					held[code] += c.AllocatedCents
				}
			}
			if _, ok := split[code]; !ok {
				split[code] = 0 // a région left out gets nothing, if it holds nothing
			}
		}
		if err := models.CheckRegionalSplit(split, t[models.EnvelopeAxe3Territorial].AllocatedCents, held); err != nil {
			return err
		}
		for _, region := range slices.Sorted(maps.Keys(split)) {
			amount := split[region]
			code := models.RegionEnvelope(region)
			row, ok := t[code]
			from := models.Cents(0)
			if ok {
				from = row.AllocatedCents
			}
			if ok && from == amount {
				continue
			}
			if !ok {
				if err := s.createEnvelopeTx(tx, code, models.EnvelopeAxe3Territorial, "Axe 3 — région "+region); err != nil {
					return err
				}
				if err := s.createEnvelopeTx(tx, models.KeptEnvelope(region), code, "Axe 3 — région "+region+", part régionale"); err != nil {
					return err
				}
				t[models.KeptEnvelope(region)] = &envelopeRow{Code: models.KeptEnvelope(region)}
			}
			kept := t[models.KeptEnvelope(region)]
			if err := s.moveAllocationTx(tx, code, from, amount); err != nil {
				return err
			}
			if err := s.moveAllocationTx(tx, kept.Code, kept.AllocatedCents, kept.AllocatedCents+amount-from); err != nil {
				return err
			}
			if err := tx.Create(&envelopeActRow{EnvelopeCode: code, Action: models.ActRegionalSplit, Actor: actor, FromCents: from, ToCents: amount, At: s.now()}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) createEnvelopeTx(tx *gorm.DB, code, parent, label string) error {
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&envelopeRow{Code: code, ParentCode: parent, Label: label, UpdatedAt: s.now()}).Error
}

// moveAllocationTx sets an envelope's allocation from one amount to another, conditionally:
// the tree is locked, so a row that changed since is a bug, reported rather than overwritten.
func (s *Store) moveAllocationTx(tx *gorm.DB, code string, from, to models.Cents) error {
	res := tx.Model(&envelopeRow{}).Where("code = ? AND allocated_cents = ?", code, from).
		Updates(map[string]any{"allocated_cents": to, "updated_at": s.now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("envelope %s changed during its update", code)
	}
	return nil
}

// Delegate sets what région's préfet delegates to département dep, as one audited act: the
// département's envelope gets amount, the région's kept part the difference; neither goes
// below what it has engaged, and the région's envelope (their sum) does not change.
func (s *Store) Delegate(ctx context.Context, region, dep string, amount models.Cents, actor string) (models.Envelope, error) {
	code := models.DepartementEnvelope(region, dep)
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		t, err := s.lockAxe3Tree(tx)
		if err != nil {
			return err
		}
		kept := t[models.KeptEnvelope(region)]
		if kept == nil {
			return models.Errorf(models.EConflict, "région %s has no envelope yet: the administrator splits %s first", region, models.EnvelopeAxe3Territorial)
		}
		row := t[code]
		if row == nil {
			if err := s.createEnvelopeTx(tx, code, models.RegionEnvelope(region), "Axe 3 — département "+dep); err != nil {
				return err
			}
			row = &envelopeRow{Code: code}
		}
		if err := models.CheckDelegation(row.model(), kept.model(), amount); err != nil {
			return err
		}
		if amount == row.AllocatedCents {
			return nil
		}
		if err := s.moveAllocationTx(tx, code, row.AllocatedCents, amount); err != nil {
			return err
		}
		if err := s.moveAllocationTx(tx, kept.Code, kept.AllocatedCents, kept.AllocatedCents-(amount-row.AllocatedCents)); err != nil {
			return err
		}
		return tx.Create(&envelopeActRow{EnvelopeCode: code, Action: models.ActDelegation, Actor: actor, FromCents: row.AllocatedCents, ToCents: amount, At: s.now()}).Error
	})
	if err != nil {
		return models.Envelope{}, err
	}
	return s.Envelope(ctx, code)
}

// EnvelopeActs lists the audited acts on envelope code and its descendants, oldest first.
func (s *Store) EnvelopeActs(ctx context.Context, code string) ([]models.EnvelopeAct, error) {
	var rows []envelopeActRow
	if err := s.db.WithContext(ctx).Where("envelope_code = ? OR envelope_code LIKE ?", code, escapeLike(code)+".%").
		Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.EnvelopeAct, len(rows))
	for i, r := range rows {
		out[i] = models.EnvelopeAct{ID: r.ID, EnvelopeCode: r.EnvelopeCode, Action: r.Action, Actor: r.Actor, FromCents: r.FromCents, ToCents: r.ToCents, At: r.At}
	}
	return out, nil
}

type labRow struct {
	ID     string `gorm:"primaryKey"`
	Name   string
	Region string
}

func (labRow) TableName() string { return "axe3_labs" }

func (r labRow) model() models.Lab { return models.Lab{ID: r.ID, Name: r.Name, Region: r.Region} }

// PutLab creates or replaces a territorial innovation lab of a région the registry knows,
// and writes the change, the lab before and after, to the lab's audit trail in the same
// transaction.
func (s *Store) PutLab(ctx context.Context, l models.Lab, by string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if missing, err := missingCodes(tx, models.TypeRegion, "code", []string{l.Region}); err != nil || len(missing) > 0 {
			if err != nil {
				return err
			}
			return models.FieldErrors(map[string]string{"region": "unknown to the registry: " + l.Region})
		}
		var before labRow
		found, err := lockedRow(tx, s.sqlite, &before, l.ID)
		if err != nil {
			return err
		}
		if err := tx.Save(&labRow{ID: l.ID, Name: l.Name, Region: l.Region}).Error; err != nil {
			return err
		}
		return s.auditEntry(tx, models.LabTrailID(l.ID), by, models.AuditLabPut, changeOf(before.model(), found, l))
	})
}

// lockedRow reads into row the row with primary key id, locked until tx ends; found is
// false when there is none.
func lockedRow(tx *gorm.DB, sqlite bool, row any, id string) (found bool, err error) {
	err = lockForUpdate(tx, sqlite).Where("id = ?", id).Take(row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	return err == nil, err
}

// missingCodes returns those of codes no registry entry of type typ holds in column.
func missingCodes(db *gorm.DB, typ models.CollectiviteType, column string, codes []string) ([]string, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	var found []string
	if err := db.Model(&collectiviteRow{}).Where("type = ? AND "+column+" IN ?", string(typ), codes).Pluck(column, &found).Error; err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slices.Clone(codes), func(c string) bool { return slices.Contains(found, c) }), nil
}

// Labs lists the labs, by ID.
func (s *Store) Labs(ctx context.Context) ([]models.Lab, error) {
	var rows []labRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Lab, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// Lab returns one lab.
func (s *Store) Lab(ctx context.Context, id string) (models.Lab, error) {
	var r labRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return models.Lab{}, notFound(err, "no lab %q", id)
	}
	return r.model(), nil
}

type crteRow struct {
	ID       string `gorm:"primaryKey"`
	Name     string
	EPCIs    string `gorm:"column:epcis"`
	Communes string
	SignedOn time.Time
}

func (crteRow) TableName() string { return "axe3_crtes" }

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (r crteRow) model() models.CRTE {
	return models.CRTE{ID: r.ID, Name: r.Name, EPCIs: splitList(r.EPCIs), Communes: splitList(r.Communes), SignedOn: r.SignedOn.UTC()}
}

// PutCRTE creates or replaces a CRTE covering EPCI and communes the registry knows, and
// writes the change, the CRTE before and after, to the CRTE's audit trail in the same
// transaction.
func (s *Store) PutCRTE(ctx context.Context, c models.CRTE, by string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		fields := map[string]string{}
		for field, list := range map[string]struct {
			typ    models.CollectiviteType
			sirens []string
		}{"epcis": {models.TypeEPCI, c.EPCIs}, "communes": {models.TypeCommune, c.Communes}} {
			missing, err := missingCodes(tx, list.typ, "siren", list.sirens)
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				fields[field] = "unknown to the registry as " + string(list.typ) + ": " + strings.Join(missing, ", ")
			}
		}
		if len(fields) > 0 {
			return models.FieldErrors(fields)
		}
		var before crteRow
		found, err := lockedRow(tx, s.sqlite, &before, c.ID)
		if err != nil {
			return err
		}
		row := crteRow{ID: c.ID, Name: c.Name, EPCIs: strings.Join(c.EPCIs, ","), Communes: strings.Join(c.Communes, ","), SignedOn: c.SignedOn.UTC()}
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		return s.auditEntry(tx, models.CRTETrailID(c.ID), by, models.AuditCRTEPut, changeOf(before.model(), found, row.model()))
	})
}

// CRTEs lists the CRTE, by ID.
func (s *Store) CRTEs(ctx context.Context) ([]models.CRTE, error) {
	var rows []crteRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.CRTE, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// CoveringCRTE returns the CRTE covering the collectivité with this SIREN, if any.
func (s *Store) CoveringCRTE(ctx context.Context, siren string) (models.CRTE, bool, error) {
	crtes, err := s.CRTEs(ctx)
	if err != nil || len(crtes) == 0 {
		return models.CRTE{}, false, err
	}
	var epcis []string
	for _, c := range crtes {
		epcis = append(epcis, c.EPCIs...)
	}
	var rows []collectiviteRow
	if err := s.db.WithContext(ctx).Where("type = ? AND siren IN ?", string(models.TypeEPCI), epcis).Find(&rows).Error; err != nil {
		return models.CRTE{}, false, err
	}
	members := map[string][]string{}
	for _, r := range rows {
		members[*r.Siren] = splitList(r.Members)
	}
	c, ok := models.CoveringCRTE(crtes, siren, members)
	return c, ok, nil
}

type axe3RulesRow struct {
	Scope                string `gorm:"primaryKey"`
	PopulationCap        int64
	MaxPublicRatePercent int
	Weights              string
	UpdatedBy            string
	UpdatedAt            time.Time
}

func (axe3RulesRow) TableName() string { return "axe3_rules" }

// PutAxe3Rules sets a département's or région's rules.
func (s *Store) PutAxe3Rules(ctx context.Context, r models.Axe3Rules, actor string) error {
	w := make([]string, len(r.Weights))
	for i, v := range r.Weights {
		w[i] = strconv.Itoa(v)
	}
	return s.db.WithContext(ctx).Save(&axe3RulesRow{Scope: r.Scope.String(), PopulationCap: r.PopulationCap,
		MaxPublicRatePercent: r.MaxPublicRatePercent, Weights: strings.Join(w, ","), UpdatedBy: actor, UpdatedAt: s.now()}).Error
}

// Axe3Rules lists the rules the départements and régions have set.
func (s *Store) Axe3Rules(ctx context.Context) ([]models.Axe3Rules, error) {
	var rows []axe3RulesRow
	if err := s.db.WithContext(ctx).Order("scope").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Axe3Rules, 0, len(rows))
	for _, row := range rows {
		scope, err := models.ParseScope(row.Scope)
		if err != nil {
			return nil, err
		}
		r := models.Axe3Rules{Scope: scope, PopulationCap: row.PopulationCap, MaxPublicRatePercent: row.MaxPublicRatePercent}
		for i, w := range splitList(row.Weights) {
			if i < len(r.Weights) {
				r.Weights[i], _ = strconv.Atoi(w)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// ApplicantPopulation is the population of a collectivité, from the registry: an EPCI's is
// its member communes'; any other entry's its own (a structure's was computed from the
// territory it declared).
func (s *Store) ApplicantPopulation(ctx context.Context, col models.Collectivite) (int64, error) {
	if col.Type != models.TypeEPCI {
		return col.Population, nil
	}
	if len(col.Members) == 0 {
		return 0, nil
	}
	var sum int64
	err := s.db.WithContext(ctx).Model(&collectiviteRow{}).Where("type = ? AND siren IN ?", string(models.TypeCommune), col.Members).
		Select("COALESCE(SUM(population), 0)").Scan(&sum).Error
	return sum, err
}

// PrefectoralEligibility computes and explains the eligibility of an Axe 3 application of
// the collectivité with this SIREN, under the rules of its territory.
func (s *Store) PrefectoralEligibility(ctx context.Context, siren string, app models.PrefectoralApplication) (models.PrefectoralEligibility, error) {
	col, err := s.CollectiviteBySiren(ctx, siren)
	if err != nil {
		return models.PrefectoralEligibility{}, err
	}
	population, err := s.ApplicantPopulation(ctx, col)
	if err != nil {
		return models.PrefectoralEligibility{}, err
	}
	rules, err := s.Axe3Rules(ctx)
	if err != nil {
		return models.PrefectoralEligibility{}, err
	}
	return models.CheckPrefectoralEligibility(app, population, models.ApplicableRules(rules, col.Departement, col.Region)), nil
}

// TerritorialEnvelope is the envelope an Axe 3 dossier of département dep, in région, draws
// on: the département's when its région delegated it one, else the région's kept part.
func (s *Store) TerritorialEnvelope(ctx context.Context, region, dep string) (string, error) {
	var codes []string
	if err := s.db.WithContext(ctx).Model(&envelopeRow{}).Where("code IN ?", []string{models.DepartementEnvelope(region, dep), models.KeptEnvelope(region)}).
		Pluck("code", &codes).Error; err != nil {
		return "", err
	}
	switch {
	case slices.Contains(codes, models.DepartementEnvelope(region, dep)):
		return models.DepartementEnvelope(region, dep), nil
	case slices.Contains(codes, models.KeptEnvelope(region)):
		return models.KeptEnvelope(region), nil
	}
	return "", models.Errorf(models.EConflict, "région %s has no Axe 3 envelope yet: the administrator has not split %s to it", region, models.EnvelopeAxe3Territorial)
}

// CheckPrefectoralReferences checks an application names a lab and a CRTE the
// administrator listed, the lab of the applicant's région.
func (s *Store) CheckPrefectoralReferences(ctx context.Context, app models.PrefectoralApplication, region string) error {
	fields := map[string]string{}
	if app.LabID != "" {
		lab, err := s.Lab(ctx, app.LabID)
		switch {
		case models.ErrorCode(err) == models.ENotFound:
			fields["lab_id"] = "is not a lab the administrator listed"
		case err != nil:
			return err
		case lab.Region != region:
			fields["lab_id"] = fmt.Sprintf("is a lab of région %s, not of the applicant's (%s)", lab.Region, region)
		}
	}
	if app.CRTEID != "" {
		err := s.db.WithContext(ctx).Take(&crteRow{}, "id = ?", app.CRTEID).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			fields["crte_id"] = "is not a CRTE the administrator listed"
		case err != nil:
			return err
		}
	}
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	return nil
}
