package workflows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// UpdateCompleteTask is the Workflow Update through which a person completes a human task.
const UpdateCompleteTask = "complete_task"

// CompleteTaskRequest is a person's completion of a task, as the API vouches for it.
type CompleteTaskRequest struct {
	TaskID  string
	Actor   models.Principal
	Outcome string
	Comment string
	Data    json.RawMessage
}

// CompleteTaskResult is what the person sees once the workflow has acted on the completion.
type CompleteTaskResult struct {
	DossierID string
	Status    models.Status
}

// openTask is a task the workflow waits on.
type openTask struct {
	task models.Task
	// validate checks the task-type-specific payload of a completion.
	validate   func(ctx workflow.Context, req CompleteTaskRequest) error
	completion *CompleteTaskRequest
	result     *CompleteTaskResult
}

// taskBoard holds a workflow's open human tasks and answers the complete_task Update.
// Its validator refuses, before anything enters history, an unknown or finished task, an
// actor without the role or scope, and a malformed payload.
type taskBoard struct {
	process *dossierProcess
	open    map[string]*openTask
}

func newTaskBoard(ctx workflow.Context, p *dossierProcess) (*taskBoard, error) {
	b := &taskBoard{process: p, open: map[string]*openTask{}}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCompleteTask, b.complete,
		workflow.UpdateHandlerOptions{Validator: b.validate})
	return b, err
}

func (b *taskBoard) validate(ctx workflow.Context, req CompleteTaskRequest) error {
	t, ok := b.open[req.TaskID]
	switch {
	case !ok:
		return temporal.NewApplicationError(fmt.Sprintf("task %s is not open on this dossier", req.TaskID), models.EConflict)
	case t.completion != nil:
		return temporal.NewApplicationError(fmt.Sprintf("task %s is already completed", req.TaskID), models.EConflict)
	case !req.Actor.CanAct(t.task):
		return temporal.NewApplicationError(fmt.Sprintf("task %s needs the %s role", req.TaskID, t.task.Role), models.EForbidden)
	}
	return asApplicationError(t.validate(ctx, req))
}

// complete hands the completion to the waiting workflow and returns the dossier's status
// once the workflow has acted on it.
func (b *taskBoard) complete(ctx workflow.Context, req CompleteTaskRequest) (CompleteTaskResult, error) {
	if err := b.validate(ctx, req); err != nil { // a second completion accepted in the same batch
		return CompleteTaskResult{}, err
	}
	t := b.open[req.TaskID]
	t.completion = &req // the waiting workflow takes it from here
	if err := workflow.Await(ctx, func() bool { return t.result != nil }); err != nil {
		return CompleteTaskResult{}, err
	}
	return *t.result, nil
}

// openTask creates a task (row, audit, search attribute) and starts accepting its completion.
func (b *taskBoard) openTask(ctx workflow.Context, task models.Task, validate func(workflow.Context, CompleteTaskRequest) error) (*openTask, error) {
	err := workflow.ExecuteLocalActivity(ctx, acts.OpenTask, activities.OpenTaskInput{Task: task,
		Audit: activities.Audit{Key: "task-opened/" + task.ID, Actor: "system", Action: "task_opened",
			Detail: fmt.Sprintf("%s task for the %s role", task.Type, task.Role)}}).Get(ctx, nil)
	if err != nil {
		return nil, err
	}
	t := &openTask{task: task, validate: validate}
	b.open[task.ID] = t
	return t, workflow.UpsertTypedSearchAttributes(ctx, SearchPendingTask.ValueSet(string(task.Type)))
}

// wait blocks until a person completes t, then closes the task. It returns the completion
// and a function the workflow calls once it has acted, to answer that person.
func (b *taskBoard) wait(ctx workflow.Context, t *openTask) (CompleteTaskRequest, func(), error) {
	if err := workflow.Await(ctx, func() bool { return t.completion != nil }); err != nil {
		return CompleteTaskRequest{}, nil, err
	}
	req := *t.completion
	err := workflow.ExecuteLocalActivity(ctx, acts.CloseTask, activities.CloseTaskInput{DossierID: t.task.DossierID, TaskID: t.task.ID,
		Actor: req.Actor.Subject, Outcome: req.Outcome, Comment: req.Comment, Data: req.Data,
		Audit: activities.Audit{Key: "task-done/" + t.task.ID, Actor: req.Actor.Subject, Action: "task_completed",
			Detail: fmt.Sprintf("%s: %s %s", t.task.Type, req.Outcome, req.Comment)}}).Get(ctx, nil)
	if err != nil {
		return CompleteTaskRequest{}, nil, err
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchPendingTask.ValueUnset()); err != nil {
		return CompleteTaskRequest{}, nil, err
	}
	answer := func() {
		t.result = &CompleteTaskResult{DossierID: b.process.id, Status: b.process.status}
		delete(b.open, t.task.ID)
	}
	return req, answer, nil
}

// asApplicationError carries a domain error across Temporal with its code as the error
// type and its field messages as details, so the API can answer with the right status.
func asApplicationError(err error) error {
	if err == nil {
		return nil
	}
	var e *models.Error
	if errors.As(err, &e) {
		return temporal.NewApplicationError(e.Message, e.Code, e.Fields)
	}
	return err
}

// decodeData parses a completion's payload strictly, naming the problem for the person.
func decodeData(data json.RawMessage, v any) error {
	if len(data) == 0 {
		return models.FieldErrors(map[string]string{"data": "is required for this task"})
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return models.FieldErrors(map[string]string{"data": "is invalid for this task: " + err.Error()})
	}
	return nil
}
