package models

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCommitteeTasksArePersonal(t *testing.T) {
	task := CommitteeTask("c1", TaskCommitteeOpinions, "dinum", 1)
	require.Equal(t, "c1.committee_opinions.1", task.ID)
	require.Equal(t, "campaign-c1", TaskWorkflowID(task))
	require.Equal(t, "dossier-d1", TaskWorkflowID(Task{DossierID: "d1", Type: TaskPreselection}))
	require.Equal(t, "user:dinum", task.Recipient())

	campaign := Campaign{ID: "c1", Committee: []CommitteeMember{{Subject: "anct.chair", ANCT: true}, {Subject: "dinum"}}, Chair: "anct.chair"}
	member := Principal{Subject: "dinum", Roles: []Role{RoleJury}}
	chair := Principal{Subject: "anct.chair", Roles: []Role{RoleAdmin}}
	local := Principal{Subject: "instr.13", Roles: []Role{RoleInstructor}, Departements: []string{"13"}}
	national := Principal{Subject: "instr", Roles: []Role{RoleInstructor}, Departements: []string{AllDepartements}}
	require.True(t, member.CanAct(task))
	require.False(t, chair.CanAct(task), "not even the chair, nor an administrator, acts on a member's task")
	require.False(t, national.CanAct(task))
	require.Contains(t, NotYourTask(task).Error(), "dinum's to complete")
	require.True(t, chair.CanSeeCampaignTask(campaign, task), "a fellow member reads it")
	require.True(t, national.CanSeeCampaignTask(campaign, task), "ANCT reads it")
	require.False(t, local.CanSeeCampaignTask(campaign, task))
}

func TestCommitteeCompletionsNameTheirFieldsUnderData(t *testing.T) {
	const a, b = "0190a1b2-0000-7000-8000-00000000000a", "0190a1b2-0000-7000-8000-00000000000b"
	campaign := Campaign{ID: "c1"}
	services := []CandidateService{{ID: a, Status: ServiceCandidate}, {ID: b, Status: ServiceCandidate}}
	err := OpinionsCompletion{Data: &OpinionsRequest{Opinions: []ServiceOpinion{{ServiceID: a, Comment: "oui"}}}}.Check(campaign, services)
	require.Contains(t, fieldsOf(t, err), "data.opinions")
	decision := &CommitteeDecision{Services: []ServiceDecision{{ServiceID: a, Selected: true, BudgetCents: 100, Reason: "attendu"},
		{ServiceID: b, Selected: true, BudgetCents: 1, Reason: "attendu aussi"}}}
	require.NoError(t, DecisionCompletion{Data: decision}.Check(campaign, services, 101))
	err = DecisionCompletion{Data: decision}.Check(campaign, services, 100)
	require.Equal(t, EConflict, ErrorCode(err), "one cent beyond what the envelope has left")
	decision.Services[1].BudgetCents = 0
	require.Contains(t, fieldsOf(t, DecisionCompletion{Data: decision}.Check(campaign, services, 101)), "data.services[1].budget_cents")
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	e, ok := err.(*Error)
	require.True(t, ok, "%v", err)
	return e.Fields
}
