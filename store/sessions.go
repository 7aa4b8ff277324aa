package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// The préfets' programming sessions: the scored dossiers of an envelope, ranked when the
// session opens, and the préfet's decision on each.

type sessionRow struct {
	ID           string `gorm:"primaryKey"`
	EnvelopeCode string
	OpenedBy     string
	OpenedAt     time.Time
	ClosedAt     *time.Time
}

func (sessionRow) TableName() string { return "axe3_sessions" }

type sessionEntryRow struct {
	SessionID     string `gorm:"primaryKey"`
	DossierID     string `gorm:"primaryKey"`
	Rank          int
	Score         int
	ProposedCents models.Cents
	Decision      string
	AmountCents   models.Cents
}

func (sessionEntryRow) TableName() string { return "axe3_session_entries" }

// OpenSession opens a session on envelope with every dossier of it waiting for one
// (status scored), ranked by score, then by when it was scored. One session per envelope
// is open at a time.
func (s *Store) OpenSession(ctx context.Context, id, envelope, actor string) (models.ProgrammingSession, error) {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var open int64
		if err := tx.Model(&sessionRow{}).Where("envelope_code = ? AND closed_at IS NULL", envelope).Count(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return models.Errorf(models.EConflict, "a programming session is already open on %s: close it first", envelope)
		}
		if err := tx.Create(&sessionRow{ID: id, EnvelopeCode: envelope, OpenedBy: actor, OpenedAt: s.now()}).Error; err != nil {
			return err
		}
		var scored []scoreRow
		if err := tx.Model(&scoreRow{}).Joins("JOIN dossiers ON dossiers.id = axe3_scores.dossier_id").
			Where("axe3_scores.envelope_code = ? AND dossiers.status = ?", envelope, string(models.StatusScored)).
			Order("axe3_scores.score DESC, axe3_scores.scored_at, axe3_scores.dossier_id").Find(&scored).Error; err != nil {
			return err
		}
		for i, sc := range scored {
			if err := tx.Create(&sessionEntryRow{SessionID: id, DossierID: sc.DossierID, Rank: i + 1, Score: sc.Score, ProposedCents: sc.ProposedCents}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return models.ProgrammingSession{}, err
	}
	return s.Session(ctx, id)
}

// OpenSessionOf returns the open session in which a dossier waits for the préfet's
// decision ("" when none): a dossier that missed its invitation finds its session there.
func (s *Store) OpenSessionOf(ctx context.Context, dossierID string) (string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&sessionEntryRow{}).Joins("JOIN axe3_sessions ON axe3_sessions.id = axe3_session_entries.session_id").
		Where("axe3_session_entries.dossier_id = ? AND axe3_session_entries.decision = '' AND axe3_sessions.closed_at IS NULL", dossierID).
		Order("axe3_sessions.opened_at DESC").Limit(1).Pluck("axe3_sessions.id", &ids).Error
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// Session returns a session with its dossiers in ranking order, filled from the top with
// what the envelope has available plus what the session's grants reserved.
func (s *Store) Session(ctx context.Context, id string) (models.ProgrammingSession, error) {
	db := s.db.WithContext(ctx)
	var row sessionRow
	if err := db.Take(&row, "id = ?", id).Error; err != nil {
		return models.ProgrammingSession{}, notFound(err, "no programming session %q", id)
	}
	out := models.ProgrammingSession{ID: row.ID, EnvelopeCode: row.EnvelopeCode, OpenedBy: row.OpenedBy, OpenedAt: row.OpenedAt.UTC(), ClosedAt: row.ClosedAt}
	var entries []struct {
		DossierID, ApplicantName, Decision string
		Rank, Score                        int
		ProposedCents, AmountCents         models.Cents
	}
	if err := db.Table("axe3_session_entries").Select("axe3_session_entries.dossier_id, dossiers.applicant_name, axe3_session_entries.decision, "+
		"axe3_session_entries.rank, axe3_session_entries.score, axe3_session_entries.proposed_cents, axe3_session_entries.amount_cents").
		Joins("JOIN dossiers ON dossiers.id = axe3_session_entries.dossier_id").
		Where("session_id = ?", id).Order("rank").Scan(&entries).Error; err != nil {
		return out, err
	}
	var reservedHere models.Cents
	for _, e := range entries {
		out.Entries = append(out.Entries, models.SessionEntry{DossierID: e.DossierID, ApplicantName: e.ApplicantName, Rank: e.Rank, Score: e.Score,
			ProposedCents: e.ProposedCents, Decision: e.Decision, AmountCents: e.AmountCents})
		if e.Decision == models.OutcomeGrant {
			reservedHere += e.AmountCents
		}
	}
	env, err := s.Envelope(ctx, row.EnvelopeCode)
	if err != nil {
		return out, err
	}
	available, err := env.AvailableCents()
	if err != nil {
		return out, err
	}
	out.AvailableCents = available + reservedHere
	if out.Entries == nil {
		out.Entries = []models.SessionEntry{}
	}
	models.FillFromTop(out.Entries, out.AvailableCents)
	return out, nil
}

// RecordSessionDecision records the préfet's (actor's) decision on a dossier of an open
// session, once: a dossier already decided, or a closed session, is a conflict. A grant that
// departs from the ranking as the session stands writes its motivation to the dossier's
// audit trail, in the same transaction.
func (s *Store) RecordSessionDecision(ctx context.Context, sessionID, actor string, d models.SessionDecision) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var open int64
		if err := tx.Model(&sessionRow{}).Where("id = ? AND closed_at IS NULL", sessionID).Count(&open).Error; err != nil {
			return err
		}
		if open == 0 {
			return models.Errorf(models.EConflict, "programming session %s is closed", sessionID)
		}
		res := tx.Model(&sessionEntryRow{}).Where("session_id = ? AND dossier_id = ? AND decision = ''", sessionID, d.DossierID).
			Updates(map[string]any{"decision": d.Outcome, "amount_cents": d.AmountCents})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.EConflict, "dossier %s is not awaiting a decision in session %s", d.DossierID, sessionID)
		}
		if d.Outcome != models.OutcomeGrant {
			return nil
		}
		var rows []sessionEntryRow
		if err := tx.Where("session_id = ?", sessionID).Order("rank").Find(&rows).Error; err != nil {
			return err
		}
		entries := make([]models.SessionEntry, len(rows))
		rank := 0
		for i, r := range rows {
			entries[i] = models.SessionEntry{DossierID: r.DossierID, Rank: r.Rank, Decision: r.Decision}
			if r.DossierID == d.DossierID {
				rank = r.Rank
			}
		}
		if !models.DepartsFromRanking(entries, d.DossierID) {
			return nil
		}
		return s.auditTx(tx, rankingDepartureKey(sessionID, d.DossierID), models.AuditEvent{DossierID: d.DossierID, Actor: actor,
			Action: models.AuditRankingDeparture, Detail: fmt.Sprintf("session %s: %s granted at rank %d, below a dossier refused or postponed: %s",
				sessionID, models.FormatEuros(d.AmountCents), rank, d.Comment)})
	})
}

