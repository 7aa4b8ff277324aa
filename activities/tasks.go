package activities

import (
	"context"
	"fmt"

	"github.com/relance/relance/models"
)

// Kinds of task alert.
const (
	AlertReminder   = "reminder"
	AlertEscalation = "escalation"
)

// TaskAlert is a reminder before a task's due date, or its escalation once the date passed.
type TaskAlert struct {
	Kind string
	Task models.Task
}

// AlertTask records a reminder or an escalation: on the task row, in the audit trail and
// in the outbox of messages to deliver.
func (a *Activities) AlertTask(ctx context.Context, in TaskAlert) error {
	t := in.Task
	escalation := in.Kind == AlertEscalation
	if err := a.Store.MarkTaskAlert(ctx, t.ID, escalation); err != nil {
		return err
	}
	due := ""
	if t.DueAt != nil {
		due = t.DueAt.Format("2006-01-02")
	}
	subject := fmt.Sprintf("Reminder: %s task due %s (dossier %s)", t.Type, due, t.DossierID)
	action := "task_reminded"
	if escalation {
		subject = fmt.Sprintf("Overdue: %s task was due %s (dossier %s)", t.Type, due, t.DossierID)
		action = "task_escalated"
	}
	if err := a.audit(ctx, t.DossierID, Audit{Key: in.Kind + "/" + t.ID, Actor: "system", Action: action, Detail: subject}); err != nil {
		return err
	}
	// The outbox's dispatcher delivers it: a slow mail relay never holds the workflow up.
	return a.Store.QueueNotification(ctx, in.Kind+"/"+t.ID, models.Notification{DossierID: t.DossierID, TaskID: t.ID,
		Recipient: t.Recipient(), Subject: subject,
		Body: fmt.Sprintf("The %s task %s of dossier %s is due %s. Open relance to act on it.", t.Type, t.ID, t.DossierID, due)})
}

// CancelTaskInput is a task nobody needs any more.
type CancelTaskInput struct {
	DossierID string
	TaskID    string
	Audit     Audit
}

// CancelTask closes a task as cancelled (once) and audits why.
func (a *Activities) CancelTask(ctx context.Context, in CancelTaskInput) error {
	if err := a.Store.CancelTask(ctx, in.TaskID); err != nil {
		return classify(err)
	}
	return a.audit(ctx, in.DossierID, in.Audit)
}
