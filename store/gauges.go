package store

import (
	"context"

	"github.com/relance/relance/models"
)

// Gauges is the state of the case load and the money at one instant, for the metrics.
type Gauges struct {
	Dossiers []DossierCount
	// Tasks has a row for every task type, open or not.
	Tasks     []TaskCount
	Envelopes []models.Envelope
	// OutboxBacklog counts the messages waiting for delivery (pending or being sent);
	// OutboxFailed those given up after MaxDeliveryAttempts.
	OutboxBacklog, OutboxFailed int64
}

// DossierCount is how many dossiers of a kind stand at a status.
type DossierCount struct {
	Kind   models.DossierKind
	Status models.Status
	Count  int64
}

// TaskCount is how many tasks of a type are open (or claimed), and how many of those are
// past their due date.
type TaskCount struct {
	Type          models.TaskType
	Open, Overdue int64
}

// Gauges reads the counts behind the business metrics: grouped counts that the dossiers'
// status index and the tasks' inbox index serve, and the envelope tree.
func (s *Store) Gauges(ctx context.Context) (Gauges, error) {
	db := s.db.WithContext(ctx)
	var g Gauges
	if err := db.Model(&dossierRow{}).Select("kind, status, COUNT(*) AS count").Group("kind, status").
		Order("kind, status").Scan(&g.Dossiers).Error; err != nil {
		return g, err
	}
	var open []TaskCount
	if err := db.Model(&taskRow{}).
		Select("type, COUNT(*) AS open, COALESCE(SUM(CASE WHEN due_at < ? THEN 1 ELSE 0 END), 0) AS overdue", s.now()).
		Where("status IN ?", []models.TaskStatus{models.TaskOpen, models.TaskClaimed}).Group("type").Scan(&open).Error; err != nil {
		return g, err
	}
	for _, t := range models.TaskTypes {
		c := TaskCount{Type: t}
		for _, o := range open {
			if o.Type == t {
				c = o
			}
		}
		g.Tasks = append(g.Tasks, c)
	}
	var err error
	if g.Envelopes, err = s.Envelopes(ctx); err != nil {
		return g, err
	}
	var outbox []struct {
		Status string
		Count  int64
	}
	if err := db.Model(&notificationRow{}).Select("status, COUNT(*) AS count").
		Where("status IN ?", []string{NotificationPending, NotificationSending, NotificationFailed}).Group("status").Scan(&outbox).Error; err != nil {
		return g, err
	}
	for _, o := range outbox {
		if o.Status == NotificationFailed {
			g.OutboxFailed += o.Count
		} else {
			g.OutboxBacklog += o.Count
		}
	}
	return g, nil
}
