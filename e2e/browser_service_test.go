package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestWorkspaceServiceBuildAndDelivery: a candidate service is selected (through the API),
// then ANCT and finance build and deploy it in a real browser, from its route to its
// delivery, told off in French where a form is wrong (nothing typed lost), the service's
// page following the payments and the budget left to the cent; the Territoires Store then
// shows its route, its référent and how to join it.
func TestWorkspaceServiceBuildAndDelivery(t *testing.T) {
	rennes := applicantOf(sirenRennes)
	s, b := startWorkspace(t, nil, instructor, financeOfficer, rennes)
	admin, instr, fin := s.token(t, administrator), s.token(t, instructor), s.token(t, financeOfficer)

	// A campaign whose vote closes within seconds; one proposal, accepted, grouped into a service.
	body := campaignBody("axe1.navbuild", time.Now().Add(2*time.Second).UTC(), 12*time.Second, 4*time.Second, time.Hour, time.Hour)
	body["referents_per_service"] = 1
	r := s.call(t, http.MethodPost, "/api/v1/campaigns", admin, body)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var c models.Campaign
	r.decode(t, &c)
	base := "/api/v1/campaigns/" + c.ID
	s.waitPhase(t, admin, c.ID, models.PhaseCollection)
	r = s.call(t, http.MethodPost, base+"/proposals", s.token(t, rennes), existingServiceProposal())
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var proposal models.Dossier
	r.decode(t, &proposal)
	complete(t, s, instr, openTask(t, s, instr, proposal.ID, models.TaskProposalReview), models.OutcomeAccept, "", nil, models.StatusAccepted)
	r = s.call(t, http.MethodPost, base+"/services", instr, map[string]any{"title": "Rendez-vous en mairie",
		"description": "Prise de rendez-vous en ligne, mutualisée entre communes.", "proposal_ids": []string{proposal.ID},
		"estimated_cost_cents": models.Euros(2_500_000), "cost_note": "devis de l'opérateur"})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var svc models.CandidateService
	r.decode(t, &svc)

	// The vote closes; the committee gives its opinions and its chair selects the service.
	s.waitPhase(t, admin, c.ID, models.PhaseVote)
	s.waitPhase(t, admin, c.ID, models.PhaseInterest)
	opinions := map[string]any{"opinions": []map[string]any{{"service_id": svc.ID, "select": true, "comment": "attendu"}}}
	chair := s.token(t, models.Principal{Subject: "anct.chair", Roles: []models.Role{models.RoleAdmin}})
	for _, tok := range []string{chair, s.token(t, models.Principal{Subject: "dinum", Roles: []models.Role{models.RoleJury}})} {
		// The members' tasks open once the campaign's workflow has seen the vote close,
		// which may come a little after the phase shows.
		waitInboxTask(t, s, tok, models.TaskCommitteeOpinions)
		r = s.call(t, http.MethodPut, base+"/committee/opinions", tok, opinions)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	}
	r = s.call(t, http.MethodPost, base+"/decision", chair, map[string]any{"services": []map[string]any{
		{"service_id": svc.ID, "selected": true, "budget_cents": models.Euros(3_000_000), "reason": "attendu par les votants"}}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPost, base+"/services/"+svc.ID+"/interest", s.token(t, rennes),
		map[string]any{"contact": "dsi@rennes.example", "use_case": "Piloter la prise de rendez-vous pour les titres."})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPost, base+"/services/"+svc.ID+"/referents", instr, map[string]any{"siren": sirenRennes})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))

	day := func(n int) string { return time.Now().AddDate(0, 0, n).Format(time.DateOnly) }
	page := func(taskID, sel string) {
		b.run(chromedp.Navigate(b.url+"/taches/"+taskID), chromedp.WaitVisible(css(sel)))
	}
	done := func(taskID string) {
		b.submit("/taches/"+taskID, `.fr-alert--success`)
		b.requireText(`.fr-alert--success`, "La tâche est terminée.")
	}

	// ANCT finds the service from the campaign's page, and records its route: a note too
	// short and a milestone without a date first.
	b.signIn(instructor)
	b.run(chromedp.Navigate(b.url+"/campagnes/"+c.ID), chromedp.WaitVisible(css(`#construction-`+svc.ID)))
	b.run(chromedp.Click(css(`#construction-`+svc.ID)), chromedp.WaitVisible(css(`#service`)))
	b.requireText(`h1`, "Service candidat (Axe 1) — Rendez-vous en mairie")
	b.requireText(`#construction`, "Pas encore choisie")
	route := openTask(t, s, instr, svc.ID, models.TaskServiceRoute)
	page(route, `#route`)
	b.run(chromedp.Click(css(`label[for="outcome-routed"]`)), chromedp.Click(css(`label[for="route-deploy_existing"]`)),
		chromedp.SendKeys(css(`#note`), "court"), chromedp.Click(css(`label[for="legal_study"]`)))
	b.setValue("investigation_due", day(30))
	b.setValue("deployment_due", day(180))
	b.submit("/taches/"+route, `#note-error`)
	b.requireText(`#note-error`, "Au moins 10 caractères.")
	b.requireText(`#beta_due-error`, "Ce champ est obligatoire.")
	require.True(t, value(b, chromedp.Evaluate[bool](`document.querySelector('#legal_study').checked && document.querySelector('#route-deploy_existing').checked`)),
		"what was ticked is kept")
	b.accessible("service route form with errors")
	b.screenshot("service-voie")
	b.run(chromedp.Clear(css(`#note`)), chromedp.SendKeys(css(`#note`), "Déployer le service existant sous une gouvernance des collectivités"))
	b.setValue("beta_due", day(90))
	done(route)

	// Finance pays part of the budget: an amount that is not one first.
	b.signIn(financeOfficer)
	payment := openTask(t, s, fin, svc.ID, models.TaskServicePayment)
	page(payment, `#amount`)
	b.requireText(`#reste`, "3 000 000,00 €")
	b.run(chromedp.Click(css(`label[for="outcome-paid"]`)), chromedp.SendKeys(css(`#amount`), "beaucoup"),
		chromedp.SendKeys(css(`#reference`), "VIR-2026-001"), chromedp.SendKeys(css(`#comment`), "virement à l'opérateur"))
	b.setValue("paid_on", day(0))
	b.submit("/taches/"+payment, `#amount-error`)
	b.requireText(`#amount-error`, "Un montant en euros")
	b.accessible("service payment form with errors")
	b.run(chromedp.Clear(css(`#amount`)), chromedp.SendKeys(css(`#amount`), "1 200 000,33"))
	done(payment)

	// ANCT's legal study sets the vehicle and its funding; the three milestones are reached.
	b.signIn(instructor)
	study := openTask(t, s, instr, svc.ID, models.TaskServiceLegalStudy)
	page(study, `#vehicle`)
	b.run(chromedp.Click(css(`label[for="outcome-studied"]`)), chromedp.SendKeys(css(`#vehicle_name`), "SCIC Rendez-vous"),
		chromedp.SendKeys(css(`#funding`), "250 000"), chromedp.SendKeys(css(`#comment`), "Une SCIC associe collectivités, opérateur et usagers"))
	b.submit("/taches/"+study, `#vehicle-error`)
	b.requireText(`#vehicle-error`, "Choisissez une valeur de la liste.")
	b.accessible("legal study form with errors")
	b.run(chromedp.Click(css(`label[for="vehicle-scic"]`)))
	done(study)
	for _, typ := range models.ServiceMilestones {
		id := openTask(t, s, instr, svc.ID, typ)
		page(id, `#reached_on`)
		b.run(chromedp.Click(css(`label[for="outcome-reached"]`)), chromedp.SendKeys(css(`#comment`), "jalon atteint avec les référents"))
		b.setValue("reached_on", day(0))
		done(id)
	}

	// Finance pays the vehicle the funding the study set.
	b.signIn(financeOfficer)
	vehicle := openTask(t, s, fin, svc.ID, models.TaskServiceVehicle)
	page(vehicle, `#financement`)
	b.requireText(`#financement`, "250 000,00 €")
	b.run(chromedp.Click(css(`label[for="outcome-paid"]`)), chromedp.SendKeys(css(`#reference`), "VIR-2026-SCIC"))
	b.setValue("paid_on", day(0))
	done(vehicle)
	b.eventually("/dossiers/"+svc.ID, `#paye`, "1 450 000,33 €")
	b.requireText(`#reste`, "1 549 999,67 €")
	b.requireText(`#construction`, "Déploiement d'un service existant")
	b.requireText(`#construction`, "SCIC Rendez-vous")
	b.requireText(`#jalons`, "Jalon : déploiement")
	b.accessible("service build")
	b.screenshot("service-construction")

	// ANCT delivers it: the Territoires Store shows how to join it.
	b.signIn(instructor)
	delivery := openTask(t, s, instr, svc.ID, models.TaskServiceDelivery)
	page(delivery, `#how_to_join`)
	b.run(chromedp.Click(css(`label[for="outcome-delivered"]`)), chromedp.SendKeys(css(`#how_to_join`), "Signer la convention d'adhésion à la SCIC"))
	b.submit("/taches/"+delivery, `#contact-error`)
	b.requireText(`#contact-error`, "Ce champ ne peut pas rester vide.")
	b.run(chromedp.SendKeys(css(`#contact`), "rdv@territoires.example"))
	done(delivery)
	b.eventually("/territoires-store", `#store-`+svc.ID, "Signer la convention d'adhésion à la SCIC")
	b.requireText(`#store-`+svc.ID, "Déploiement d'un service existant")
	b.requireText(`#store-`+svc.ID, "Rennes")
	b.requireText(`#store-`+svc.ID, "rdv@territoires.example")
	b.accessible("territoires store")
	b.screenshot("territoires-store")

	// The service's history, written in English by its workflow and the store, reads in French.
	b.eventually("/dossiers/"+svc.ID, `#historique`, "Service livré — publié au Territoires Store")
	for _, want := range []string{"Service candidat créé — « Rendez-vous en mairie », coût estimé à 2 500 000,00 €",
		"Tâche ouverte — « Choix de la voie d'un service » pour le rôle Instruction", "Voie choisie — Déploiement d'un service existant",
		"payés sur le budget du service (paiement n° 1)", "Tâche annulée — « Paiement sur le budget d'un service » — le service est livré"} {
		b.requireText(`#historique`, want)
	}
	history := b.text(`#historique`)
	for _, english := range []string{"task for", "estimated at", "selected with", "paid against", "published in", "claimed by", "must not be blank", "invalid input"} {
		require.NotContains(t, history, english)
	}
}
