package filing

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/models"
)

// update sends a Workflow Update, within the service's deadline, and waits for its result,
// mapping refusals to domain errors.
func (s *Service) update(ctx context.Context, workflowID, name string, result any, arg any) error {
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	handle, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg}})
	if err != nil {
		return FromTemporal(err)
	}
	return FromTemporal(handle.Get(ctx, result))
}

// signal sends workflowID a signal, within the service's deadline: the acts that tell
// several workflows give each the whole deadline, so that one slow answer costs the others
// nothing.
func (s *Service) signal(ctx context.Context, workflowID, name string, arg any) error {
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	return s.Temporal.SignalWorkflow(ctx, workflowID, "", name, arg)
}

// FromTemporal turns what Temporal answers into domain errors: an Update validator's
// refusal carries its code as the application error's type; an unreachable or slow
// server is unavailable; a closed or missing workflow is a state conflict.
func FromTemporal(err error) error {
	var domain *models.Error
	if errors.As(err, &domain) {
		return err // already classified, e.g. a database outage whose cause is a deadline
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && models.IsCode(appErr.Type()) {
		e := &models.Error{Code: appErr.Type(), Message: appErr.Message()}
		if appErr.HasDetails() {
			var fields map[string]string
			if appErr.Details(&fields) == nil {
				e.Fields = fields
			}
		}
		return e
	}
	var notFound *serviceerror.NotFound
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	switch {
	case errors.As(err, &notFound):
		return models.Errorf(models.EConflict, "the dossier's process is closed: %s", notFound.Message)
	case errors.As(err, &unavailable), errors.As(err, &deadline), errors.Is(err, context.DeadlineExceeded):
		return models.Errorf(models.EUnavailable, "the workflow service did not answer in time; try again")
	}
	return err
}
