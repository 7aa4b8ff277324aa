package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/relance/relance/models"
)

// demoCampaign is an Axe 1 campaign of the demo, with what its process needs to be shown.
type demoCampaign struct {
	id    string
	title string
}

// coConstruction seeds Axe 1: two consultation campaigns whose collection opens at once.
// The first runs through its vote in seconds: its committee selects « Prise de rendez-vous
// en mairie » (Rennes its référent), which is built and delivered into the Territoires
// Store, and does not select « Budget participatif partagé ». The second stays in its vote
// for a month, with two candidate services and the ballots cast so far.
func (c demoClient) coConstruction() error {
	start := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second)
	voteOpens := start.Add(6 * time.Second)
	delivered, err := c.createCampaign("axe1.demo1", "Services de proximité — première campagne", models.Euros(2_000_000), models.Schedule{
		Collection: models.Window{OpensAt: start, ClosesAt: voteOpens},
		Vote:       models.Window{OpensAt: voteOpens, ClosesAt: voteOpens.Add(4 * time.Second)},
		Interest:   models.Window{OpensAt: voteOpens.Add(4 * time.Second), ClosesAt: voteOpens.Add(10 * time.Minute)},
		Build:      models.Window{OpensAt: voteOpens.Add(10 * time.Minute), ClosesAt: voteOpens.AddDate(2, 0, 0)},
	})
	if err != nil {
		return err
	}
	voting, err := c.createCampaign("axe1.demo2", "Services de proximité — deuxième campagne", models.Euros(3_000_000), models.Schedule{
		Collection: models.Window{OpensAt: start, ClosesAt: voteOpens},
		Vote:       models.Window{OpensAt: voteOpens, ClosesAt: voteOpens.AddDate(0, 1, 0)},
		Interest:   models.Window{OpensAt: voteOpens.AddDate(0, 1, 0), ClosesAt: voteOpens.AddDate(0, 2, 0)},
		Build:      models.Window{OpensAt: voteOpens.AddDate(0, 2, 0), ClosesAt: voteOpens.AddDate(2, 0, 0)},
	})
	if err != nil {
		return err
	}
	if err := c.waitPhase(delivered, models.PhaseCollection); err != nil {
		return err
	}

	// Collection: needs and existing services, from collectivités and a partner, each
	// accepted into the vote by ANCT, then grouped before the vote opens.
	proposals := map[string]string{}
	for _, p := range []struct {
		key, who string
		campaign demoCampaign
		body     map[string]any
	}{
		{"rdv-paris", "APPLICANT", delivered, existingService("Prise de rendez-vous en mairie", "relation_usagers",
			"Prise de rendez-vous en ligne pour les titres d'identité, mutualisée entre communes.", "Ville de Paris", "https://rdv.paris.example")},
		{"rdv-rennes", "APPLICANT_RENNES", delivered, need("Rendez-vous pour les titres d'identité", "relation_usagers",
			"Nos habitants attendent des semaines un rendez-vous pour une carte d'identité ou un passeport.")},
		{"budget-partner", "PARTNER", delivered, partnerNeed("Budget participatif partagé", "participation_citoyenne",
			"Un outil de budget participatif que plusieurs communes partagent, du dépôt des idées au vote.", "Association Numérique en commun")},
		{"voirie-lyon", "APPLICANT_LYON", voting, need("Signalement des incidents de voirie", "services_urbains",
			"Les habitants signalent un nid-de-poule ou un éclairage en panne, avec une photo, et suivent sa réparation.")},
		{"voirie-marseille", "APPLICANT_MARSEILLE", voting, need("Signaler un problème dans l'espace public", "services_urbains",
			"Un service de signalement partagé entre les services techniques de la ville et de la métropole.")},
		{"famille-cd13", "APPLICANT_BDR", voting, existingService("Portail des démarches enfance-famille", "relation_usagers",
			"Inscriptions à la crèche, à la cantine et aux activités périscolaires en un seul compte.", "Département des Bouches-du-Rhône", "https://famille.cd13.example")},
	} {
		var d models.Dossier
		if err := c.do(p.who, http.MethodPost, "/api/v1/campaigns/"+p.campaign.id+"/proposals", p.body, &d); err != nil {
			return err
		}
		proposals[p.key] = d.ID
	}
	for _, id := range proposals {
		d, err := c.waitFor("INSTRUCTOR_ANCT", id, models.StatusReview)
		if err != nil {
			return err
		}
		if err := c.complete("INSTRUCTOR_ANCT", d.openTask(models.TaskProposalReview, ""), models.OutcomeAccept, "Dans le champ de la campagne.", nil); err != nil {
			return err
		}
		if _, err := c.waitFor("INSTRUCTOR_ANCT", id, models.StatusAccepted); err != nil {
			return err
		}
	}
	rdv, err := c.group(delivered, "Prise de rendez-vous en mairie", models.Euros(900_000), proposals["rdv-paris"], proposals["rdv-rennes"])
	if err != nil {
		return err
	}
	budget, err := c.group(delivered, "Budget participatif partagé", models.Euros(1_500_000), proposals["budget-partner"])
	if err != nil {
		return err
	}
	voirie, err := c.group(voting, "Signalement dans l'espace public", models.Euros(700_000), proposals["voirie-lyon"], proposals["voirie-marseille"])
	if err != nil {
		return err
	}
	famille, err := c.group(voting, "Portail enfance-famille", models.Euros(1_200_000), proposals["famille-cd13"])
	if err != nil {
		return err
	}

	// The vote: one ballot per collectivité.
	if err := c.waitPhase(delivered, models.PhaseVote); err != nil {
		return err
	}
	for _, b := range []struct {
		who      string
		campaign demoCampaign
		services []string
	}{
		{"APPLICANT", delivered, []string{rdv}}, {"APPLICANT_RENNES", delivered, []string{rdv, budget}},
		{"APPLICANT_LYON", delivered, []string{rdv}}, {"APPLICANT_RENNES_METROPOLE", delivered, []string{rdv}},
		{"APPLICANT_MARSEILLE", delivered, []string{budget}},
		{"APPLICANT_LYON", voting, []string{voirie}}, {"APPLICANT_MARSEILLE", voting, []string{voirie, famille}},
		{"APPLICANT_BDR", voting, []string{famille}}, {"APPLICANT_SAINT_MALO", voting, []string{voirie}},
	} {
		if err := c.do(b.who, http.MethodPut, "/api/v1/campaigns/"+b.campaign.id+"/ballot", map[string]any{"service_ids": b.services}, nil); err != nil {
			return err
		}
	}

	// The first campaign's committee: two opinions make the quorum, then the chair decides.
	if err := c.waitPhase(delivered, models.PhaseInterest); err != nil {
		return err
	}
	opinions := map[string]any{"opinions": []map[string]any{
		{"service_id": rdv, "select": true, "comment": "Attendu par de nombreuses communes"},
		{"service_id": budget, "select": false, "comment": "Des solutions existent déjà sur le marché"}}}
	for _, who := range []string{"COMMITTEE_CHAIR", "COMMITTEE_AMF"} {
		if err := c.retry(who, http.MethodPut, "/api/v1/campaigns/"+delivered.id+"/committee/opinions", opinions); err != nil {
			return err
		}
	}
	if err := c.retry("COMMITTEE_CHAIR", http.MethodPost, "/api/v1/campaigns/"+delivered.id+"/decision", map[string]any{"services": []map[string]any{
		{"service_id": rdv, "selected": true, "budget_cents": models.Euros(900_000), "reason": "Plébiscité au vote, un service existant à déployer"},
		{"service_id": budget, "selected": false, "reason": "Des solutions existent déjà sur le marché"}}}); err != nil {
		return err
	}

	// Expressions of interest: Rennes becomes the référent, Paris waits on the list.
	interest := map[string]any{"contact": "dsi@mairie.example", "use_case": "Piloter la prise de rendez-vous pour les titres d'identité."}
	for _, who := range []string{"APPLICANT_RENNES", "APPLICANT"} {
		if err := c.retry(who, http.MethodPost, "/api/v1/campaigns/"+delivered.id+"/services/"+rdv+"/interest", interest); err != nil {
			return err
		}
	}
	if err := c.do("INSTRUCTOR_ANCT", http.MethodPost, "/api/v1/campaigns/"+delivered.id+"/services/"+rdv+"/referents",
		map[string]any{"siren": "213502388"}, nil); err != nil {
		return err
	}
	return c.buildAndDeliver(rdv)
}

