package store

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

type waitingRow struct {
	DossierID    string `gorm:"primaryKey"`
	EnvelopeCode string
	AmountCents  models.Cents
	Score        int
	DecidedAt    time.Time
	FundedAt     *time.Time
}

func (waitingRow) TableName() string { return "waiting_list" }

// ReserveOrWait reserves a laureate's grant, or puts it on the envelope's waiting list
// when the envelope cannot cover it or better-ranked laureates wait for more money: the
// list is served in the jury's ranking order. It reports whether the money is reserved.
// Keyed by dossier.
func (s *Store) ReserveOrWait(ctx context.Context, dossierID, envelope string, amount models.Cents, score int, decidedAt time.Time) (bool, error) {
	if err := checkGrant(amount); err != nil {
		return false, err // not even on the waiting list
	}
	reserved := false
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if done, err := ledgerStepDone(tx, dossierID, models.LedgerReserve); err != nil || done {
			reserved = done
			return err
		}
		var ahead int64
		if err := tx.Model(&waitingRow{}).Where("envelope_code = ? AND funded_at IS NULL AND dossier_id <> ?", envelope, dossierID).
			Count(&ahead).Error; err != nil {
			return err
		}
		if ahead == 0 {
			err := s.reserveTx(tx, dossierID, envelope, amount)
			if err == nil {
				reserved = true
				return nil
			}
			if !errors.Is(err, models.ErrEnvelopeExhausted) {
				return err
			}
		}
		if err := tx.Exec("INSERT INTO waiting_list (dossier_id, envelope_code, amount_cents, score, decided_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			dossierID, envelope, amount, score, decidedAt.UTC()).Error; err != nil {
			return err
		}
		// Ranked above those waiting, it may be the first the envelope can cover.
		promoted, err := s.promoteTx(tx, envelope)
		reserved = slices.Contains(promoted, dossierID)
		return err
	})
	return reserved, err
}

// PromoteWaiting reserves money for waiting laureates of an envelope in the jury's ranking
// order (best score, then earliest decision), stopping at the first the envelope cannot
// cover. It returns the dossiers it funded, whose workflows must be told.
func (s *Store) PromoteWaiting(ctx context.Context, envelope string) ([]string, error) {
	var promoted []string
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var err error
		promoted, err = s.promoteTx(tx, envelope)
		return err
	})
	return promoted, err
}

func (s *Store) promoteTx(tx *gorm.DB, envelope string) ([]string, error) {
	var rows []waitingRow
	if err := lockForUpdate(tx, s.sqlite).Where("envelope_code = ? AND funded_at IS NULL", envelope).
		Order("score DESC, decided_at, dossier_id").Find(&rows).Error; err != nil {
		return nil, err
	}
	var promoted []string
	for _, r := range rows {
		err := s.reserveTx(tx, r.DossierID, envelope, r.AmountCents)
		if errors.Is(err, models.ErrEnvelopeExhausted) {
			break
		}
		if err != nil {
			return nil, err
		}
		if err := tx.Model(&waitingRow{}).Where("dossier_id = ?", r.DossierID).Update("funded_at", s.now()).Error; err != nil {
			return nil, err
		}
		promoted = append(promoted, r.DossierID)
	}
	return promoted, nil
}

// HasReservation reports whether a dossier holds reserved money.
func (s *Store) HasReservation(ctx context.Context, dossierID string) (bool, error) {
	return ledgerStepDone(s.db.WithContext(ctx), dossierID, models.LedgerReserve)
}

// Release gives a dossier's reservation back to its envelope (a lapsed or withdrawn grant),
// takes it off any waiting list and frees its guichet funding slot. Releasing twice, or
// with nothing reserved, is a no-op. It returns the envelope, for promoting waiting laureates.
func (s *Store) Release(ctx context.Context, dossierID string) (string, error) {
	envelope := ""
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("dossier_id = ? AND funded_at IS NULL", dossierID).Delete(&waitingRow{}).Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM guichet_grants WHERE dossier_id = ?", dossierID).Error; err != nil {
			return err
		}
		var reserve ledgerRow
		err := tx.Where("dossier_id = ? AND kind = ?", dossierID, models.LedgerReserve).Take(&reserve).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		envelope = reserve.EnvelopeCode
		for _, kind := range []string{models.LedgerRelease, models.LedgerCommit, models.LedgerPay} {
			if done, err := ledgerStepDone(tx, dossierID, kind); err != nil || done {
				if done && kind != models.LedgerRelease {
					return models.Errorf(models.EConflict, "dossier %s's grant is already %s: it cannot be released", dossierID, kind)
				}
				return err
			}
		}
		return s.move(tx, dossierID, reserve, "reserved_cents", "", models.LedgerRelease, "")
	})
	return envelope, err
}

