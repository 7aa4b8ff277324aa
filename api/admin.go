package api

import (
	"encoding/base64"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// listStuck is the administrator's list of stuck dossiers: overdue tasks first, then a
// scan of the dossiers in process against their workflows. A page of the scan may be
// short, or empty, with a cursor: the list ends when no cursor comes back.
func (s *Server) listStuck(c echo.Context) error {
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	q := filing.StuckQuery{Trouble: models.Trouble(c.QueryParam("trouble")), Limit: limit}
	fields := map[string]string{}
	if q.Trouble != "" && !slices.Contains(models.Troubles, q.Trouble) {
		fields["trouble"] = "must be overdue_task, retrying, status_mismatch or no_workflow"
	}
	if after != "" {
		var ok bool
		if q.Cursor, ok = filing.ParseStuckCursor(after); !ok {
			fields["cursor"] = "is not a cursor this API returned"
		}
	}
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	p, err := s.Stuck.Page(ctx, q)
	if err != nil {
		return filing.FromTemporal(err)
	}
	out := page[models.StuckDossier]{Items: p.Items}
	if p.Next != nil {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(p.Next.String()))
	}
	return c.JSON(http.StatusOK, out)
}

// reassignTask hands a task to someone else (an administrator's act, audited with its
// reason): the workflow records them as the task's claimant.
func (s *Server) reassignTask(c echo.Context) error {
	var req models.Reassignment
	return s.adminTaskUpdate(c, &req, func(t models.Task, p models.Principal) (string, any, error) {
		return workflows.UpdateReassignTask, workflows.ReassignTaskRequest{TaskID: t.ID, Actor: p, Assignee: req.Assignee, Reason: req.Reason}, nil
	})
}

// extendTask moves a task's due date later (an administrator's act, audited with its
// reason): the workflow restarts its reminder and escalation for the new date.
func (s *Server) extendTask(c echo.Context) error {
	var req models.Extension
	return s.adminTaskUpdate(c, &req, func(t models.Task, p models.Principal) (string, any, error) {
		switch {
		case !models.DueDateExtendable(t.Type):
			return "", nil, models.Errorf(models.EConflict, "the due date of a %s task is the process's deadline: it cannot be moved", t.Type)
		case t.DueAt == nil:
			return "", nil, models.Errorf(models.EConflict, "task %s has no due date", t.ID)
		}
		if err := models.CheckExtension(*t.DueAt, req.DueAt, time.Now()); err != nil {
			return "", nil, err
		}
		return workflows.UpdateExtendTask, workflows.ExtendTaskRequest{TaskID: t.ID, Actor: p, DueAt: req.DueAt, Reason: req.Reason}, nil
	})
}

// adminTaskUpdate binds and validates req, checks the task is open, and sends the Update
// build makes to the task's workflow; the answer is the task as the workflow left it.
func (s *Server) adminTaskUpdate(c echo.Context, req any, build func(models.Task, models.Principal) (string, any, error)) error {
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	if err := bindValid(c, req); err != nil {
		return err
	}
	if t.Status == models.TaskDone || t.Status == models.TaskCancelled {
		return models.Errorf(models.EConflict, "task %s is already %s", t.ID, t.Status)
	}
	name, arg, err := build(t, principal(c))
	if err != nil {
		return err
	}
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	var row models.Task // fresh: the answer's omitted fields are cleared ones
	if err := s.update(ctx, models.TaskWorkflowID(t), name, &row, arg); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, row)
}
