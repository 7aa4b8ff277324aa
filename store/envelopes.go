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
	AllocatedCents int64
	ReservedCents  int64
	CommittedCents int64
	PaidCents      int64
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
	AmountCents  int64
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
	envs := make([]models.Envelope, len(rows))
	index := make(map[string]int, len(rows))
	for i, r := range rows {
		envs[i] = r.model()
		index[r.Code] = i
	}
	// A child's code extends its parent's ("axe2" < "axe2.guichet"), and the root "fund"
	// sorts after the axes, which are its only children: walking backwards adds each node's
	// totals to its parent after the node has its own children's.
	for i := len(envs) - 1; i >= 0; i-- {
		if p, ok := index[envs[i].ParentCode]; ok {
			envs[p].ReservedCents += envs[i].ReservedCents
			envs[p].CommittedCents += envs[i].CommittedCents
			envs[p].PaidCents += envs[i].PaidCents
		}
	}
	return envs, nil
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
		var self, parent *envelopeRow
		var children, siblings models.Cents
		for i := range rows {
			if rows[i].Code == code {
				self = &rows[i]
			}
		}
		if self == nil {
			return models.Errorf(models.ENotFound, "no envelope %q", code)
		}
		for i := range rows {
			r := &rows[i]
			switch {
			case r.Code == self.ParentCode:
				parent = r
			case r.ParentCode == code:
				children += r.AllocatedCents
			case r.ParentCode == self.ParentCode && r.Code != code && self.ParentCode != "":
				siblings += r.AllocatedCents
			}
		}
		var parentModel *models.Envelope
		if parent != nil {
			p := parent.model()
			parentModel = &p
		}
		if err := models.CheckReallocation(self.model(), allocated, children, parentModel, siblings); err != nil {
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
// guarantees the envelope never goes below zero, whatever runs concurrently.
func (s *Store) reserveTx(tx *gorm.DB, dossierID, envelope string, amount models.Cents) error {
	if amount <= 0 {
		return models.Errorf(models.EInvalid, "cannot reserve a non-positive amount")
	}
	done, err := ledgerStepDone(tx, dossierID, models.LedgerReserve)
	if err != nil || done {
		return err
	}
	res := tx.Model(&envelopeRow{}).
		Where("code = ? AND allocated_cents - reserved_cents - committed_cents - paid_cents >= ?", envelope, amount).
		Updates(map[string]any{"reserved_cents": gorm.Expr("reserved_cents + ?", amount), "updated_at": s.now()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		if err := tx.Take(&envelopeRow{}, "code = ?", envelope).Error; err != nil {
			return notFound(err, "no envelope %q", envelope)
		}
		return fmt.Errorf("envelope %s, %s: %w", envelope, models.FormatEuros(amount), models.ErrEnvelopeExhausted)
	}
	return tx.Create(&ledgerRow{EnvelopeCode: envelope, DossierID: dossierID, Kind: models.LedgerReserve, AmountCents: amount, At: s.now()}).Error
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
