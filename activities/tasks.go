package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

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
	action := models.AuditTaskReminded
	if escalation {
		subject = fmt.Sprintf("Overdue: %s task was due %s (dossier %s)", t.Type, due, t.DossierID)
		action = models.AuditTaskEscalated
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

// ClaimInput is who now works on a task: Subject, or nobody ("") once released by Actor.
type ClaimInput struct {
	TaskID    string
	DossierID string
	Subject   string
	Actor     string
}

// ClaimTask records a claim or its release on the task row and in the audit trail. The
// workflow has already decided it may happen; writing it twice is harmless.
func (a *Activities) ClaimTask(ctx context.Context, in ClaimInput) (models.Task, error) {
	var (
		t   models.Task
		err error
	)
	action, detail := models.AuditTaskClaimed, "claimed by "+in.Subject
	if in.Subject == "" {
		t, err = a.Store.ReleaseTask(ctx, in.TaskID)
		action, detail = models.AuditTaskUnclaimed, "released by "+in.Actor
	} else {
		t, err = a.Store.AssignTask(ctx, in.TaskID, in.Subject)
	}
	if err != nil {
		return t, classify(err)
	}
	info := activity.GetInfo(ctx)
	key := fmt.Sprintf("%s/%s/%s", action, in.TaskID, info.ActivityID)
	return t, a.audit(ctx, in.DossierID, Audit{Key: key, Actor: in.Actor, Action: action, Detail: detail})
}
