package activities

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/relance/relance/models"
)

// TestExtendedTaskIsEscalatedAgain: a task escalated, then moved to a new due date, is
// escalated again at that date, once, however often the activities are retried.
func TestExtendedTaskIsEscalatedAgain(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	dossier(t, st, "d1", "217500016", models.KindGuichet, models.GuichetApplication{})
	due := time.Now().UTC().Truncate(time.Second)
	task := models.Task{ID: "d1.disbursement.0", DossierID: "d1", Type: models.TaskDisbursement, Role: models.RoleFinance,
		Scope: models.ScopeNational, DueAt: &due}
	require.NoError(t, st.CreateTask(ctx, task))
	require.NoError(t, a.AlertTask(ctx, TaskAlert{Kind: AlertEscalation, Task: task}))

	later := due.Add(7 * 24 * time.Hour)
	for range 2 {
		got, err := a.ExtendTask(ctx, ExtendInput{TaskID: task.ID, DossierID: "d1", DueAt: later, Previous: due, Actor: "admin",
			Reason: "the payment run is next week", Extension: 1})
		require.NoError(t, err)
		require.Nil(t, got.EscalatedAt)
	}
	task.DueAt = &later
	for range 2 {
		require.NoError(t, a.AlertTask(ctx, TaskAlert{Kind: AlertEscalation, Task: task, Extension: 1}))
	}

	outbox, err := st.Notifications(ctx, "d1", 0, 10)
	require.NoError(t, err)
	require.Len(t, outbox, 2, "one escalation per due date")
	require.Contains(t, outbox[0].Subject, later.Format(time.DateOnly))
	trail, err := st.AuditTrail(ctx, "d1")
	require.NoError(t, err)
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{models.AuditTaskEscalated, models.AuditTaskExtended, models.AuditTaskEscalated}, actions)
	require.Equal(t, "disbursement task due "+later.Format(time.RFC3339)+" (was "+due.Format(time.RFC3339)+"), moved by admin: the payment run is next week",
		trail[1].Detail)
}

// TestReassignedTaskIsAuditedWithItsReason: a reassignment records the new claimant and
// says who had the task, who moved it and why.
func TestReassignedTaskIsAuditedWithItsReason(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	dossier(t, st, "d1", "217500016", models.KindGuichet, models.GuichetApplication{})
	task := models.Task{ID: "d1.disbursement.0", DossierID: "d1", Type: models.TaskDisbursement, Role: models.RoleFinance, Scope: models.ScopeNational}
	require.NoError(t, st.CreateTask(ctx, task))
	env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment() // ClaimTask keys its audit by its activity ID
	env.RegisterActivity(a)
	val, err := env.ExecuteActivity(a.ClaimTask, ClaimInput{TaskID: task.ID, DossierID: "d1", Subject: "finance.bis", Actor: "admin",
		Reason: "finance.anct is on leave", Previous: "finance.anct"})
	require.NoError(t, err)
	var got models.Task
	require.NoError(t, val.Get(&got))
	require.Equal(t, models.TaskClaimed, got.Status)
	require.Equal(t, "finance.bis", got.Assignee)
	trail, err := st.AuditTrail(ctx, "d1")
	require.NoError(t, err)
	require.Len(t, trail, 1)
	require.Equal(t, models.AuditTaskReassigned, trail[0].Action)
	require.Equal(t, "admin", trail[0].Actor)
	require.Equal(t, "reassigned from finance.anct to finance.bis by admin: finance.anct is on leave", trail[0].Detail)
}
