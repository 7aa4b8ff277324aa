package store

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// Reads the workspace's Axe 3 pages need: the sessions of some envelopes and a dossier's
// score.

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