// buildAndDeliver takes a selected service through its route, milestones and a payment to
// its delivery into the Territoires Store.
func (c demoClient) buildAndDeliver(serviceID string) error {
	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }
	steps := []demoStep{
		{"INSTRUCTOR_ANCT", models.TaskServiceRoute, models.OutcomeRouted, "", map[string]any{"route": models.RouteDeployExisting,
			"note": "Déployer le service de Paris sous une gouvernance des collectivités", "investigation_due": day(30), "beta_due": day(90),
			"deployment_due": day(180)}},
		{"FINANCE", models.TaskServicePayment, models.OutcomePaid, "Première tranche à l'opérateur",
			map[string]any{"amount_cents": models.Euros(350_000), "paid_on": day(0), "reference": "VIR-AX1-001"}},
	}
	for _, typ := range models.ServiceMilestones {
		steps = append(steps, demoStep{"INSTRUCTOR_ANCT", typ, models.OutcomeReached, "Jalon atteint avec les référents", map[string]any{"reached_on": day(0)}})
	}
	for _, s := range steps {
		if err := c.waitForTask(s.who, serviceID, s.task); err != nil {
			return err
		}
		d, err := c.waitFor(s.who, serviceID, models.StatusSelected)
		if err != nil {
			return err
		}
		if err := c.complete(s.who, d.openTask(s.task, ""), s.outcome, s.comment, s.data); err != nil {
			return err
		}
	}
	if err := c.waitForTask("INSTRUCTOR_ANCT", serviceID, models.TaskServiceDelivery); err != nil {
		return err
	}
	d, err := c.waitFor("INSTRUCTOR_ANCT", serviceID, models.StatusSelected)
	if err != nil {
		return err
	}
	return c.complete("INSTRUCTOR_ANCT", d.openTask(models.TaskServiceDelivery, ""), models.OutcomeDelivered, "", map[string]any{
		"how_to_join": "Signer la convention d'adhésion avec l'ANCT ; les territoires référents accompagnent les nouveaux venus.",
		"contact":     "rdv-mairie@anct.example"})
}

