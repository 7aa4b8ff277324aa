package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestCommitteeTaskForm shows a committee member its task of a campaign (which has no
// dossier) with the campaign, and the completion's rules next to the form; nobody else acts on it.
func TestCommitteeTaskForm(t *testing.T) {
	w := newWorkspace(t)
	ctx := context.Background()
	now := time.Now().UTC()
	win := func(from, to int) models.Window {
		return models.Window{OpensAt: now.Add(time.Duration(from) * time.Hour), ClosesAt: now.Add(time.Duration(to) * time.Hour)}
	}
	c, err := w.store.CreateCampaign(ctx, models.Campaign{ID: uuid.NewString(), Title: "Campagne des communs", EnvelopeCode: "axe1.web",
		BudgetCents: models.Euros(1_000_000), Schedule: models.Schedule{Collection: win(-4, -3), Vote: win(-3, -2), Interest: win(1, 2), Build: win(2, 3)},
		Committee: []models.CommitteeMember{{Subject: admin.Subject, ANCT: true}, {Subject: instructor.Subject}}, Chair: admin.Subject, Quorum: 1,
		BallotSize: 5, ReferentsPerService: 10, Categories: []string{"outils des agents"}, CreatedBy: admin.Subject})
	require.NoError(t, err)
	task := models.CommitteeTask(c.ID, models.TaskCommitteeOpinions, instructor.Subject, 1)
	require.NoError(t, w.store.CreateTask(ctx, task))

	w.signIn(t, instructor)
	status, page, _ := w.get(t, "/")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "/taches/"+task.ID, "the member's home lists its committee task")
	status, page, _ = w.get(t, "/taches/"+task.ID)
	require.Equal(t, http.StatusOK, status, page)
	require.Contains(t, page, "Avis du comité de sélection")
	require.Contains(t, page, "Campagne des communs")
	require.Contains(t, page, `value="opinions"`)
	status, page, _ = w.post(t, "/taches/"+task.ID, url.Values{"_csrf": {csrfOf(t, page)}, "outcome": {"opinions"}})
	require.Equal(t, http.StatusUnprocessableEntity, status, "an opinion on each service is required")
	require.Contains(t, page, `role="alert"`)

	w.signIn(t, applicant)
	status, page, _ = w.get(t, "/taches/"+task.ID)
	require.Equal(t, http.StatusForbidden, status, "a collectivité does not read the committee's work")
	require.Contains(t, page, "Cette tâche est celle du comité de sélection d&#39;une campagne : elle est réservée à ses membres et à l&#39;ANCT.")
}

// TestCommitteeRulesInFrench: the chair's form says the decision's rules, as the models
// word them, in French.
func TestCommitteeRulesInFrench(t *testing.T) {
	c := models.Campaign{ID: "c"}
	services := []models.CandidateService{{ID: uuid.NewString(), Title: "Rendez-vous en mairie", Status: models.ServiceCandidate},
		{ID: uuid.NewString(), Title: "Budget participatif", Status: models.ServiceCandidate}}
	var e *models.Error
	require.ErrorAs(t, c.CheckDecision(models.CommitteeDecision{Services: []models.ServiceDecision{
		{ServiceID: services[0].ID, Selected: true, Reason: "Très attendu."}}}, services), &e)
	for field, fr := range map[string]string{"services[0].budget_cents": "Un service sélectionné a un budget.",
		"services": "Décidez de chaque service candidat : « Budget participatif » manque."} {
		require.Equal(t, fr, fieldMessageFR(e.Fields[field]), field)
	}
	require.ErrorAs(t, c.CheckDecision(models.CommitteeDecision{Services: []models.ServiceDecision{
		{ServiceID: services[0].ID, BudgetCents: 1, Reason: "Pas attendu."}, {ServiceID: services[1].ID, Reason: "Pas attendu."}}}, services), &e)
	require.Equal(t, "Pas de budget pour un service non sélectionné.", fieldMessageFR(e.Fields["services[0].budget_cents"]))
	over := models.CommitteeDecision{Services: []models.ServiceDecision{{ServiceID: services[0].ID, Selected: true, BudgetCents: models.Euros(1_000) + 1}}}
	require.ErrorAs(t, over.CheckBudgets(models.Euros(1_000)), &e)
	require.Equal(t, "Action impossible dans l'état actuel : Les budgets des services sélectionnés (1 000,01 €) dépassent ce qu'il reste sur l'enveloppe de la campagne (1 000,00 €).",
		problemFR(e))
}
