package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

type taskRow struct {
	ID          string `gorm:"primaryKey"`
	DossierID   string
	Type        string
	Role        string
	Scope       string
	Status      string
	Assignee    string
	DueAt       *time.Time
	Outcome     string
	Comment     string
	Data        string
	ClosedBy    string
	CreatedAt   time.Time
	ClosedAt    *time.Time
	RemindedAt  *time.Time
	EscalatedAt *time.Time
	// Departement is the dossier's, copied (it never changes) so that an inbox filtered by
	// département reads an index of tasks rather than looking up each task's dossier.
	Departement string
}

func (taskRow) TableName() string { return "tasks" }

func (r taskRow) model() models.Task {
	// A scope that does not parse stays empty: nobody acts on it by its scope.
	scope, _ := models.ParseScope(r.Scope)
	t := models.Task{ID: r.ID, DossierID: r.DossierID, Type: models.TaskType(r.Type), Role: models.Role(r.Role),
		Scope: scope, Status: models.TaskStatus(r.Status), Assignee: r.Assignee, DueAt: r.DueAt, Outcome: r.Outcome,
		Comment: r.Comment, ClosedBy: r.ClosedBy, CreatedAt: r.CreatedAt, ClosedAt: r.ClosedAt, RemindedAt: r.RemindedAt,
		EscalatedAt: r.EscalatedAt}
	if r.Data != "" {
		t.Data = json.RawMessage(r.Data)
	}
	return t
}

// CreateTask inserts an open task. Its ID is derived from dossier and step, so a retried
// activity finds the row already there and changes nothing.
func (s *Store) CreateTask(ctx context.Context, t models.Task) error {
	var departement []string
	if err := s.db.WithContext(ctx).Model(&dossierRow{}).Where("id = ?", t.DossierID).Pluck("departement", &departement).Error; err != nil {
		return err
	}
	row := taskRow{ID: t.ID, DossierID: t.DossierID, Type: string(t.Type), Role: string(t.Role), Scope: t.Scope.String(),
		Assignee: t.Assignee, Status: string(models.TaskOpen), DueAt: t.DueAt, CreatedAt: s.now()}
	if len(departement) > 0 {
		row.Departement = departement[0]
	}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
}

