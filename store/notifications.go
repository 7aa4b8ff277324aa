package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

type notificationRow struct {
	ID        int64 `gorm:"primaryKey"`
	StepKey   string
	DossierID string
	TaskID    string
	Recipient string
	Subject   string
	Body      string
	Status    string
	Error     string
	CreatedAt time.Time
	SentAt    *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

// Notification statuses in the outbox.
const (
	NotificationPending = "pending"
	NotificationSent    = "sent"
	NotificationFailed  = "failed"
)

// QueueNotification writes a message to the outbox once per step key and returns it
// with its current status (a retry finds the row written the first time).
func (s *Store) QueueNotification(ctx context.Context, stepKey string, n models.Notification) (models.Notification, error) {
	row := notificationRow{StepKey: stepKey, DossierID: n.DossierID, TaskID: n.TaskID, Recipient: n.Recipient,
		Subject: n.Subject, Body: n.Body, Status: NotificationPending, CreatedAt: s.now()}
	db := s.db.WithContext(ctx)
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return n, err
	}
	if err := db.Where("step_key = ?", stepKey).Take(&row).Error; err != nil {
		return n, err
	}
	return row.model(), nil
}

// MarkNotification records the delivery's outcome.
func (s *Store) MarkNotification(ctx context.Context, id int64, deliveryErr error) error {
	updates := map[string]any{"status": NotificationSent, "sent_at": s.now(), "error": ""}
	if deliveryErr != nil {
		updates = map[string]any{"status": NotificationFailed, "error": deliveryErr.Error()}
	}
	return s.db.WithContext(ctx).Model(&notificationRow{}).Where("id = ?", id).Updates(updates).Error
}

// Notifications lists the outbox, newest first, optionally for one dossier.
func (s *Store) Notifications(ctx context.Context, dossierID string, limit int) ([]models.Notification, error) {
	q := s.db.WithContext(ctx).Model(&notificationRow{})
	if dossierID != "" {
		q = q.Where("dossier_id = ?", dossierID)
	}
	var rows []notificationRow
	if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Notification, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

func (r notificationRow) model() models.Notification {
	return models.Notification{ID: r.ID, DossierID: r.DossierID, TaskID: r.TaskID, Recipient: r.Recipient, Subject: r.Subject,
		Body: r.Body, Status: r.Status, Error: r.Error, CreatedAt: r.CreatedAt, SentAt: r.SentAt}
}
