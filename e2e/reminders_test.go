package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/config"
	"github.com/relance/relance/models"
)

// TestOverdueTaskIsRemindedEscalatedAndFound gives the disbursement task a due date of a
// few seconds: the reminder and the escalation go to the outbox and the audit trail, and
// the overdue task is found through the API and in Temporal's visibility.
func TestOverdueTaskIsRemindedEscalatedAndFound(t *testing.T) {
	files := newStackFiles(t)
	files.tune = func(c *config.Config) { c.DueDisbursement, c.ReminderLead = 3*time.Second, 2*time.Second }
	s := startStack(t, files)
	paris, finance, admin := s.token(t, applicantOf(sirenParis)), s.token(t, financeOfficer), s.token(t, administrator)
	r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", paris,
		models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 200_000, Checklist: completeChecklist(models.GuichetFranceConnect)})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var d models.Dossier
	r.decode(t, &d)
	view := s.waitStatus(t, paris, d.ID, models.StatusAwaitingPayment)
	task := view.Tasks[0]
	require.NotNil(t, task.DueAt, "the disbursement task has a due date")

	var outbox struct{ Items []models.Notification }
	require.Eventually(t, func() bool {
		s.call(t, http.MethodGet, "/api/v1/notifications?dossier="+d.ID, admin, nil).decode(t, &outbox)
		return len(outbox.Items) == 3 && outbox.Items[0].Status == "sent" && outbox.Items[1].Status == "sent" && outbox.Items[2].Status == "sent"
	}, 20*time.Second, 100*time.Millisecond, "the applicant's news of the funding, a reminder, then an escalation, all delivered by the outbox's dispatcher")
	require.Contains(t, outbox.Items[0].Subject, "Overdue")
	require.Contains(t, outbox.Items[1].Subject, "Reminder")
	require.Equal(t, "role:finance:national", outbox.Items[0].Recipient)
	require.Contains(t, outbox.Items[2].Subject, "subvention accordée")

	var overdue struct{ Items []models.Task }
	s.call(t, http.MethodGet, "/api/v1/tasks?overdue=true", finance, nil).decode(t, &overdue)
	require.Equal(t, []string{task.ID}, taskIDs(overdue.Items))
	require.NotNil(t, overdue.Items[0].EscalatedAt)
	require.Eventually(t, func() bool {
		resp, err := s.Temporal.ListWorkflow(context.Background(), visibilityQuery(`OverdueTask = "disbursement" AND DossierStatus = "awaiting_payment"`))
		return err == nil && len(resp.Executions) == 1
	}, 10*time.Second, 100*time.Millisecond, "an administrator finds the overdue dossier in the Temporal UI")

	complete(t, s, finance, task.ID, "paid", "", map[string]string{"paid_on": today(), "reference": "VIR-LATE"}, models.StatusPaid)
	view = s.waitStatus(t, paris, d.ID, models.StatusPaid)
	actions := map[string]bool{}
	for _, a := range view.Audit {
		actions[a.Action] = true
	}
	require.True(t, actions["task_reminded"])
	require.True(t, actions["task_escalated"])
	s.call(t, http.MethodGet, "/api/v1/tasks?overdue=true", finance, nil).decode(t, &overdue)
	require.Empty(t, overdue.Items)
}
