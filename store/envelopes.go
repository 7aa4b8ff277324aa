package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

type envelopeRow struct {
	Code           string `gorm:"primaryKey"`
	ParentCode     string
	Label          string
	AllocatedCents models.Cents
	ReservedCents  models.Cents
	CommittedCents models.Cents
	PaidCents      models.Cents
	UpdatedAt      time.Time
}

func (envelopeRow) TableName() string { return "envelopes" }

func (r envelopeRow) model() models.Envelope {
	return models.Envelope{Code: r.Code, ParentCode: r.ParentCode, Label: r.Label, AllocatedCents: r.AllocatedCents,
		ReservedCents: r.ReservedCents, CommittedCents: r.CommittedCents, PaidCents: r.PaidCents}
}

type ledgerRow struct {
	ID           int64 `gorm:"primaryKey"`
	EnvelopeCode string
	DossierID    string
	Kind         string
	AmountCents  models.Cents
	Reference    string
	// Part names a part of a grant moved on its own ("advance", "balance"...); "" for the whole.
	Part string
	At   time.Time
}

func (ledgerRow) TableName() string { return "ledger_entries" }

func (r ledgerRow) model() models.LedgerEntry {
	return models.LedgerEntry{ID: r.ID, EnvelopeCode: r.EnvelopeCode, DossierID: r.DossierID, Kind: r.Kind,
		AmountCents: r.AmountCents, Reference: r.Reference, At: r.At}
}

// SeedEnvelopes creates the envelopes that do not exist yet; existing ones keep the
// amounts an administrator gave them.
func (s *Store) SeedEnvelopes(ctx context.Context, envs []models.Envelope) error {
	rows := make([]envelopeRow, len(envs))
	for i, e := range envs {
		rows[i] = envelopeRow{Code: e.Code, ParentCode: e.ParentCode, Label: e.Label, AllocatedCents: e.AllocatedCents, UpdatedAt: s.now()}
	}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
}

// Envelopes returns the whole tree, parents before children, with each parent's
// reserved, committed and paid figures summed from its descendants.
func (s *Store) Envelopes(ctx context.Context) ([]models.Envelope, error) {
	var rows []envelopeRow
	if err := s.db.WithContext(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, err
	}
	return models.RollUp(envelopeModels(rows))
}

func envelopeModels(rows []envelopeRow) []models.Envelope {
	envs := make([]models.Envelope, len(rows))
	for i, r := range rows {
		envs[i] = r.model()
	}
	return envs
}

// Envelope returns one envelope with its descendants' figures summed in.
func (s *Store) Envelope(ctx context.Context, code string) (models.Envelope, error) {
	envs, err := s.Envelopes(ctx)
	if err != nil {
		return models.Envelope{}, err
	}
	for _, e := range envs {
		if e.Code == code {
			return e, nil
		}
	}
	return models.Envelope{}, models.Errorf(models.ENotFound, "no envelope %q", code)
}

// SetAllocation gives an envelope a new allocated amount, keeping the tree consistent.
func (s *Store) SetAllocation(ctx context.Context, code string, allocated models.Cents) (models.Envelope, error) {
	if models.SplitByActs(code) {
		return models.Envelope{}, models.Errorf(models.EConflict,
			"envelope %s moves through the regional split and the préfets' delegations (PUT /api/v1/axe3/regional-split, PUT /api/v1/axe3/regions/{region}/delegations/{departement})", code)
	}
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var rows []envelopeRow
		// Lock the tree: two administrators editing siblings at once must not both pass the parent check.
		if err := lockForUpdate(tx, s.sqlite).Order("code").Find(&rows).Error; err != nil {
			return err
		}
		if err := models.CheckReallocation(envelopeModels(rows), code, allocated); err != nil {
			return err
		}
		return tx.Model(&envelopeRow{}).Where("code = ?", code).
			Updates(map[string]any{"allocated_cents": allocated, "updated_at": s.now()}).Error
	})
	if err != nil {
		return models.Envelope{}, err
	}
	return s.Envelope(ctx, code)
}

func lockForUpdate(tx *gorm.DB, sqlite bool) *gorm.DB {
	if sqlite {
		return tx // an immediate transaction already holds SQLite's single write lock
	}
	return tx.Clauses(clause.Locking{Strength: "UPDATE"})
}

// reserveTx sets amount aside on an envelope for a dossier, in tx. It is keyed by
// dossier: a second call for the same dossier changes nothing. One conditional update
// guarantees the envelope never goes below zero, whatever runs concurrently, and that only
// leaves hold money (a parent's figures are its children's sums).
func (s *Store) reserveTx(tx *gorm.DB, dossierID, envelope string, amount models.Cents) error {
	if err := checkGrant(amount); err != nil {
		return err
	}
	done, err := ledgerStepDone(tx, dossierID, models.LedgerReserve)
	if err != nil || done {
		return err
	}
	var env envelopeRow
	if err := tx.Take(&env, "code = ?", envelope).Error; err != nil {
		return notFound(err, "no envelope %q", envelope)
	}
	// Figures that do not add up in int64 (stored corrupted) would overflow the SQL below:
	// PostgreSQL fails, SQLite silently computes in floating point.
	if _, err := env.model().AvailableCents(); err != nil {
		return fmt.Errorf("envelope %s: %w", envelope, err)
	}
	res := tx.Model(&envelopeRow{}).
		Where("code = ? AND allocated_cents - reserved_cents - committed_cents - paid_cents >= ?", envelope, amount).
		Where("NOT EXISTS (SELECT 1 FROM envelopes sub WHERE sub.parent_code = envelopes.code)").
		Updates(map[string]any{"reserved_cents": gorm.Expr("reserved_cents + ?", amount), "updated_at": s.now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		var children int64
		if err := tx.Model(&envelopeRow{}).Where("parent_code = ?", envelope).Count(&children).Error; err != nil {
			return err
		}
		if children > 0 {
			return models.Errorf(models.EConflict, "envelope %s has sub-envelopes: money is reserved on one of them", envelope)
		}
		return fmt.Errorf("envelope %s, %s: %w", envelope, models.FormatEuros(amount), models.ErrEnvelopeExhausted)
	}
	return tx.Create(&ledgerRow{EnvelopeCode: envelope, DossierID: dossierID, Kind: models.LedgerReserve, AmountCents: amount, At: s.now()}).Error
}

// checkGrant refuses an amount no grant can be: money moves in positive, bounded amounts.
func checkGrant(amount models.Cents) error {
	if amount == 0 || !models.ValidCents(amount) {
		return models.Errorf(models.EInvalid, "cannot reserve %s: a grant must be positive and at most %s", models.FormatEuros(amount), models.FormatEuros(models.MaxCents))
	}
	return nil
}

func ledgerStepDone(tx *gorm.DB, dossierID, kind string) (bool, error) {
	var n int64
	err := tx.Model(&ledgerRow{}).Where("dossier_id = ? AND kind = ?", dossierID, kind).Count(&n).Error
	return n > 0, err
}

// Ledger lists money movements, newest first, of one dossier or of one envelope (or all).
// before, when positive, is the cursor: entries with a smaller id.
func (s *Store) Ledger(ctx context.Context, dossierID, envelope string, before int64, limit int) ([]models.LedgerEntry, error) {
	q := s.db.WithContext(ctx).Model(&ledgerRow{})
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	if dossierID != "" {
		q = q.Where("dossier_id = ?", dossierID)
	}
	if envelope != "" {
		q = q.Where("envelope_code = ?", envelope)
	}
	var rows []ledgerRow
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.LedgerEntry, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}
