package activities

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/mocks"

	"github.com/relance/relance/models"
)

// TestSignalServicesSkipsServicesWithoutWorkflow checks that a service whose workflow is
// not there is skipped, and that any other failure fails the activity (to be retried).
func TestSignalServicesSkipsServicesWithoutWorkflow(t *testing.T) {
	tc := &mocks.Client{}
	a := &Activities{Temporal: tc}
	signal := func(id string) *mock.Call {
		return tc.On("SignalWorkflow", mock.Anything, models.ServiceWorkflowID(id), "", "campaign_phase", models.PhaseInterest)
	}
	signal("a").Return(nil)
	signal("b").Return(serviceerror.NewNotFound("workflow not found"))
	signal("c").Return(nil)
	sent, err := a.SignalServices(context.Background(), "campaign_phase", []ServiceSignal{{"a", models.PhaseInterest}, {"b", models.PhaseInterest}, {"c", models.PhaseInterest}})
	require.NoError(t, err)
	require.Equal(t, 2, sent)

	signal("d").Return(errors.New("frontend unavailable"))
	_, err = a.SignalServices(context.Background(), "campaign_phase", []ServiceSignal{{"d", models.PhaseInterest}})
	require.ErrorContains(t, err, "service d")
	tc.AssertExpectations(t)
}
