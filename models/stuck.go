package models

import (
	"slices"
	"time"
)

// Trouble is why an administrator should look at a dossier.
type Trouble string

const (
	// TroubleOverdueTask is an open task past its due date.
	TroubleOverdueTask Trouble = "overdue_task"
	// TroubleRetrying is a workflow whose activity, local activity or workflow task keeps failing.
	TroubleRetrying Trouble = "retrying"
	// TroubleStatusMismatch is a dossier whose row disagrees with its workflow's DossierStatus.
	TroubleStatusMismatch Trouble = "status_mismatch"
	// TroubleNoWorkflow is a dossier still in process whose workflow is not running.
	TroubleNoWorkflow Trouble = "no_workflow"
)

// Troubles lists the kinds of trouble in the order the stuck list reports them.
var Troubles = []Trouble{TroubleOverdueTask, TroubleRetrying, TroubleStatusMismatch, TroubleNoWorkflow}

// StuckFilterErrors checks the stuck list's filter: a kind of trouble, or empty for all.
func StuckFilterErrors(trouble Trouble) map[string]string {
	fields := map[string]string{}
	if trouble != "" && !slices.Contains(Troubles, trouble) {
		fields["trouble"] = "must be " + quotedChoice(Troubles)
	}
	return fields
}

// InProcess reports whether a dossier in status s should have a running workflow.
func InProcess(s Status) bool { return s != StatusDraft && !slices.Contains(ClosedStatuses, s) }

// StuckDossier is one row of the administrator's list of stuck dossiers.
type StuckDossier struct {
	DossierID     string      `json:"dossier_id"`
	Kind          DossierKind `json:"kind"`
	Status        Status      `json:"status"`
	Trouble       Trouble     `json:"trouble"`
	Details       string      `json:"details"`
	TaskID        string      `json:"task_id,omitempty"`
	DueAt         *time.Time  `json:"due_at,omitempty"`
	Attempt       int32       `json:"attempt,omitempty"`
	LastFailure   string      `json:"last_failure,omitempty"`
	WorkflowState string      `json:"workflow_state,omitempty"`
	// WorkflowStatus is the workflow's DossierStatus search attribute.
	WorkflowStatus Status `json:"workflow_status,omitempty"`
	WorkflowURL    string `json:"workflow_url"`
	// Actions are the API's acts that may unstick it ("POST /api/v1/…").
	Actions []string `json:"actions,omitempty"`
}

// StuckActions lists the acts of the API that may unstick a row about dossier status s
// (and, for an overdue task, about task t): reassigning the task (not a personal one,
// such as a jury member's vote), extending its due date (not a process deadline), withdrawing the dossier (while
// both its row and its workflow allow it). A workflow that is gone or keeps failing is
// fixed in Temporal or at the cause, not through the API.
func StuckActions(row StuckDossier, t *Task) []string {
	var out []string
	switch {
	case row.Trouble == TroubleOverdueTask && t != nil:
		if !t.Personal() {
			out = append(out, "POST /api/v1/tasks/"+t.ID+"/reassign")
		}
		if DueDateExtendable(t.Type) {
			out = append(out, "POST /api/v1/tasks/"+t.ID+"/extend")
		}
	case row.Trouble == TroubleStatusMismatch && Withdrawable(row.WorkflowStatus):
	default:
		return nil
	}
	if Withdrawable(row.Status) {
		out = append(out, "POST /api/v1/dossiers/"+row.DossierID+"/withdraw")
	}
	return out
}

// Reassignment is an administrator's handing of a task to someone else.
type Reassignment struct {
	Assignee string `json:"assignee" validate:"notblank,max=200"`
	Reason   string `json:"reason" validate:"notblank,min=5,max=2000"`
}

// Extension is an administrator's new due date for a task.
type Extension struct {
	DueAt  time.Time `json:"due_at" validate:"required"`
	Reason string    `json:"reason" validate:"notblank,min=5,max=2000"`
}

// DueDateExtendable reports whether a task's due date may move. The due date of an
// applicant's answer and of the agreement's signatures is the process's own deadline
// (unanswered, the dossier closes; unsigned, the grant lapses): it is not an
// administrator's to move.
func DueDateExtendable(t TaskType) bool {
	return t != TaskInformation && t != TaskConventionSignature
}

// CheckExtension checks a task's new due date against its current one, at now.
func CheckExtension(current, due, now time.Time) error {
	switch {
	case !due.After(now):
		return FieldErrors(map[string]string{"due_at": "must be in the future"})
	case !due.After(current):
		return FieldErrors(map[string]string{"due_at": "must be after the current due date " + current.UTC().Format(time.RFC3339)})
	}
	return nil
}
