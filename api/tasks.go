package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// listTasks is the caller's inbox: the open tasks its roles and scopes allow; with
// state=done, the tasks the caller completed.
func (s *Server) listTasks(c echo.Context) error {
	switch c.QueryParam("state") {
	case "", "open":
	case "done":
		return s.listDoneTasks(c)
	default:
		return models.FieldErrors(map[string]string{"state": `must be "open" (the inbox) or "done" (the tasks you completed)`})
	}
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	f := store.TaskFilter{Type: c.QueryParam("type"), DossierKind: c.QueryParam("kind"), DossierStatus: c.QueryParam("status"),
		Departement: c.QueryParam("departement"), Assigned: c.QueryParam("assigned"), Limit: limit}
	fields := models.TaskFilterErrors(f.Type, f.DossierKind, f.DossierStatus, f.Departement, f.Assigned)
	switch c.QueryParam("sort") {
	case "", "newest":
	case "due":
		f.ByDue = true
	default:
		fields["sort"] = `must be "due" (most urgent first) or "newest"`
	}
	if v := c.QueryParam("overdue"); v != "" {
		if f.Overdue, err = strconv.ParseBool(v); err != nil {
			fields["overdue"] = "must be true or false"
		}
	}
	if v := c.QueryParam("due_before"); v != "" {
		if t, err := parseDateOrTime(v); err != nil {
			fields["due_before"] = "must be a date (YYYY-MM-DD) or an RFC 3339 time"
		} else {
			f.DueBefore = &t
		}
	}
	if after != "" {
		var ok bool
		if f.After, ok = store.ParseTaskCursor(after); !ok {
			fields["cursor"] = "is not a cursor this API returned"
		}
	}
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	if wantsCSV(c) {
		return s.TasksCSV(c.Request().Context(), c.Response(), principal(c), f)
	}
	items, err := s.Store.Inbox(c.Request().Context(), principal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(items, limit, func(t models.Task) string { return store.TaskCursor{Key: f.SortKey(t), ID: t.ID}.String() }))
}

// inboxOnly are the inbox's filters, which the list of completed tasks does not take.
var inboxOnly = []string{"type", "kind", "status", "departement", "due_before", "assigned", "overdue", "sort"}

// listDoneTasks lists the tasks the caller completed, the latest first: whatever their
// roles and scopes are now, a person's own work, and nobody else's.
func (s *Server) listDoneTasks(c echo.Context) error {
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for _, name := range inboxOnly {
		if c.QueryParams().Has(name) {
			fields[name] = "filters the inbox only (state=open)"
		}
	}
	var cursor *store.TaskCursor
	if after != "" {
		var ok bool
		if cursor, ok = store.ParseTaskCursor(after); !ok {
			fields["cursor"] = "is not a cursor this API returned"
		}
	}
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	subject := principal(c).Subject
	if wantsCSV(c) {
		return s.DoneTasksCSV(c.Request().Context(), c.Response(), subject)
	}
	items, err := s.Store.ClosedBy(c.Request().Context(), subject, cursor, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(items, limit, func(t models.Task) string { return store.DoneCursor(t).String() }))
}

func parseDateOrTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, v)
}

// visibleTask loads a task the caller may see.
func (s *Server) visibleTask(c echo.Context) (models.Task, error) {
	return s.Filing.VisibleTask(c.Request().Context(), principal(c), c.Param("id"))
}

func (s *Server) getTask(c echo.Context) error {
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// claimTask takes an open task for the caller: meanwhile nobody else may complete it.
func (s *Server) claimTask(c echo.Context) error { return s.sendClaim(c, false) }

// unclaimTask gives a claimed task back; an administrator may free anyone's.
func (s *Server) unclaimTask(c echo.Context) error { return s.sendClaim(c, true) }

func (s *Server) sendClaim(c echo.Context, release bool) error {
	t, err := s.Filing.ClaimTask(c.Request().Context(), principal(c), c.Param("id"), release)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// completeTaskResponse is the task as closed and the dossier's status after the workflow acted.
type completeTaskResponse struct {
	Task          models.Task   `json:"task"`
	DossierStatus models.Status `json:"dossier_status"`
}

func (s *Server) completeTask(c echo.Context) error {
	var req models.Completion
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, status, err := s.Filing.CompleteTask(c.Request().Context(), principal(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, completeTaskResponse{Task: t, DossierStatus: status})
}

func (s *Server) listNotifications(c echo.Context) error {
	limit, before, err := idPagination(c)
	if err != nil {
		return err
	}
	items, err := s.Store.Notifications(c.Request().Context(), c.QueryParam("dossier"), before, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(items, limit, func(n models.Notification) string { return strconv.FormatInt(n.ID, 10) }))
}