// CloseTask marks a task done with its outcome. Closing it again changes nothing.
func (s *Store) CloseTask(ctx context.Context, id, actor, outcome, comment string, data json.RawMessage) error {
	now := s.now()
	res := s.db.WithContext(ctx).Model(&taskRow{}).Where("id = ? AND status IN ?", id, models.OpenTaskStatuses).
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

// ClosedBy lists up to limit tasks subject completed, the latest first, after the cursor
// (the completion time and ID of the last one of a previous page): an inbox's "done" tab.
func (s *Store) ClosedBy(ctx context.Context, subject string, after *TaskCursor, limit int) ([]models.Task, error) {
	q := s.db.WithContext(ctx).Where("closed_by = ? AND status = ?", subject, string(models.TaskDone))
	if after != nil {
		q = q.Where("(closed_at, id) < (?, ?)", after.Key.UTC(), after.ID)
	}
	var rows []taskRow
	if err := q.Order("closed_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	return taskModels(rows), nil
}

// TaskFilter narrows an inbox.
type TaskFilter struct {
	Type          string
	DossierKind   string
	DossierStatus string
	Departement   string
	DueBefore     *time.Time
	// Assigned is "me" (claimed by the caller) or "unassigned"; "" for both.
	Assigned string
	Overdue  bool
	// ByDue sorts the most urgent first (earliest due date; tasks without one last);
	// otherwise the newest first.
	ByDue bool
	// After is the cursor: the sort key and ID of the last task of the previous page.
	After *TaskCursor
	Limit int
}

// TaskCursor is where a page of an inbox ended.
type TaskCursor struct {
	Key time.Time
	ID  string
}

// String is the cursor as the API and the pages hand it out: the key, "|", the task's ID.
func (c TaskCursor) String() string { return c.Key.UTC().Format(time.RFC3339Nano) + "|" + c.ID }

// ParseTaskCursor reads a cursor String wrote; false when s is not one.
func ParseTaskCursor(s string) (*TaskCursor, bool) {
	key, id, ok := strings.Cut(s, "|")
	at, err := time.Parse(time.RFC3339Nano, key)
	if !ok || err != nil || id == "" {
		return nil, false
	}
	return &TaskCursor{Key: at, ID: id}, true
}

// DoneCursor is where a page of the tasks one completed (ClosedBy) ends: after its last task.
func DoneCursor(t models.Task) *TaskCursor {
	if t.ClosedAt == nil {
		return &TaskCursor{ID: t.ID}
	}
	return &TaskCursor{Key: *t.ClosedAt, ID: t.ID}
}

// noDueDate sorts tasks without a due date after every real one.
var noDueDate = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// SortKey is the time a task sorts by in an inbox.
func (f TaskFilter) SortKey(t models.Task) time.Time {
	if !f.ByDue {
		return t.CreatedAt
	}
	if t.DueAt == nil {
		return noDueDate
	}
	return *t.DueAt
}

// taskAccessSQL is the SQL condition of the policy's task set, on the tasks table: the one
// place it is turned into SQL.
func taskAccessSQL(a models.TaskAccess) clause.Expr {
	var conds []string
	var args []any
	for _, c := range a {
		switch {
		case c.Assignee != "":
			conds, args = append(conds, "(tasks.role = ? AND tasks.assignee = ?)"), append(args, string(c.Role), c.Assignee)
		case c.AnyScope:
			conds, args = append(conds, "tasks.role = ?"), append(args, string(c.Role))
		case len(c.Scopes) > 0:
			scopes := make([]string, len(c.Scopes))
			for i, sc := range c.Scopes {
				scopes[i] = sc.String()
			}
			conds, args = append(conds, "(tasks.role = ? AND tasks.scope IN ?)"), append(args, string(c.Role), scopes)
		}
	}
	if len(conds) == 0 {
		return clause.Expr{SQL: "1 = 0"}
	}
	return clause.Expr{SQL: "(" + strings.Join(conds, " OR ") + ")", Vars: args}
}

// openTasksSQL selects the tasks still to be done, written out as the predicate of the
// inbox's partial indexes (migrations 00013, 00014, 00045): a bound parameter could not use
// them.
var openTasksSQL = func() string {
	quoted := make([]string, len(models.OpenTaskStatuses))
	for i, st := range models.OpenTaskStatuses {
		quoted[i] = "'" + string(st) + "'"
	}
	return "tasks.status IN (" + strings.Join(quoted, ", ") + ")"
}()

// dueKeySQL is the inbox's due-date sort key in SQL: the due date, or noDueDate for a task
// without one. It is the expression of the tasks_*_due indexes, literal and all, as each
// dialect stores times.
func (s *Store) dueKeySQL() string {
	if s.sqlite {
		return "COALESCE(tasks.due_at, '9999-12-31 00:00:00+00:00')"
	}
	return "COALESCE(tasks.due_at, TIMESTAMPTZ '9999-12-31 00:00:00+00')"
}

// Inbox lists the open tasks p may act on, as the policy says. Pages follow the cursor
// with a row comparison, which an index reads from where the last page ended.
//
// Everyone may sit on a campaign's committee, so every principal's access holds the clause
// of its personal committee tasks. OR-ed with its roles' clauses, it would make the
// database sort every matching row; instead it is read by a query of its own (on the
// assignee indexes: a handful of rows at most) and merged into the page in Go. A filter
// on a dossier's kind, status or département leaves committee tasks out: they have none.
func (s *Store) Inbox(ctx context.Context, p models.Principal, f TaskFilter) ([]models.Task, error) {
	var personal, roles models.TaskAccess
	for _, c := range p.TaskAccess() {
		if c.Role == models.RoleCommittee {
			personal = append(personal, c)
		} else {
			roles = append(roles, c)
		}
	}
	if f.DossierKind != "" || f.DossierStatus != "" || f.Departement != "" {
		personal = nil
	}
	if len(personal) == 0 || len(roles) == 0 {
		return s.inbox(ctx, p, append(personal, roles...), f)
	}
	mine, err := s.inbox(ctx, p, personal, f)
	if err != nil {
		return nil, err
	}
	rest, err := s.inbox(ctx, p, roles, f)
	if err != nil {
		return nil, err
	}
	page := append(mine, rest...)
	slices.SortFunc(page, func(a, b models.Task) int {
		c := cmp.Or(f.SortKey(a).Compare(f.SortKey(b)), strings.Compare(a.ID, b.ID))
		if !f.ByDue {
			return -c // the newest first
		}
		return c
	})
	if f.Limit > 0 && len(page) > f.Limit {
		page = page[:f.Limit]
	}
	return page, nil
}

// inbox is one query of Inbox, over the tasks of access.
func (s *Store) inbox(ctx context.Context, p models.Principal, access models.TaskAccess, f TaskFilter) ([]models.Task, error) {
	q := s.db.WithContext(ctx).Table("tasks").Select("tasks.*").Where(openTasksSQL).Where(taskAccessSQL(access))
	if f.DossierKind != "" || f.DossierStatus != "" {
		q = q.Joins("JOIN dossiers ON dossiers.id = tasks.dossier_id")
	}
	for col, val := range map[string]string{"tasks.type": f.Type, "dossiers.kind": f.DossierKind,
		"dossiers.status": f.DossierStatus, "tasks.departement": f.Departement} {
		if val != "" {
			q = q.Where(col+" = ?", val)
		}
	}
	key, order := "tasks.created_at", "tasks.created_at DESC, tasks.id DESC"
	newestDueBefore := false
	if f.ByDue {
		key = s.dueKeySQL()
		order = key + ", tasks.id"
	}
	var before time.Time
	if f.DueBefore != nil {
		// A task without a due date is never due before a date.
		before = f.DueBefore.UTC()
		if before.After(noDueDate) {
			before = noDueDate
		}
		if f.ByDue {
			// On the sort key, so that the due-date index bounds it: the same tasks.
			q = q.Where(s.dueKeySQL()+" < ?", before)
		} else {
			// Sorted newest first: by due day on PostgreSQL (dueDayPage), else by walking
			// tasks_open_newest_due, which carries due_at so that the walk reads the index
			// alone when it selects only ids.
			q = q.Where("tasks.due_at < ?", before)
			newestDueBefore = true
		}
	}
	switch f.Assigned {
	case "me":
		q = q.Where("tasks.assignee = ?", p.Subject)
	case "unassigned":
		q = q.Where("tasks.assignee = ''")
	}
	if f.Overdue {
		q = q.Where("tasks.escalated_at IS NOT NULL")
	}
	if f.After != nil {
		cmp := "<"
		if f.ByDue {
			cmp = ">"
		}
		q = q.Where(fmt.Sprintf("(%s, tasks.id) %s (?, ?)", key, cmp), f.After.Key.UTC(), f.After.ID)
	}
	if newestDueBefore {
		ids, err := s.dueDayPage(ctx, q, before, order, f.Limit)
		if err != nil {
			return nil, err
		}
		if ids == nil { // SQLite, or too many due days: walk the newest-first index
			ids = q.Select("tasks.id").Order(order).Limit(f.Limit)
		}
		q = s.db.WithContext(ctx).Table("tasks").Select("tasks.*").Where("tasks.id IN (?)", ids)
	}
	var rows []taskRow
	if err := q.Order(order).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	return taskModels(rows), nil
}

// maxDueDays bounds the due days dueDayPage merges: each costs a descent of the index, and
// past two months of them, walking the newest tasks is no dearer.
const maxDueDays = 62

// dueDaySQL is a task's due day in UTC, the expression of tasks_open_due_day_newest.
const dueDaySQL = "date_trunc('day', tasks.due_at AT TIME ZONE 'UTC')"

// dueDayPage is, on PostgreSQL, the subquery of the ids of an inbox page filtered by due
// date and sorted newest first (q holds the inbox's conditions, due date and cursor
// included). The tasks due before the date fall into due days; each day's tasks are read
// newest first from tasks_open_due_day_newest, at most a page from each, and the days'
// lists merged: a page costs a few index pages per due day, not a walk past every newer
// task. It is nil on SQLite, and when more than maxDueDays days hold open tasks due before
// the date: then the caller walks the newest-first index.
func (s *Store) dueDayPage(ctx context.Context, q *gorm.DB, before time.Time, order string, limit int) (*gorm.DB, error) {
	if s.sqlite {
		return nil, nil
	}
	days, err := s.dueDays(ctx, before, maxDueDays+1)
	if err != nil || len(days) > maxDueDays {
		return nil, err
	}
	if len(days) == 0 {
		return s.db.Table("tasks").Select("tasks.id").Where("1 = 0"), nil
	}
	base := q.Session(&gorm.Session{}) // each day's query starts from the same conditions
	parts := make([]string, len(days))
	args := make([]any, len(days))
	for i, day := range days {
		parts[i] = "(?)"
		args[i] = base.Select("tasks.id, tasks.created_at").Where(dueDaySQL+" = ?", day).Order(order).Limit(limit)
	}
	return s.db.Table("("+strings.Join(parts, " UNION ALL ")+") AS by_due_day", args...).
		Select("by_due_day.id").Order("by_due_day.created_at DESC, by_due_day.id DESC").Limit(limit), nil
}

// dueDays lists, latest first, up to n days (UTC) holding an open task due before the
// date, whoever's: a skip scan of tasks_open_due, one descent per day, however many tasks
// each day holds.
func (s *Store) dueDays(ctx context.Context, before time.Time, n int) ([]time.Time, error) {
	open := openTasksSQL + " AND tasks.due_at IS NOT NULL"
	var days []time.Time
	err := s.db.WithContext(ctx).Raw(`WITH RECURSIVE day(due_at) AS (
		(SELECT tasks.due_at FROM tasks WHERE `+open+` AND tasks.due_at < ? ORDER BY tasks.due_at DESC LIMIT 1)
		UNION ALL
		SELECT (SELECT tasks.due_at FROM tasks WHERE `+open+`
			AND tasks.due_at < date_trunc('day', day.due_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
			ORDER BY tasks.due_at DESC LIMIT 1)
		FROM day WHERE day.due_at IS NOT NULL)
	SELECT date_trunc('day', day.due_at AT TIME ZONE 'UTC') FROM day WHERE day.due_at IS NOT NULL LIMIT ?`, before, n).
		Scan(&days).Error
	return days, err
}

// AssignTask records that subject works on a task. The workflow decides who may; this
// only refuses a task that is no longer open. Assigning it again changes nothing.
func (s *Store) AssignTask(ctx context.Context, id, subject string) (models.Task, error) {
	return s.setClaim(ctx, id, models.TaskClaimed, subject)
}

// ReleaseTask gives a claimed task back to its role. Releasing it again changes nothing.
func (s *Store) ReleaseTask(ctx context.Context, id string) (models.Task, error) {
	return s.setClaim(ctx, id, models.TaskOpen, "")
}

func (s *Store) setClaim(ctx context.Context, id string, status models.TaskStatus, assignee string) (models.Task, error) {
	res := s.db.WithContext(ctx).Model(&taskRow{}).
		Where("id = ? AND status IN ?", id, models.OpenTaskStatuses).
		Updates(map[string]any{"status": string(status), "assignee": assignee})
	if res.Error != nil {
		return models.Task{}, res.Error
	}
	t, err := s.Task(ctx, id)
	if err == nil && res.RowsAffected == 0 {
		return t, models.Errorf(models.EConflict, "task %s is %s", id, t.Status)
	}
	return t, err
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
	return s.auditTx(s.db.WithContext(ctx), stepKey, e)
}

func (s *Store) auditTx(tx *gorm.DB, stepKey string, e models.AuditEvent) error {
	at := e.At
	if at.IsZero() {
		at = s.now()
	}
	row := auditRow{DossierID: e.DossierID, StepKey: stepKey, At: at.UTC(), Actor: e.Actor, Action: e.Action, Detail: e.Detail}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
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

// CancelOpenTasks cancels every task of a dossier still open or claimed.
func (s *Store) CancelOpenTasks(ctx context.Context, dossierID string) error {
	return s.db.WithContext(ctx).Model(&taskRow{}).
		Where("dossier_id = ? AND status IN ?", dossierID, models.OpenTaskStatuses).
		Updates(map[string]any{"status": string(models.TaskCancelled), "closed_at": s.now()}).Error
}

// CancelTask closes a task nobody needs any more. Cancelling it again changes nothing.
func (s *Store) CancelTask(ctx context.Context, id string) error {
	return s.db.WithContext(ctx).Model(&taskRow{}).
		Where("id = ? AND status IN ?", id, models.OpenTaskStatuses).
		Updates(map[string]any{"status": string(models.TaskCancelled), "closed_at": s.now()}).Error
}
