package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// workflowSuite is a test environment with every workflow and activity registered, the
// status activity recording the statuses in order, and the task bookkeeping mocked.
type workflowSuite struct {
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	statuses []models.Status
	// reasons are the statuses' reasons, in the same order.
	reasons []string
	// alerts records the reminders and escalations sent, with the workflow time they went out.
	alerts []alert
}

type alert struct {
	kind   string
	taskID string
	at     time.Duration
}

func newWorkflowSuite(t *testing.T) *workflowSuite {
	s := &workflowSuite{}
	s.env = s.NewTestWorkflowEnvironment()
	s.env.RegisterWorkflowWithOptions(GuichetWorkflow, workflow.RegisterOptions{Name: GuichetWorkflowName})
	s.env.RegisterWorkflowWithOptions(AAPWorkflow, workflow.RegisterOptions{Name: AAPWorkflowName})
	s.env.RegisterWorkflowWithOptions(PrefectoralWorkflow, workflow.RegisterOptions{Name: PrefectoralWorkflowName})
	s.env.RegisterWorkflowWithOptions(CampaignWorkflow, workflow.RegisterOptions{Name: CampaignWorkflowName})
	s.env.RegisterWorkflowWithOptions(ProposalWorkflow, workflow.RegisterOptions{Name: ProposalWorkflowName})
	s.env.RegisterWorkflowWithOptions(CandidateServiceWorkflow, workflow.RegisterOptions{Name: ServiceWorkflowName})
	s.env.RegisterActivity(&activities.Activities{})
	start := s.env.Now()
	s.env.OnActivity(acts.RecordStatus, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.StatusInput) error {
		s.statuses = append(s.statuses, in.Status)
		s.reasons = append(s.reasons, in.Reason)
		return nil
	}).Maybe() // a candidate service's workflow records none: the store does

	s.env.OnActivity(acts.OpenTask, mock.Anything, mock.Anything).Return(nil).Maybe()
	s.env.OnActivity(acts.CloseTask, mock.Anything, mock.Anything).Return(nil).Maybe()
	s.env.OnActivity(acts.CancelTask, mock.Anything, mock.Anything).Return(nil).Maybe()
	s.env.OnActivity(acts.AlertTask, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.TaskAlert) error {
		s.alerts = append(s.alerts, alert{in.Kind, in.Task.ID, s.env.Now().Sub(start).Round(time.Hour)})
		return nil
	}).Maybe()
	t.Cleanup(func() { s.env.AssertExpectations(t) })
	return s
}

func (s *workflowSuite) result(t *testing.T) Result {
	t.Helper()
	require.True(t, s.env.IsWorkflowCompleted())
	require.NoError(t, s.env.GetWorkflowError())
	var r Result
	require.NoError(t, s.env.GetWorkflowResult(&r))
	return r
}

// updateOutcome records how an Update ended.
type updateOutcome struct {
	rejected error
	err      error
	result   any
	done     bool
}

// update sends an Update after a delay of workflow time.
func (s *workflowSuite) update(after time.Duration, name string, arg any) *updateOutcome {
	out := &updateOutcome{}
	cb := &testsuite.TestUpdateCallback{
		OnAccept:   func() {},
		OnReject:   func(err error) { out.rejected, out.done = err, true },
		OnComplete: func(r any, err error) { out.result, out.err, out.done = r, err, true },
	}
	s.env.RegisterDelayedCallback(func() { s.env.UpdateWorkflow(name, name+after.String(), cb, arg) }, after)
	return out
}

// complete sends a task completion after a delay of workflow time.
func (s *workflowSuite) complete(after time.Duration, taskID string, actor models.Principal, outcome, comment string, data any) *updateOutcome {
	var raw []byte
	if data != nil {
		raw, _ = json.Marshal(data)
	}
	return s.update(after, UpdateCompleteTask, CompleteTaskRequest{TaskID: taskID, Actor: actor, Outcome: outcome, Comment: comment, Data: raw})
}

func errorType(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return ""
}

// rejectedFields returns the fields at fault that an Update validator's refusal names.
func rejectedFields(t *testing.T, err error) map[string]string {
	t.Helper()
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app)
	var fields map[string]string
	require.NoError(t, app.Details(&fields))
	return fields
}
