package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

// The money of a prefectoral grant: reserved on the first envelope that can cover it,
// committed whole by the agreement, then paid in parts (advance, balance), its unspent
// remainder released and an advance recovered, each part a ledger entry keyed by its
// part so that a retried activity moves the money once.

// ReserveFirst reserves amount for a dossier on the first of envelopes that can cover it
// whole, and returns that envelope; ErrEnvelopeExhausted when none can. Keyed by dossier:
// a second call returns the envelope of the first reservation. Each attempt is one
// conditional update: two sessions deciding at once never overdraw an envelope.
func (s *Store) ReserveFirst(ctx context.Context, dossierID string, envelopes []string, amount models.Cents) (string, error) {
	var used string
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var reserve ledgerRow
		err := tx.Where("dossier_id = ? AND kind = ?", dossierID, models.LedgerReserve).Take(&reserve).Error
		if err == nil {
			used = reserve.EnvelopeCode
			return nil
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		for _, env := range envelopes {
			err := s.reserveTx(tx, dossierID, env, amount)
			if errors.Is(err, models.ErrEnvelopeExhausted) {
				continue
			}
			used = env
			return err
		}
		return fmt.Errorf("envelopes %v, %s: %w", envelopes, models.FormatEuros(amount), models.ErrEnvelopeExhausted)
	})
	return used, err
}

// PayPart disburses part of a dossier's committed grant, once per part; reference is the
// payment's in the accounting system.
func (s *Store) PayPart(ctx context.Context, dossierID, part, reference string, amount models.Cents) error {
	return s.movePart(ctx, dossierID, part, reference, amount, "committed_cents", "paid_cents", models.LedgerPay)
}

// ReleasePart gives part of a dossier's committed grant back to its envelope, once per part.
func (s *Store) ReleasePart(ctx context.Context, dossierID, part string, amount models.Cents) error {
	return s.movePart(ctx, dossierID, part, "", amount, "committed_cents", "", models.LedgerRelease)
}

// Recover gives money paid to a dossier back to its envelope once the applicant has
// returned it, once per part.
func (s *Store) Recover(ctx context.Context, dossierID, part, reference string, amount models.Cents) error {
	return s.movePart(ctx, dossierID, part, reference, amount, "paid_cents", "", models.LedgerRecover)
}

func (s *Store) movePart(ctx context.Context, dossierID, part, reference string, amount models.Cents, from, to, kind string) error {
	if amount <= 0 {
		return nil // nothing to move: no entry
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&ledgerRow{}).Where("dossier_id = ? AND kind = ? AND part = ?", dossierID, kind, part).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		var reserve ledgerRow
		if err := tx.Where("dossier_id = ? AND kind = ?", dossierID, models.LedgerReserve).Take(&reserve).Error; err != nil {
			return notFound(err, "dossier %s holds no reservation", dossierID)
		}
		updates := map[string]any{from: gorm.Expr(from+" - ?", amount), "updated_at": s.now()}
		if to != "" {
			updates[to] = gorm.Expr(to+" + ?", amount)
		}
		res := tx.Model(&envelopeRow{}).Where("code = ? AND "+from+" >= ?", reserve.EnvelopeCode, amount).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.EConflict, "envelope %s holds less %s than the %s of dossier %s's %s: the ledger and the envelope disagree",
				reserve.EnvelopeCode, from, models.FormatEuros(amount), dossierID, part)
		}
		return tx.Create(&ledgerRow{EnvelopeCode: reserve.EnvelopeCode, DossierID: dossierID, Kind: kind, AmountCents: amount,
			Reference: reference, Part: part, At: s.now()}).Error
	})
}

type scoreRow struct {
	DossierID     string `gorm:"primaryKey"`
	EnvelopeCode  string
	Score         int
	ProposedCents models.Cents
	MaxGrantCents models.Cents
	ScoredAt      time.Time
}

func (scoreRow) TableName() string { return "axe3_scores" }

// ResolveTerritorialEnvelope moves a prefectoral dossier filed on its région's kept
// envelope to its département's when the préfet de région has delegated one since, with
// its audit event (stepKey makes it once), and returns the envelope the dossier draws on.
func (s *Store) ResolveTerritorialEnvelope(ctx context.Context, dossierID, stepKey string) (string, error) {
	var env string
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var d dossierRow
		if err := tx.Take(&d, "id = ?", dossierID).Error; err != nil {
			return notFound(err, "no dossier %s", dossierID)
		}
		env = d.EnvelopeCode
		if d.Departement == "" || d.EnvelopeCode != models.KeptEnvelope(d.Region) {
			return nil
		}
		dep := models.DepartementEnvelope(d.Region, d.Departement)
		var n int64
		if err := tx.Model(&envelopeRow{}).Where("code = ?", dep).Count(&n).Error; err != nil || n == 0 {
			return err
		}
		env = dep
		if err := tx.Model(&dossierRow{}).Where("id = ? AND envelope_code = ?", dossierID, d.EnvelopeCode).
			Updates(map[string]any{"envelope_code": dep, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.auditTx(tx, stepKey, models.AuditEvent{DossierID: dossierID, Actor: "system", Action: models.AuditEnvelopeChanged,
			Detail: fmt.Sprintf("%s was delegated after the filing: the dossier is scored on it, not on %s", dep, d.EnvelopeCode)})
	})
	return env, err
}

// RecordScore records a prefectoral dossier's score and proposed amount (once: a retry
// keeps the first).
func (s *Store) RecordScore(ctx context.Context, sc models.Score) error {
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&scoreRow{DossierID: sc.DossierID, EnvelopeCode: sc.EnvelopeCode,
		Score: sc.Score, ProposedCents: sc.ProposedCents, MaxGrantCents: sc.MaxGrantCents, ScoredAt: s.now()}).Error
}
