package store

import (
	"context"
	"time"

	"gorm.io/gorm"
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
	Attempts  int
	ClaimedAt *time.Time
	Error     string
	CreatedAt time.Time
	SentAt    *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

// Notification statuses in the outbox.
const (
	NotificationPending = "pending"
	NotificationSending = "sending" // claimed by one dispatcher
	NotificationSent    = "sent"
	NotificationFailed  = "failed"
)

// QueueNotification writes a message to the outbox, once per step key; the dispatcher
// delivers it.
func (s *Store) QueueNotification(ctx context.Context, stepKey string, n models.Notification) error {
	return s.queueTx(s.db.WithContext(ctx), stepKey, n)
}

func (s *Store) queueTx(tx *gorm.DB, stepKey string, n models.Notification) error {
	row := notificationRow{StepKey: stepKey, DossierID: n.DossierID, TaskID: n.TaskID, Recipient: n.Recipient,
		Subject: n.Subject, Body: n.Body, Status: NotificationPending, CreatedAt: s.now()}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
}

// MaxDeliveryAttempts is how often the outbox tries a message before marking it failed.
const MaxDeliveryAttempts = 5

// staleClaim is how long a dispatcher may hold a message before another takes it over
// (the first one died while sending).
const staleClaim = 5 * time.Minute

// ClaimNotifications takes up to limit messages to deliver, oldest first, so that each goes
// out through one dispatcher even when several workers run.
func (s *Store) ClaimNotifications(ctx context.Context, limit int) ([]models.Notification, error) {
	var rows []notificationRow
	db := s.db.WithContext(ctx)
	err := db.Where("status = ? OR (status = ? AND claimed_at < ?)", NotificationPending, NotificationSending, s.now().Add(-staleClaim)).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	var out []models.Notification
	for _, r := range rows {
		res := db.Model(&notificationRow{}).Where("id = ? AND status = ? AND (claimed_at IS NULL OR claimed_at = ?)", r.ID, r.Status, r.ClaimedAt).
			Updates(map[string]any{"status": NotificationSending, "claimed_at": s.now()})
		if res.Error != nil {
			return out, res.Error
		}
		if res.RowsAffected == 1 { // another dispatcher did not take it first
			out = append(out, r.model())
		}
	}
	return out, nil
}

// MarkNotification records a delivery attempt: sent, or failed with the error (back to
// pending for another try until MaxDeliveryAttempts).
func (s *Store) MarkNotification(ctx context.Context, id int64, deliveryErr error) error {
	updates := map[string]any{"status": NotificationSent, "sent_at": s.now(), "error": "", "attempts": gorm.Expr("attempts + 1")}
	if deliveryErr != nil {
		updates = map[string]any{"error": deliveryErr.Error(), "attempts": gorm.Expr("attempts + 1"),
			"status": gorm.Expr("CASE WHEN attempts + 1 >= ? THEN ? ELSE ? END", MaxDeliveryAttempts, NotificationFailed, NotificationPending)}
	}
	return s.db.WithContext(ctx).Model(&notificationRow{}).Where("id = ?", id).Updates(updates).Error
}

// Notifications lists the outbox, newest first, optionally for one dossier.
func (s *Store) Notifications(ctx context.Context, dossierID string, before int64, limit int) ([]models.Notification, error) {
	q := s.db.WithContext(ctx).Model(&notificationRow{})
	if before > 0 {
		q = q.Where("id < ?", before)
	}
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
		Body: r.Body, Status: r.Status, Attempts: r.Attempts, Error: r.Error, CreatedAt: r.CreatedAt, SentAt: r.SentAt}
}
