package models

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// TaskType is the kind of human task a workflow waits on.
type TaskType string

const (
	TaskPreselection        TaskType = "preselection"
	TaskInformation         TaskType = "information" // an applicant's answer to a request for information
	TaskJuryDecision        TaskType = "jury_decision"
	TaskConventionSignature TaskType = "convention_signature"
	TaskDisbursement        TaskType = "disbursement"
)

// TaskTypes lists every task type, for validating filters.
var TaskTypes = []TaskType{TaskPreselection, TaskInformation, TaskJuryDecision, TaskConventionSignature, TaskDisbursement,
	TaskAdmissibility, TaskScoring, TaskProgramming, TaskAdvanceRequest, TaskFinalStatement, TaskRecovery, TaskProposalReview,
	TaskServiceRoute, TaskServiceInvestigation, TaskServiceBeta, TaskServiceDeployment, TaskServicePayment, TaskServiceLegalStudy,
	TaskServiceVehicle, TaskServiceDelivery, TaskCommitteeOpinions, TaskCommitteeDecision}

// TaskFilterErrors checks an inbox's filters, each left empty for all: a task type, the
// dossier filters (DossierFilterErrors), and whose tasks ("me", or "unassigned").
func TaskFilterErrors(taskType, kind, status, departement, assigned string) map[string]string {
	fields := DossierFilterErrors(kind, status, departement, "")
	if taskType != "" && !slices.Contains(TaskTypes, TaskType(taskType)) {
		fields["type"] = "is not a task type"
	}
	if assigned != "" && assigned != "me" && assigned != "unassigned" {
		fields["assigned"] = `must be "me" or "unassigned"`
	}
	return fields
}

// TaskStatus is the life of a task row.
type TaskStatus string

const (
	TaskOpen      TaskStatus = "open"
	TaskClaimed   TaskStatus = "claimed"
	TaskDone      TaskStatus = "done"
	TaskCancelled TaskStatus = "cancelled"
)

// OpenTaskStatuses are the statuses of a task still to be done: open, or claimed by someone.
var OpenTaskStatuses = []TaskStatus{TaskOpen, TaskClaimed}

// Open reports whether a task in status s is still to be done.
func (s TaskStatus) Open() bool { return slices.Contains(OpenTaskStatuses, s) }

// Task is a piece of work a person must do for a workflow to go on.
// Role and Scope say who may act on it (e.g. finance nationally, an applicant for its
// collectivité, a jury member on their own vote): see Principal.CanAct.
type Task struct {
	ID        string          `json:"id"`
	DossierID string          `json:"dossier_id"`
	Type      TaskType        `json:"type"`
	Role      Role            `json:"role"`
	Scope     Scope           `json:"scope,omitzero"`
	Status    TaskStatus      `json:"status"`
	Assignee  string          `json:"assignee,omitempty"`
	DueAt     *time.Time      `json:"due_at,omitempty"`
	Outcome   string          `json:"outcome,omitempty"`
	Comment   string          `json:"comment,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	ClosedBy  string          `json:"closed_by,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	ClosedAt  *time.Time      `json:"closed_at,omitempty"`
	// RemindedAt and EscalatedAt say when the reminder and the escalation went out.
	RemindedAt  *time.Time `json:"reminded_at,omitempty"`
	EscalatedAt *time.Time `json:"escalated_at,omitempty"`
}

// TaskID derives a task's ID from its dossier and step, so a retried activity creates
// the same task, never a second one.
func TaskID(dossierID string, t TaskType, attempt int) string {
	return dossierID + "." + string(t) + "." + strconv.Itoa(attempt)
}

// Payment is what a finance officer records on a disbursement task.
type Payment struct {
	PaidOn    string `json:"paid_on" validate:"required,datetime=2006-01-02"`
	Reference string `json:"reference" validate:"notblank,min=3,max=64"` // the payment's reference in the accounting system
}

// Notification is a reminder or escalation in the outbox.
type Notification struct {
	ID        int64      `json:"id"`
	DossierID string     `json:"dossier_id"`
	TaskID    string     `json:"task_id,omitempty"`
	Recipient string     `json:"recipient"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	Error     string     `json:"error,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// Recipient names who a task's notifications go to: its assignee, or its role and scope.
func (t Task) Recipient() string {
	if t.Assignee != "" {
		return "user:" + t.Assignee
	}
	return "role:" + string(t.Role) + ":" + t.Scope.String()
}

// Overdue reports whether t is past its due date at now, or was escalated as such (the
// escalation's timer fires at the due date, the database may be read a moment before).
func (t Task) Overdue(now time.Time) bool {
	return t.EscalatedAt != nil || t.DueAt != nil && t.DueAt.Before(now)
}

// Personal reports whether t is one person's by its nature (a jury member's vote, a
// committee member's opinion): nobody else may complete it, and it cannot be reassigned.
// Another task's assignee is only whoever claimed it.
func (t Task) Personal() bool {
	return t.Assignee != "" && (t.Role == RoleJury || t.Role == RoleCommittee)
}

// NotYourTask is the refusal of someone who may not act on t.
func NotYourTask(t Task) error {
	if t.Personal() {
		return Errorf(EForbidden, "task %s is %s's to complete", t.ID, t.Assignee)
	}
	return Errorf(EForbidden, "task %s needs the %s role for %s", t.ID, t.Role, t.Scope)
}