// Commit makes a dossier's reservation firm once its agreement is signed. Keyed by dossier.
func (s *Store) Commit(ctx context.Context, dossierID string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		reserve, err := liveReservation(tx, dossierID)
		if err != nil {
			return err
		}
		if done, err := ledgerStepDone(tx, dossierID, models.LedgerCommit); err != nil || done {
			return err
		}
		return s.move(tx, dossierID, reserve, "reserved_cents", "committed_cents", models.LedgerCommit, "")
	})
}

// Pay disburses a dossier's whole grant, from committed money when its agreement was
// signed, else from its reservation. Paying twice is a no-op returning the first payment.
func (s *Store) Pay(ctx context.Context, dossierID, reference string) (models.LedgerEntry, error) {
	var entry ledgerRow
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("dossier_id = ? AND kind = ?", dossierID, models.LedgerPay).Take(&entry).Error; err == nil {
			return nil
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		reserve, err := liveReservation(tx, dossierID)
		if err != nil {
			return err
		}
		from := "reserved_cents"
		if done, err := ledgerStepDone(tx, dossierID, models.LedgerCommit); err != nil {
			return err
		} else if done {
			from = "committed_cents"
		}
		if err := s.move(tx, dossierID, reserve, from, "paid_cents", models.LedgerPay, reference); err != nil {
			return err
		}
		return tx.Where("dossier_id = ? AND kind = ?", dossierID, models.LedgerPay).Take(&entry).Error
	})
	return entry.model(), err
}

// liveReservation returns a dossier's reservation, refusing one already released.
func liveReservation(tx *gorm.DB, dossierID string) (ledgerRow, error) {
	var reserve ledgerRow
	if err := tx.Where("dossier_id = ? AND kind = ?", dossierID, models.LedgerReserve).Take(&reserve).Error; err != nil {
		return reserve, notFound(err, "dossier %s holds no reservation", dossierID)
	}
	if done, err := ledgerStepDone(tx, dossierID, models.LedgerRelease); err != nil || done {
		if done {
			return reserve, models.Errorf(models.EConflict, "dossier %s released its reservation", dossierID)
		}
		return reserve, err
	}
	return reserve, nil
}

// move shifts a reservation's amount from one envelope column to another ("" to give it
// back) in one conditional update that never takes a column below zero nor beyond int64
// (where PostgreSQL would fail and SQLite compute in floating point), and writes the
// ledger entry.
func (s *Store) move(tx *gorm.DB, dossierID string, reserve ledgerRow, from, to, kind, reference string) error {
	updates := map[string]any{from: gorm.Expr(from+" - ?", reserve.AmountCents), "updated_at": s.now()}
	q := tx.Model(&envelopeRow{}).Where("code = ? AND "+from+" >= ?", reserve.EnvelopeCode, reserve.AmountCents)
	if to != "" {
		updates[to] = gorm.Expr(to+" + ?", reserve.AmountCents)
		q = q.Where(to+" <= ?", models.Cents(math.MaxInt64)-reserve.AmountCents)
	}
	res := q.Updates(updates)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		// The ledger and the envelope disagree: no retry mends that, a person must look.
		return models.Errorf(models.EConflict, "envelope %s cannot move dossier %s's grant from %s to %s: the ledger and the envelope disagree",
			reserve.EnvelopeCode, dossierID, from, cmp.Or(to, "available money"))
	}
	return tx.Create(&ledgerRow{EnvelopeCode: reserve.EnvelopeCode, DossierID: dossierID, Kind: kind,
		AmountCents: reserve.AmountCents, Reference: reference, At: s.now()}).Error
}