// demoStep is a task a demo person completes once it opens.
type demoStep struct {
	who     string
	task    models.TaskType
	outcome string
	comment string
	data    map[string]any
}

func (c demoClient) createCampaign(envelope, title string, budget models.Cents, sch models.Schedule) (demoCampaign, error) {
	var out models.Campaign
	err := c.do("ADMIN", http.MethodPost, "/api/v1/campaigns", map[string]any{
		"title": title, "schedule": sch, "envelope_code": envelope, "budget_cents": budget,
		"committee": []models.CommitteeMember{{Subject: "comite.anct", Name: "Présidente du comité (ANCT)", ANCT: true},
			{Subject: "comite.amf", Name: "Membre du comité — AMF"}, {Subject: "comite.dinum", Name: "Membre du comité — DINUM"}},
		"chair": "comite.anct", "quorum": 2, "ballot_size": 3, "referents_per_service": 2,
	}, &out)
	return demoCampaign{id: out.ID, title: title}, err
}

// group makes a candidate service of proposals, with its estimated cost.
func (c demoClient) group(campaign demoCampaign, title string, cost models.Cents, proposals ...string) (string, error) {
	var svc models.CandidateService
	err := c.do("INSTRUCTOR_ANCT", http.MethodPost, "/api/v1/campaigns/"+campaign.id+"/services", map[string]any{
		"title": title, "description": "Un service candidat, regroupant des propositions semblables de la campagne.",
		"proposal_ids": proposals, "estimated_cost_cents": cost, "cost_note": "Estimation de l'Incubateur des Territoires"}, &svc)
	return svc.ID, err
}

// waitPhase waits for a campaign's process to record a phase.
func (c demoClient) waitPhase(campaign demoCampaign, phase models.Phase) error {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var got models.Campaign
		if err := c.do("ADMIN", http.MethodGet, "/api/v1/campaigns/"+campaign.id, nil, &got); err != nil {
			return err
		}
		if got.Phase == phase {
			return nil
		}
	}
	return fmt.Errorf("demo: campaign %q never reached its %s phase", campaign.title, phase)
}

// retry sends a request the campaign's process may not be ready for yet (a phase just
// entered, a task about to open), until it is accepted or 10 s have passed.
func (c demoClient) retry(who, method, path string, body any) error {
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = c.do(who, method, path, body, nil); err == nil {
			return nil
		}
	}
	return err
}

func (c demoClient) complete(who, task, outcome, comment string, data any) error {
	if _, err := c.as[who].CompleteTask(c.ctx, task, outcome, comment, data); err != nil {
		return fmt.Errorf("demo: as %s: %w", who, err)
	}
	return nil
}

func need(title, category, description string) map[string]any {
	return map[string]any{"type": models.ProposalNeed, "title": title, "category": category, "description": description}
}

// partnerNeed is a partner's need: a partner is not in the registry, so it names itself.
func partnerNeed(title, category, description, partner string) map[string]any {
	p := need(title, category, description)
	p["proposer_name"] = partner
	return p
}

func existingService(title, category, description, operator, address string) map[string]any {
	return map[string]any{"type": models.ProposalExisting, "title": title, "category": category, "description": description,
		"existing_service": map[string]any{"operator": operator, "users": "Les habitants, 40 000 rendez-vous par an",
			"address": address, "licence": "EUPL-1.2", "cost_cents": models.Euros(180_000)}}
}
