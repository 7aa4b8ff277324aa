package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
	"github.com/relance/relance/workflows"
)

func (s *Server) listTasks(c echo.Context) error {
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	items, err := s.Store.Inbox(c.Request().Context(), principal(c), store.TaskFilter{Type: c.QueryParam("type"), After: after, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(items, limit, func(t models.Task) string { return t.ID }))
}

// visibleTask loads a task the caller may act on or see through its dossier.
func (s *Server) visibleTask(c echo.Context) (models.Task, error) {
	t, err := s.Store.Task(c.Request().Context(), c.Param("id"))
	if err != nil {
		return t, err
	}
	p := principal(c)
	if p.CanAct(t) {
		return t, nil
	}
	if _, err := s.visibleDossier(c, t.DossierID); err != nil {
		return t, err
	}
	return t, nil
}

func (s *Server) getTask(c echo.Context) error {
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

type completeTaskRequest struct {
	Outcome string          `json:"outcome"`
	Comment string          `json:"comment"`
	Data    json.RawMessage `json:"data"`
}

// completeTaskResponse is the task as closed and the dossier's status after the workflow acted.
type completeTaskResponse struct {
	Task          models.Task   `json:"task"`
	DossierStatus models.Status `json:"dossier_status"`
}

// completeTask hands a completion to the dossier's workflow as an Update and waits for its
// answer: the new status, or a refusal that left nothing in the workflow's history.
func (s *Server) completeTask(c echo.Context) error {
	t, err := s.visibleTask(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if !p.CanAct(t) {
		return models.Errorf(models.EForbidden, "task %s needs the %s role", t.ID, t.Role)
	}
	var req completeTaskRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	if req.Outcome == "" {
		fields["outcome"] = "is required"
	}
	if len(req.Comment) > 2000 {
		fields["comment"] = "must be at most 2000 characters"
	}
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	if t.Status == models.TaskDone || t.Status == models.TaskCancelled {
		return models.Errorf(models.EConflict, "task %s is already %s", t.ID, t.Status)
	}
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	handle, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: models.DossierWorkflowID(t.DossierID), UpdateName: workflows.UpdateCompleteTask,
		WaitForStage: client.WorkflowUpdateStageCompleted,
		Args:         []any{workflows.CompleteTaskRequest{TaskID: t.ID, Actor: p, Outcome: req.Outcome, Comment: req.Comment, Data: req.Data}},
	})
	if err != nil {
		return fromTemporal(err)
	}
	var result workflows.CompleteTaskResult
	if err := handle.Get(ctx, &result); err != nil {
		return fromTemporal(err)
	}
	if t, err = s.Store.Task(c.Request().Context(), t.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, completeTaskResponse{Task: t, DossierStatus: result.Status})
}
