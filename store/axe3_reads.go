package store

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// Reads the workspace's Axe 3 pages need: the sessions of some envelopes, the open session
// a dossier awaits its decision in, and a dossier's score.

// Sessions lists the programming sessions held on envelopes, the latest opened first,
// without their entries (Session reads one with its ranking).
func (s *Store) Sessions(ctx context.Context, envelopes []string) ([]models.ProgrammingSession, error) {
	if len(envelopes) == 0 {
		return []models.ProgrammingSession{}, nil
	}
	var rows []sessionRow
	if err := s.db.WithContext(ctx).Where("envelope_code IN ?", envelopes).Order("opened_at DESC, id").Limit(200).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.ProgrammingSession, len(rows))
	for i, r := range rows {
		out[i] = models.ProgrammingSession{ID: r.ID, EnvelopeCode: r.EnvelopeCode, OpenedBy: r.OpenedBy, OpenedAt: r.OpenedAt.UTC(), ClosedAt: r.ClosedAt}
	}
	return out, nil
}

// OpenSessionOf is the ID of the open session dossierID is part of, "" when none.
func (s *Store) OpenSessionOf(ctx context.Context, dossierID string) (string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&sessionEntryRow{}).Joins("JOIN axe3_sessions ON axe3_sessions.id = axe3_session_entries.session_id").
		Where("axe3_session_entries.dossier_id = ? AND axe3_sessions.closed_at IS NULL", dossierID).Limit(1).Pluck("axe3_session_entries.session_id", &ids).Error
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// DossierScore is a prefectoral dossier's score; false when it has not been scored.
func (s *Store) DossierScore(ctx context.Context, dossierID string) (models.Score, bool, error) {
	var r scoreRow
	err := s.db.WithContext(ctx).Take(&r, "dossier_id = ?", dossierID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Score{}, false, nil
	}
	if err != nil {
		return models.Score{}, false, err
	}
	return models.Score{DossierID: r.DossierID, EnvelopeCode: r.EnvelopeCode, Score: r.Score, ProposedCents: r.ProposedCents, MaxGrantCents: r.MaxGrantCents}, true, nil
}
