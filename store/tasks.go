package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

type taskRow struct {
	ID        string `gorm:"primaryKey"`
	DossierID string
	Type      string
	Role      string
	Scope     string
	Status    string
	Assignee  string
	DueAt     *time.Time
	Outcome   string
	Comment   string
	Data      string
	ClosedBy  string
	CreatedAt time.Time
	ClosedAt  *time.Time
}

func (taskRow) TableName() string { return "tasks" }

func (r taskRow) model() models.Task {
	t := models.Task{ID: r.ID, DossierID: r.DossierID, Type: models.TaskType(r.Type), Role: models.Role(r.Role),
		Scope: r.Scope, Status: models.TaskStatus(r.Status), Assignee: r.Assignee, DueAt: r.DueAt, Outcome: r.Outcome,
		Comment: r.Comment, ClosedBy: r.ClosedBy, CreatedAt: r.CreatedAt, ClosedAt: r.ClosedAt}
	if r.Data != "" {
		t.Data = json.RawMessage(r.Data)
	}
	return t
}

// CreateTask inserts an open task. Its ID is derived from dossier and step, so a retried
// activity finds the row already there and changes nothing.
func (s *Store) CreateTask(ctx context.Context, t models.Task) error {
	row := taskRow{ID: t.ID, DossierID: t.DossierID, Type: string(t.Type), Role: string(t.Role), Scope: t.Scope,
		Status: string(models.TaskOpen), DueAt: t.DueAt, CreatedAt: s.now()}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
}

// CloseTask marks a task done with its outcome. Closing it again changes nothing.
func (s *Store) CloseTask(ctx context.Context, id, actor, outcome, comment string, data json.RawMessage) error {
	now := s.now()
	res := s.db.WithContext(ctx).Model(&taskRow{}).Where("id = ? AND status IN ?", id, []string{string(models.TaskOpen), string(models.TaskClaimed)}).
		Updates(map[string]any{"status": string(models.TaskDone), "outcome": outcome, "comment": comment,
			"data": string(data), "closed_by": actor, "closed_at": now})
	if res.Error != nil || res.RowsAffected > 0 {
		return res.Error
	}
	_, err := s.Task(ctx, id) // already closed is fine; missing is not
	return err
}

// Task returns one task.
func (s *Store) Task(ctx context.Context, id string) (models.Task, error) {
	var row taskRow
	if err := s.db.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return models.Task{}, notFound(err, "no task %s", id)
	}
	return row.model(), nil
}

// DossierTasks lists a dossier's tasks, oldest first.
func (s *Store) DossierTasks(ctx context.Context, dossierID string) ([]models.Task, error) {
	var rows []taskRow
	if err := s.db.WithContext(ctx).Where("dossier_id = ?", dossierID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	return taskModels(rows), nil
}

// TaskFilter narrows an inbox.
type TaskFilter struct {
	Type  string
	After string // cursor: the ID of the last task of the previous page
	Limit int
}

// Inbox lists the open tasks p may act on, oldest first (the most urgent work first).
func (s *Store) Inbox(ctx context.Context, p models.Principal, f TaskFilter) ([]models.Task, error) {
	q := s.db.WithContext(ctx).Model(&taskRow{}).
		Where("status IN ?", []string{string(models.TaskOpen), string(models.TaskClaimed)})
	var roles []string
	for _, r := range p.Roles {
		if r != models.RoleInstructor {
			roles = append(roles, string(r))
		}
	}
	scope := s.db.Where("role IN ?", roles)
	if p.HasRole(models.RoleInstructor) {
		if p.CoversDepartement(models.AllDepartements) {
			scope = scope.Or("role = ?", string(models.RoleInstructor))
		} else if len(p.Departements) > 0 {
			scope = scope.Or("role = ? AND scope IN ?", string(models.RoleInstructor), p.Departements)
		}
	}
	q = q.Where(scope)
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if f.After != "" {
		q = q.Where("id > ?", f.After)
	}
	var rows []taskRow
	if err := q.Order("id").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	return taskModels(rows), nil
}

func taskModels(rows []taskRow) []models.Task {
	out := make([]models.Task, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out
}

type auditRow struct {
	ID        int64 `gorm:"primaryKey"`
	DossierID string
	StepKey   string
	At        time.Time
	Actor     string
	Action    string
	Detail    string
}

func (auditRow) TableName() string { return "audit_events" }

// Audit appends an event to a dossier's trail. stepKey makes it idempotent: a retried
// activity writes the event once.
func (s *Store) Audit(ctx context.Context, stepKey string, e models.AuditEvent) error {
	at := e.At
	if at.IsZero() {
		at = s.now()
	}
	row := auditRow{DossierID: e.DossierID, StepKey: stepKey, At: at.UTC(), Actor: e.Actor, Action: e.Action, Detail: e.Detail}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
}

// AuditTrail returns a dossier's events, oldest first.
func (s *Store) AuditTrail(ctx context.Context, dossierID string) ([]models.AuditEvent, error) {
	var rows []auditRow
	if err := s.db.WithContext(ctx).Where("dossier_id = ?", dossierID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = models.AuditEvent{ID: r.ID, DossierID: r.DossierID, At: r.At, Actor: r.Actor, Action: r.Action, Detail: r.Detail}
	}
	return out, nil
}

// MarkTaskAlert records that a task's reminder or escalation went out (the first time only).
func (s *Store) MarkTaskAlert(ctx context.Context, id string, escalation bool) error {
	col := "reminded_at"
	if escalation {
		col = "escalated_at"
	}
	return s.db.WithContext(ctx).Model(&taskRow{}).Where("id = ? AND "+col+" IS NULL", id).Update(col, s.now()).Error
}

// CancelTask closes a task nobody needs any more. Cancelling it again changes nothing.
func (s *Store) CancelTask(ctx context.Context, id string) error {
	return s.db.WithContext(ctx).Model(&taskRow{}).
		Where("id = ? AND status IN ?", id, []string{string(models.TaskOpen), string(models.TaskClaimed)}).
		Updates(map[string]any{"status": string(models.TaskCancelled), "closed_at": s.now()}).Error
}
