package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/relance/relance/models"
)

// Outbox is where the dispatcher finds messages and records their delivery.
type Outbox interface {
	ClaimNotifications(ctx context.Context, limit int) ([]models.Notification, error)
	MarkNotification(ctx context.Context, id int64, deliveryErr error) error
}

// Dispatch delivers the outbox's pending messages through sender every interval until ctx
// ends. A failed delivery stays pending for the next round, up to the outbox's limit.
func Dispatch(ctx context.Context, outbox Outbox, sender Sender, interval time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		// One message claimed at a time, just before sending it: a slow relay never lets a
		// claim go stale while the message still waits in this dispatcher's batch.
		for ctx.Err() == nil {
			claimed, err := outbox.ClaimNotifications(ctx, 1)
			if err != nil && ctx.Err() == nil {
				logger.Warn("outbox unreadable", "err", err)
			}
			if len(claimed) == 0 {
				break
			}
			n := claimed[0]
			sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
			sendErr := sender.Send(sendCtx, Message{Recipient: n.Recipient, Subject: n.Subject, Body: n.Body})
			cancel()
			if sendErr != nil {
				logger.Warn("notification not delivered", "id", n.ID, "to", n.Recipient, "err", sendErr)
			}
			if err := outbox.MarkNotification(ctx, n.ID, sendErr); err != nil && ctx.Err() == nil {
				logger.Warn("outbox not updated", "id", n.ID, "err", err)
			}
			if sendErr != nil {
				break // the relay may be down: try again next round rather than at once
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
