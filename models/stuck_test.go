package models_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestStuckActions(t *testing.T) {
	disbursement := &models.Task{ID: "d.disbursement.0", Type: models.TaskDisbursement, Role: models.RoleFinance}
	vote := &models.Task{ID: "d.jury_decision.0", Type: models.TaskJuryDecision, Role: models.RoleJury, Assignee: "chair"}
	opinion := &models.Task{ID: "c.committee_opinions.0", Type: models.TaskCommitteeOpinions, Role: models.RoleCommittee, Assignee: "comite.amf"}
	signature := &models.Task{ID: "d.convention_signature.0", Type: models.TaskConventionSignature, Role: models.RoleApplicant}
	cases := []struct {
		name string
		row  models.StuckDossier
		task *models.Task
		want []string
	}{
		{"overdue payment: not withdrawable once committed", models.StuckDossier{DossierID: "d", Status: models.StatusAwaitingPayment, Trouble: models.TroubleOverdueTask}, disbursement,
			[]string{"POST /api/v1/tasks/d.disbursement.0/reassign", "POST /api/v1/tasks/d.disbursement.0/extend"}},
		{"overdue vote: personal, but the dossier may be withdrawn", models.StuckDossier{DossierID: "d", Status: models.StatusJury, Trouble: models.TroubleOverdueTask}, vote,
			[]string{"POST /api/v1/tasks/d.jury_decision.0/extend", "POST /api/v1/dossiers/d/withdraw"}},
		{"overdue committee opinion: personal too", models.StuckDossier{DossierID: "d", Status: models.StatusJury, Trouble: models.TroubleOverdueTask}, opinion,
			[]string{"POST /api/v1/tasks/c.committee_opinions.0/extend", "POST /api/v1/dossiers/d/withdraw"}},
		{"overdue signature: a process deadline", models.StuckDossier{DossierID: "d", Status: models.StatusAwaitingSignature, Trouble: models.TroubleOverdueTask}, signature,
			[]string{"POST /api/v1/tasks/d.convention_signature.0/reassign", "POST /api/v1/dossiers/d/withdraw"}},
		{"mismatch, both withdrawable", models.StuckDossier{DossierID: "d", Status: models.StatusPreselection, WorkflowStatus: models.StatusIncomplete, Trouble: models.TroubleStatusMismatch}, nil,
			[]string{"POST /api/v1/dossiers/d/withdraw"}},
		{"mismatch, the workflow past withdrawal", models.StuckDossier{DossierID: "d", Status: models.StatusPreselection, WorkflowStatus: models.StatusAwaitingPayment, Trouble: models.TroubleStatusMismatch}, nil, nil},
		{"no workflow", models.StuckDossier{DossierID: "d", Status: models.StatusPreselection, Trouble: models.TroubleNoWorkflow}, nil, nil},
		{"retrying", models.StuckDossier{DossierID: "d", Status: models.StatusPreselection, Trouble: models.TroubleRetrying}, nil, nil},
	}
	for _, c := range cases {
		require.Equal(t, c.want, models.StuckActions(c.row, c.task), c.name)
	}
}

func TestTaskOverdue(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	for name, c := range map[string]struct {
		task models.Task
		want bool
	}{
		"no due date":                 {models.Task{}, false},
		"due later":                   {models.Task{DueAt: &future}, false},
		"past due, not escalated yet": {models.Task{DueAt: &past}, true},
		"escalated":                   {models.Task{DueAt: &future, EscalatedAt: &past}, true},
	} {
		require.Equal(t, c.want, c.task.Overdue(now), name)
	}
}
