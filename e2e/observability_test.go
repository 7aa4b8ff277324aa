package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// TestObservability takes a guichet dossier to its disbursement task on the real stack,
// then reads it as an operator would: the API's /metrics (HTTP, the SDK's own, business),
// the event history's summaries, and the open_tasks query.
func TestObservability(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	paris := s.token(t, applicantOf(sirenParis))
	app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 800_000, Checklist: completeChecklist(models.GuichetFranceConnect)}
	r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", paris, app, "Idempotency-Key", idemKey(t))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var created models.Dossier
	r.decode(t, &created)
	s.waitStatus(t, paris, created.ID, models.StatusAwaitingPayment)

	t.Run("open_tasks query", func(t *testing.T) {
		v, err := s.Temporal.QueryWorkflow(context.Background(), models.DossierWorkflowID(created.ID), "", workflows.QueryOpenTasks)
		require.NoError(t, err)
		var tasks []workflows.OpenTaskView
		require.NoError(t, v.Get(&tasks))
		require.Len(t, tasks, 1)
		require.Equal(t, models.TaskID(created.ID, models.TaskDisbursement, 0), tasks[0].ID)
		require.Equal(t, models.TaskDisbursement, tasks[0].Type)
		require.Equal(t, models.RoleFinance, tasks[0].Role)
		require.Equal(t, "national", tasks[0].Scope)
		require.NotNil(t, tasks[0].DueAt)
		require.WithinDuration(t, time.Now().Add(30*24*time.Hour), *tasks[0].DueAt, time.Minute)
		require.False(t, tasks[0].Overdue)
	})

	t.Run("history reads as the business", func(t *testing.T) {
		iter := s.Temporal.GetWorkflowHistory(context.Background(), models.DossierWorkflowID(created.ID), "", false, 0)
		var summaries []string
		for iter.HasNext() {
			ev, err := iter.Next()
			require.NoError(t, err)
			if p := ev.GetUserMetadata().GetSummary(); p != nil {
				var text string
				require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, &text))
				summaries = append(summaries, text)
			}
		}
		for _, want := range []string{"Record the status checking", "Find SIREN " + sirenParis + " in the registry",
			"Check the cap for SIREN " + sirenParis, "Check the checklist against the specification", "Reserve the grant on axe2.guichet",
			"Open the disbursement task", "Record the status awaiting_payment", "Reminder of the disbursement"} {
			require.Contains(t, summaries, want)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		want := []string{
			`relance_http_requests_total{method="POST",route="/api/v1/guichet/applications",status="201"} 1`,
			`relance_http_request_duration_seconds_count{method="GET",route="/api/v1/dossiers/:id",status="200"}`,
			// The SDK's metrics, from the worker's client, under their documented names.
			`temporal_workflow_task_schedule_to_start_latency_seconds_bucket{`,
			`temporal_workflow_task_execution_latency_seconds_count{`,
			`temporal_local_activity_execution_latency_seconds_count{`,
			`temporal_worker_task_slots_available{`,
			`temporal_num_pollers{`,
			`task_queue="relance-dossiers"`,
			`workflow_type="GuichetDossier"`,
			// The business gauges, from the database.
			`relance_dossiers{kind="guichet",status="awaiting_payment"} 1`,
			`relance_tasks_open{type="disbursement"} 1`,
			`relance_envelope_available_cents{envelope="axe2.guichet"} 5.995e+08`,
			`relance_outbox_backlog`,
		}
		// The SDK's reporter flushes every second.
		var text string
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(500 * time.Millisecond) {
			resp, err := http.Get(s.URL + "/metrics")
			require.NoError(t, err)
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			if text = string(b); containsAll(text, want) || time.Now().After(deadline) {
				break
			}
		}
		for _, w := range want {
			require.Contains(t, text, w)
		}
	})
}

func containsAll(text string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(text, p) {
			return false
		}
	}
	return true
}
