package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestWorkspaceAxe1Committee: once an Axe 1 campaign's vote has closed, its committee sits
// in a real browser. A member finds the opinions task on their home page, is told off in
// French for opinions without comments (what was typed kept), then gives them; a second
// member gives theirs (the quorum); the chair is told off for a budget that is not an
// amount, then for one over the envelope, and decides: one service selected with a budget,
// one not. The envelope reserves that budget to the cent, and the committee's page and the
// public campaign page show the decision with its reasons.
func TestWorkspaceAxe1Committee(t *testing.T) {
	paris, rennes := applicantOf(sirenParis), applicantOf(sirenRennes)
	chair := models.Principal{Subject: "anct.chair", Name: "Présidente du comité", Roles: []models.Role{models.RoleAdmin}}
	dinum := models.Principal{Subject: "dinum", Name: "Membre DINUM", Roles: []models.Role{models.RoleJury}}
	region := models.Principal{Subject: "region", Name: "Membre Régions de France", Roles: []models.Role{models.RoleJury}}
	s, b := startWorkspace(t, nil, chair, dinum, region)
	admin, instr := s.token(t, administrator), s.token(t, instructor)

	// A campaign (committee: the chair, dinum and region; quorum 2) collecting now; two
	// proposals, accepted, each its own candidate service.
	const envelope = "axe1.navcomite"
	r := s.call(t, http.MethodPost, "/api/v1/campaigns", admin, campaignBody(envelope, time.Now().Add(2*time.Second).UTC(), time.Hour, time.Hour, time.Hour, time.Hour))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var c models.Campaign
	r.decode(t, &c)
	base := "/api/v1/campaigns/" + c.ID
	s.waitPhase(t, admin, c.ID, models.PhaseCollection)
	service := func(proposer models.Principal, proposal map[string]any, title string, cost models.Cents) models.CandidateService {
		t.Helper()
		r := s.call(t, http.MethodPost, base+"/proposals", s.token(t, proposer), proposal)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(t, &d)
		complete(t, s, instr, openTask(t, s, instr, d.ID, models.TaskProposalReview), models.OutcomeAccept, "", nil, models.StatusAccepted)
		r = s.call(t, http.MethodPost, base+"/services", instr, map[string]any{"title": title, "description": proposal["description"],
			"proposal_ids": []string{d.ID}, "estimated_cost_cents": cost})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var svc models.CandidateService
		r.decode(t, &svc)
		return svc
	}
	rdv := service(paris, existingServiceProposal(), "Rendez-vous en mairie", models.Euros(350_000))
	budget := service(rennes, needProposal(), "Budget participatif", models.Euros(120_000))

	// The vote is brought to now; both collectivités vote for the appointments; the vote is closed.
	now := time.Now().UTC()
	sch := c.Schedule
	sch.Collection.ClosesAt = now.Add(2 * time.Second)
	sch.Vote = models.Window{OpensAt: now.Add(2 * time.Second), ClosesAt: now.Add(time.Hour)}
	moveSchedule(t, s, admin, c.ID, sch)
	s.waitPhase(t, admin, c.ID, models.PhaseVote)
	for _, p := range []models.Principal{paris, rennes} {
		r = s.call(t, http.MethodPut, base+"/ballot", s.token(t, p), map[string]any{"service_ids": []string{rdv.ID}})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	}
	now = time.Now().UTC()
	sch.Vote.ClosesAt = now.Add(2 * time.Second)
	sch.Interest = models.Window{OpensAt: now.Add(2 * time.Second), ClosesAt: now.Add(time.Hour)}
	moveSchedule(t, s, admin, c.ID, sch)
	s.waitPhase(t, admin, c.ID, models.PhaseInterest)

	// A member finds their opinions task at home; opinions without comments are told off.
	opinions := func(member models.Principal, i int) string {
		t.Helper()
		task := models.CommitteeTask(c.ID, models.TaskCommitteeOpinions, member.Subject, i).ID
		b.signIn(member)
		b.eventually("/", `#tache-`+cssID(task), "Avis du comité")
		b.requireText(`#tache-`+cssID(task), "Campagne de co-construction")
		b.accessible("home with a committee task")
		b.run(chromedp.Click(css(`#tache-`+cssID(task)+` a`)), chromedp.WaitVisible(css(`#legend-`+rdv.ID)))
		b.requireText(`h1`, "Avis du comité")
		return task
	}
	task := opinions(dinum, 1)
	b.accessible("committee opinions")
	legends := value(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('legend')].map(l => l.textContent)`))
	require.Len(t, legends, 2)
	require.Contains(t, legends[0], "Rendez-vous en mairie — 2 bulletin(s)", "in the order of the results")
	require.Contains(t, legends[1], "Budget participatif — 0 bulletin(s)")
	b.run(chromedp.Click(css(`label[for="choice-`+rdv.ID+`-oui"]`)), chromedp.SendKeys(css(`#text-`+rdv.ID), "ok"))
	b.submit("/taches/"+task, `#text-`+budget.ID+`-error`)
	b.requireText(`#text-`+rdv.ID+`-error`, "Au moins 3 caractères.")
	b.requireText(`#text-`+budget.ID+`-error`, "Ce champ ne peut pas rester vide.")
	require.Equal(t, "ok", value(b, chromedp.Value(css(`#text-`+rdv.ID))), "what was typed is kept")
	require.True(t, value(b, chromedp.Evaluate[bool](`document.querySelector('#choice-`+rdv.ID+`-oui').checked`)), "the choice is kept")
	b.accessible("committee opinions with errors")
	b.screenshot("comite-avis")
	b.run(chromedp.Clear(css(`#text-`+rdv.ID)), chromedp.SendKeys(css(`#text-`+rdv.ID), "Le service le plus demandé."),
		chromedp.SendKeys(css(`#text-`+budget.ID), "Des outils existent déjà."))
	b.submit("/taches/"+task, `.fr-alert--success`)
	b.requireText(`.fr-alert--success`, "La tâche est terminée.")
	b.run(chromedp.Navigate(b.url+"/taches?onglet=traites"), chromedp.WaitVisible(css(`#liste`)))
	b.requireText(`#tache-`+cssID(task), "Avis donné")

	// A second member gives theirs: the quorum has answered.
	task = opinions(region, 2)
	b.run(chromedp.Click(css(`label[for="choice-`+rdv.ID+`-oui"]`)), chromedp.SendKeys(css(`#text-`+rdv.ID), "Attendu par les territoires."),
		chromedp.SendKeys(css(`#text-`+budget.ID), "Pas prioritaire."))
	b.submit("/taches/"+task, `.fr-alert--success`)
	b.requireText(`.fr-alert--success`, "La tâche est terminée.")

	// The chair decides: a budget that is not an amount, then one over the envelope, first.
	decision := models.CommitteeTask(c.ID, models.TaskCommitteeDecision, chair.Subject, 0).ID
	b.signIn(chair)
	b.eventually("/", `#tache-`+cssID(decision), "Décision du comité")
	b.run(chromedp.Click(css(`#tache-`+cssID(decision)+` a`)), chromedp.WaitVisible(css(`#budget-`+rdv.ID)))
	b.run(chromedp.Click(css(`label[for="choice-`+rdv.ID+`-oui"]`)), chromedp.SendKeys(css(`#budget-`+rdv.ID), "beaucoup"),
		chromedp.SendKeys(css(`#text-`+rdv.ID), "Le service le plus demandé par les collectivités."),
		chromedp.SendKeys(css(`#text-`+budget.ID), "Des solutions existent déjà sur le marché."))
	b.submit("/taches/"+decision, `#budget-`+rdv.ID+`-error`)
	b.requireText(`#budget-`+rdv.ID+`-error`, "Un montant en euros")
	require.Equal(t, "Le service le plus demandé par les collectivités.", value(b, chromedp.Value(css(`#text-`+rdv.ID))), "what was typed is kept")
	b.run(chromedp.Clear(css(`#budget-`+rdv.ID)), chromedp.SendKeys(css(`#budget-`+rdv.ID), "5 000 000,01"))
	b.submit("/taches/"+decision, `#probleme`)
	b.requireText(`#probleme`, "Les budgets des services sélectionnés (5 000 000,01 €) dépassent ce qu'il reste sur l'enveloppe de la campagne (5 000 000,00 €).")
	b.accessible("committee decision with errors")
	b.screenshot("comite-decision")
	b.run(chromedp.Clear(css(`#budget-`+rdv.ID)), chromedp.SendKeys(css(`#budget-`+rdv.ID), "312 345,67"))
	b.submit("/taches/"+decision, `.fr-alert--success`)
	b.requireText(`.fr-alert--success`, "La tâche est terminée.")

	// The envelope reserved the budget to the cent; the committee's page shows the decision.
	b.eventually("/campagnes/"+c.ID+"/comite", `#decisions`, "Rendez-vous en mairie : Sélectionné, budget 312 345,67 € — Le service le plus demandé par les collectivités.")
	b.requireText(`#decisions`, "Budget participatif : Non sélectionné — Des solutions existent déjà sur le marché.")
	b.requireText(`#resultats`, "dinum : sélectionner — Le service le plus demandé.")
	b.requireText(`#resultats`, "region : ne pas sélectionner — Pas prioritaire.")
	b.accessible("committee session")
	var envs struct {
		Items []models.Envelope `json:"items"`
	}
	s.call(t, http.MethodGet, "/api/v1/envelopes", admin, nil).decode(t, &envs)
	reserved := models.Cents(-1)
	for _, e := range envs.Items {
		if e.Code == envelope {
			reserved = e.ReservedCents
		}
	}
	require.Equal(t, models.Euros(312_345)+67, reserved)
	b.run(chromedp.Navigate(b.url+"/grand-livre?enveloppe="+envelope), chromedp.WaitVisible(css(`table`)))
	b.requireText(`table tbody`, "Réservation")
	b.requireText(`table tbody`, "312 345,67 €")

	// Anyone reads the decision on the campaign's public page, with its reasons.
	b.signOut()
	b.run(chromedp.Navigate(b.url+"/campagnes/"+c.ID), chromedp.WaitVisible(css(`#services`)))
	b.requireText(`#service-`+rdv.ID, "Sélectionné, budget 312 345,67 €")
	b.requireText(`#service-`+rdv.ID, "Motif : Le service le plus demandé par les collectivités.")
	b.requireText(`#service-`+budget.ID, "Non sélectionné")
	b.requireText(`#service-`+budget.ID, "Motif : Des solutions existent déjà sur le marché.")
}
