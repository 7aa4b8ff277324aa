package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// queryOpenTasks asks the running workflow for its open tasks after a delay of workflow time.
func (s *workflowSuite) queryOpenTasks(t *testing.T, after time.Duration) *[]OpenTaskView {
	out := new([]OpenTaskView)
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflow(QueryOpenTasks)
		require.NoError(t, err)
		require.NoError(t, v.Get(out))
	}, after)
	return out
}

// TestGuichetOpenTasksQuery asks a funded guichet dossier what it waits for: the finance
// officer's disbursement, with its due date, then claimed, then overdue, then nothing.
func TestGuichetOpenTasksQuery(t *testing.T) {
	s := newGuichetEnv(t)
	s.capFree()
	s.env.OnActivity(acts.CheckGuichetCompliance, mock.Anything, testDossier).Return(activities.Compliance{Version: "franceconnect-2021.1"}, nil).Once()
	s.env.OnActivity(acts.FundGuichet, mock.Anything, testDossier).Return(activities.Funding{Funded: true, GrantedCents: 500_000}, nil).Once()
	s.env.OnActivity(acts.ClaimTask, mock.Anything, mock.Anything).Return(models.Task{}, nil).Once()
	s.env.OnActivity(acts.PayGrant, mock.Anything, mock.Anything).Return(models.LedgerEntry{}, nil).Once()
	start := s.env.Now().UTC()
	taskID := models.TaskID(testDossier, models.TaskDisbursement, 0)

	first := s.queryOpenTasks(t, time.Hour)
	s.update(2*time.Hour, UpdateClaimTask, ClaimTaskRequest{TaskID: taskID, Actor: finance})
	claimed := s.queryOpenTasks(t, 3*time.Hour)
	overdue := s.queryOpenTasks(t, 31*day)
	s.complete(32*day, taskID, finance, "paid", "", models.Payment{PaidOn: start.Format(time.DateOnly), Reference: "VIR-1"})
	s.env.ExecuteWorkflow(GuichetWorkflowName, GuichetInput{DossierID: testDossier, Siren: testSiren, Kind: models.GuichetFranceConnect,
		SubmittedBy: applicant.Subject})
	require.Equal(t, models.StatusPaid, s.result(t).Status)

	due := start.Add(30 * day)
	want := OpenTaskView{ID: taskID, Type: models.TaskDisbursement, Role: models.RoleFinance, Scope: models.ScopeNational.String(), DueAt: &due}
	require.Len(t, *first, 1)
	require.True(t, due.Equal(*(*first)[0].DueAt), "due 30 days after funding")
	(*first)[0].DueAt = &due
	require.Equal(t, []OpenTaskView{want}, *first)
	require.Len(t, *claimed, 1)
	require.Equal(t, finance.Subject, (*claimed)[0].ClaimedBy)
	require.False(t, (*claimed)[0].Overdue)
	require.Len(t, *overdue, 1)
	require.True(t, (*overdue)[0].Overdue, "past its due date")

	// Once closed, the workflow answers queries with no open task.
	v, err := s.env.QueryWorkflow(QueryOpenTasks)
	require.NoError(t, err)
	var after []OpenTaskView
	require.NoError(t, v.Get(&after))
	require.Empty(t, after)
}

// TestAAPOpenTasksQuery lists the jury's votes, one per member with the member as assignee.
func TestAAPOpenTasksQuery(t *testing.T) {
	s := newAAPEnv(t, 2, chair, member2, member3)
	preselection := s.queryOpenTasks(t, time.Hour)
	s.complete(2*time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
	jury := s.queryOpenTasks(t, 3*time.Hour)
	for i, m := range []models.Principal{chair, member2, member3} {
		s.complete(time.Duration(4+i)*time.Hour, taskOf(models.TaskJuryDecision, i), m, string(models.VoteRefuse), "avis motivé", nil)
	}
	s.start()
	require.Equal(t, models.StatusRefused, s.result(t).Status)

	require.Len(t, *preselection, 1)
	require.Equal(t, models.TaskPreselection, (*preselection)[0].Type)
	require.Equal(t, models.RoleInstructor, (*preselection)[0].Role)
	require.Equal(t, models.ScopeNational.String(), (*preselection)[0].Scope, "the preselection scope of the call")
	require.NotNil(t, (*preselection)[0].DueAt)

	require.Len(t, *jury, 3)
	for i, m := range []models.Principal{chair, member2, member3} {
		require.Equal(t, models.TaskJuryDecision, (*jury)[i].Type)
		require.Equal(t, m.Subject, (*jury)[i].Assignee)
	}
}
