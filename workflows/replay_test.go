package workflows

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistories replays histories recorded on the real server (make
// histories) against today's workflow code: a change that would break running dossiers
// fails here, and must be made with workflow.GetVersion instead.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories in testdata")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflowWithOptions(GuichetWorkflow, workflow.RegisterOptions{Name: GuichetWorkflowName})
			replayer.RegisterWorkflowWithOptions(AAPWorkflow, workflow.RegisterOptions{Name: AAPWorkflowName})
			replayer.RegisterWorkflowWithOptions(PrefectoralWorkflow, workflow.RegisterOptions{Name: PrefectoralWorkflowName})
			replayer.RegisterWorkflowWithOptions(CampaignWorkflow, workflow.RegisterOptions{Name: CampaignWorkflowName})
			replayer.RegisterWorkflowWithOptions(ProposalWorkflow, workflow.RegisterOptions{Name: ProposalWorkflowName})
			replayer.RegisterWorkflowWithOptions(CandidateServiceWorkflow, workflow.RegisterOptions{Name: ServiceWorkflowName})
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, file))
		})
	}
}
