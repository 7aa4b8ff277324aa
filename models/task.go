package models

import (
	"encoding/json"
	"strconv"
	"time"
)

// TaskType is the kind of human task a workflow waits on.
type TaskType string

const (
	TaskDisbursement TaskType = "disbursement"
)

// TaskStatus is the life of a task row.
type TaskStatus string

const (
	TaskOpen      TaskStatus = "open"
	TaskClaimed   TaskStatus = "claimed"
	TaskDone      TaskStatus = "done"
	TaskCancelled TaskStatus = "cancelled"
)

// Task is a piece of work a person must do for a workflow to go on.
// Role and Scope say who may act on it (e.g. finance for "national", an instructor for a département).
type Task struct {
	ID        string          `json:"id"`
	DossierID string          `json:"dossier_id"`
	Type      TaskType        `json:"type"`
	Role      Role            `json:"role"`
	Scope     string          `json:"scope,omitempty"`
	Status    TaskStatus      `json:"status"`
	Assignee  string          `json:"assignee,omitempty"`
	DueAt     *time.Time      `json:"due_at,omitempty"`
	Outcome   string          `json:"outcome,omitempty"`
	Comment   string          `json:"comment,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	ClosedBy  string          `json:"closed_by,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	ClosedAt  *time.Time      `json:"closed_at,omitempty"`
}

// TaskID derives a task's ID from its dossier and step, so a retried activity creates
// the same task, never a second one.
func TaskID(dossierID string, t TaskType, attempt int) string {
	return dossierID + "." + string(t) + "." + strconv.Itoa(attempt)
}

// CanAct reports whether p holds the role and scope to act on task t.
func (p Principal) CanAct(t Task) bool {
	if !p.HasRole(t.Role) {
		return false
	}
	if t.Role == RoleInstructor {
		return p.CoversDepartement(t.Scope)
	}
	return true
}

// Payment is what a finance officer records on a disbursement task.
type Payment struct {
	PaidOn    string `json:"paid_on"`   // YYYY-MM-DD
	Reference string `json:"reference"` // the payment's reference in the accounting system
}

// Validate checks a payment record, naming each faulty field.
func (p Payment) Validate(now time.Time) error {
	fields := map[string]string{}
	if d, err := time.Parse(time.DateOnly, p.PaidOn); err != nil {
		fields["paid_on"] = "must be a date as YYYY-MM-DD"
	} else if d.After(now.Add(24 * time.Hour)) {
		fields["paid_on"] = "must not be in the future"
	}
	if n := len(p.Reference); n < 3 || n > 64 {
		fields["reference"] = "must be 3 to 64 characters"
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}
