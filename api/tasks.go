package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
	"github.com/relance/relance/workflows"
)

// listTasks is the caller's inbox: the open tasks its roles and scopes allow.
func (s *Server) listTasks(c echo.Context) error {
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	f := store.TaskFilter{Type: c.QueryParam("type"), DossierKind: c.QueryParam("kind"), DossierStatus: c.QueryParam("status"),
		Departement: c.QueryParam("departement"), Assigned: c.QueryParam("assigned"), Limit: limit}
	fields := dossierFilterErrors(f.DossierKind, f.DossierStatus, f.Departement)
	if f.Type != "" && !slices.Contains(models.TaskTypes, models.TaskType(f.Type)) {
		fields["type"] = "is not a task type"
	}
	if f.Assigned != "" && f.Assigned != "me" && f.Assigned != "unassigned" {
		fields["assigned"] = `must be "me" or "unassigned"`
	}
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
		key, id, ok := strings.Cut(after, "|")
		at, parseErr := time.Parse(time.RFC3339Nano, key)
		if !ok || parseErr != nil {
			fields["cursor"] = "is not a cursor this API returned"
		}
		f.After = &store.TaskCursor{Key: at, ID: id}
	}
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	items, err := s.Store.Inbox(c.Request().Context(), principal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(items, limit, func(t models.Task) string {
		return f.SortKey(t).UTC().Format(time.RFC3339Nano) + "|" + t.ID
	}))
}

func parseDateOrTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, v)
}

// visibleTask loads a task the caller may see: one it may act on, or one of a dossier it
// reads (a jury member's vote only for those who see the deliberations).
func (s *Server) visibleTask(c echo.Context) (models.Task, error) {
	ctx := c.Request().Context()
	t, err := s.Store.Task(ctx, c.Param("id"))
	if err != nil {
		return t, err
	}
	d, err := s.Store.Dossier(ctx, t.DossierID)
	if err != nil {
		return t, err
	}
	p := principal(c)
	switch {
	case p.CanSeeTask(d, t):
		return t, nil
	case p.CanSeeDossier(d):
		return t, models.Errorf(models.EForbidden, "task %s is a jury member's vote: its applicant sees the jury's decision, not the votes", t.ID)
	}
	return t, models.Errorf(models.EForbidden, "dossier %s is outside your scope", d.ID)
}

func (s *Server) getTask(c echo.Context) error {
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// actionableTask loads a task the caller may act on: 403 otherwise.
func (s *Server) actionableTask(c echo.Context) (models.Task, error) {
	t, err := s.visibleTask(c)
	if err != nil {
		return t, err
	}
	if !principal(c).CanAct(t) {
		return t, models.NotYourTask(t)
	}
	return t, nil
}

// claimTask takes an open task for the caller: meanwhile nobody else may complete it.
func (s *Server) claimTask(c echo.Context) error { return s.sendClaim(c, false) }

// unclaimTask gives a claimed task back; an administrator may free anyone's.
func (s *Server) unclaimTask(c echo.Context) error { return s.sendClaim(c, true) }

// sendClaim asks the dossier's workflow, which knows who works on what, to record a claim
// or its release.
func (s *Server) sendClaim(c echo.Context, release bool) error {
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if !p.CanAct(t) && !(release && p.CanReleaseAnyClaim()) {
		return models.NotYourTask(t)
	}
	if t.Status == models.TaskDone || t.Status == models.TaskCancelled {
		return models.Errorf(models.EConflict, "task %s is already %s", t.ID, t.Status)
	}
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	if err := s.update(ctx, models.DossierWorkflowID(t.DossierID), workflows.UpdateClaimTask, &t,
		workflows.ClaimTaskRequest{TaskID: t.ID, Actor: p, Release: release}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// completeTaskResponse is the task as closed and the dossier's status after the workflow acted.
type completeTaskResponse struct {
	Task          models.Task   `json:"task"`
	DossierStatus models.Status `json:"dossier_status"`
}

// completeTask hands a completion to the dossier's workflow as an Update and waits for its
// answer: the new status, or a refusal that left nothing in the workflow's history.
func (s *Server) completeTask(c echo.Context) error {
	t, err := s.actionableTask(c)
	if err != nil {
		return err
	}
	p := principal(c)
	var req models.Completion
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	// The outcome's rules, as the workflow's Update validator applies them.
	payload, err := req.Payload(t.Type)
	if err != nil {
		return err
	}
	if merge, ok := payload.(*models.MergeCompletion); ok {
		if err := s.checkMerge(c.Request().Context(), t, merge); err != nil {
			return err
		}
	}
	if t.Status == models.TaskDone || t.Status == models.TaskCancelled {
		return models.Errorf(models.EConflict, "task %s is already %s", t.ID, t.Status)
	}
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	var result workflows.CompleteTaskResult
	err = s.update(ctx, models.DossierWorkflowID(t.DossierID), workflows.UpdateCompleteTask, &result,
		workflows.CompleteTaskRequest{TaskID: t.ID, Actor: p, Outcome: req.Outcome, Comment: req.Comment, Data: req.Data})
	if err != nil {
		return err
	}
	if t, err = s.Store.Task(c.Request().Context(), t.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, completeTaskResponse{Task: t, DossierStatus: result.Status})
}

// update sends a Workflow Update and waits for its result, mapping refusals to domain errors.
func (s *Server) update(ctx context.Context, workflowID, name string, result any, arg any) error {
	handle, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg}})
	if err != nil {
		return fromTemporal(err)
	}
	return fromTemporal(handle.Get(ctx, result))
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
