package activities

import (
	"context"
	"fmt"
	"time"

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
	// Extension counts the times the task's due date was moved: each due date has its own
	// reminder and escalation.
	Extension int `json:",omitempty"`
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
	key := in.Kind + "/" + t.ID
	if in.Extension > 0 {
		key = fmt.Sprintf("%s/%d", key, in.Extension)
	}
	if err := a.audit(ctx, t.DossierID, Audit{Key: key, Actor: "system", Action: action, Detail: subject}); err != nil {
		return err
	}
	// The outbox's dispatcher delivers it: a slow mail relay never holds the workflow up.
	return a.Store.QueueNotification(ctx, key, models.Notification{DossierID: t.DossierID, TaskID: t.ID,
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
	// Reason, set when an administrator reassigns the task, is audited with who had it before.
	Reason   string `json:",omitempty"`
	Previous string `json:",omitempty"`
}

// ClaimTask records a claim or its release on the task row and in the audit trail. The
// workflow has already decided it may happen; writing it twice is harmless.
func (a *Activities) ClaimTask(ctx context.Context, in ClaimInput) (models.Task, error) {
	var (
		t   models.Task
		err error
	)
	action, detail := models.AuditTaskClaimed, "claimed by "+in.Subject
	if in.Reason != "" {
		was := in.Previous
		if was == "" {
			was = "nobody"
		}
		action, detail = models.AuditTaskReassigned, fmt.Sprintf("reassigned from %s to %s by %s: %s", was, in.Subject, in.Actor, in.Reason)
	}
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

// ExtendInput is an administrator's new due date for a task, with the reason.
type ExtendInput struct {
	TaskID    string
	DossierID string
	DueAt     time.Time
	// Previous is the due date it replaces.
	Previous time.Time
	Actor    string
	Reason   string
	// Extension numbers the moves of the task's due date, for the audit event's key.
	Extension int
}

// ExtendTask records a task's new due date (clearing its reminder and escalation) and
// audits who moved it, from when, and why.
func (a *Activities) ExtendTask(ctx context.Context, in ExtendInput) (models.Task, error) {
	t, err := a.Store.ExtendTask(ctx, in.TaskID, in.DueAt)
	if err != nil {
		return t, classify(err)
	}
	detail := fmt.Sprintf("%s task due %s (was %s), moved by %s: %s", t.Type, in.DueAt.UTC().Format(time.RFC3339),
		in.Previous.UTC().Format(time.RFC3339), in.Actor, in.Reason)
	return t, a.audit(ctx, in.DossierID, Audit{Key: fmt.Sprintf("%s/%s/%d", models.AuditTaskExtended, in.TaskID, in.Extension),
		Actor: in.Actor, Action: models.AuditTaskExtended, Detail: detail})
}