// rankingDepartureKey is the audit step of a departure from a session's ranking: one per
// dossier and session.
func rankingDepartureKey(sessionID, dossierID string) string {
	return dossierID + "/ranking-departure/" + sessionID
}

// UndoSessionDecision forgets a decision the dossier's workflow refused, so the préfet can
// decide again, and the departure from the ranking it would have been: that grant never was.
func (s *Store) UndoSessionDecision(ctx context.Context, sessionID, dossierID string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&sessionEntryRow{}).Where("session_id = ? AND dossier_id = ?", sessionID, dossierID).
			Updates(map[string]any{"decision": "", "amount_cents": 0}).Error; err != nil {
			return err
		}
		return tx.Where("dossier_id = ? AND step_key = ?", dossierID, rankingDepartureKey(sessionID, dossierID)).Delete(&auditRow{}).Error
	})
}

// CloseSession closes a session and returns the dossiers it left undecided.
func (s *Store) CloseSession(ctx context.Context, id string) ([]string, error) {
	var undecided []string
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&sessionRow{}).Where("id = ? AND closed_at IS NULL", id).Update("closed_at", s.now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			if err := tx.Take(&sessionRow{}, "id = ?", id).Error; err != nil {
				return notFound(err, "no programming session %q", id)
			}
			return models.Errorf(models.EConflict, "programming session %s is already closed", id)
		}
		return tx.Model(&sessionEntryRow{}).Where("session_id = ? AND decision = ''", id).Order("rank").Pluck("dossier_id", &undecided).Error
	})
	return undecided, err
}
