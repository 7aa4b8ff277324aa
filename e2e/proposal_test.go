package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// partnerAssociation is an association proposing to a campaign: not in the registry.
var partnerAssociation = models.Principal{Subject: "contact@villes-internet.example", Name: "Villes Internet",
	Roles: []models.Role{models.RolePartner}, Siren: "775672272"}

func existingServiceProposal() map[string]any {
	return map[string]any{"type": "existing_service", "title": "Prise de rendez-vous en mairie", "category": "relation_usagers",
		"description": "Prise de rendez-vous en ligne pour les titres d'identité, mutualisée entre communes.",
		"existing_service": map[string]any{"operator": "Ville de Paris", "users": "Les Parisiens, 40 000 rendez-vous par an",
			"address": "https://rdv.paris.example", "licence": "EUPL-1.2", "cost_cents": models.Euros(180_000)}}
}

func needProposal() map[string]any {
	return map[string]any{"type": "need", "title": "Budget participatif partagé", "category": "participation_citoyenne",
		"description": "Un outil de budget participatif que plusieurs communes partagent.", "proposer_name": "Villes Internet"}
}

// signalService tells a proposal what became of its candidate service, as the candidate
// service's process will.
func signalService(t *testing.T, s *stack, dossierID string, status models.Status, reason string) {
	t.Helper()
	require.NoError(t, s.Temporal.SignalWorkflow(context.Background(), models.DossierWorkflowID(dossierID), "", workflows.SignalServiceOutcome,
		models.ServiceOutcome{Status: status, Reason: reason}))
}

// TestProposalsEndToEnd files proposals during a campaign's collection, by a collectivité
// and by a partner, takes them through the instructor's review (acceptance; a request for
// information answered, then a merge) and their services' outcomes, and refuses a proposal
// once the collection has closed, with its dates.
func TestProposalsEndToEnd(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin, instr := s.token(t, administrator), s.token(t, instructor)
	paris, partner := s.token(t, applicantOf(sirenParis)), s.token(t, partnerAssociation)

	start := time.Now().Add(2 * time.Second).UTC()
	r := s.call(t, http.MethodPost, "/api/v1/campaigns", admin, campaignBody("axe1.proposals", start, 8*time.Second, time.Hour, time.Hour, time.Hour))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var c models.Campaign
	r.decode(t, &c)
	path := "/api/v1/campaigns/" + c.ID + "/proposals"
	r = s.call(t, http.MethodPost, path, paris, existingServiceProposal())
	require.Equal(t, http.StatusConflict, r.Status, "before collection opens: %s", r.Body)
	s.waitPhase(t, admin, c.ID, models.PhaseCollection)

	r = s.call(t, http.MethodPost, path, paris, existingServiceProposal())
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var service models.Dossier
	r.decode(t, &service)
	require.Equal(t, models.KindCoConstruction, service.Kind)
	r = s.call(t, http.MethodPost, path, partner, needProposal())
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var need models.Dossier
	r.decode(t, &need)
	require.Equal(t, "Villes Internet", need.ApplicantName)

	// Paris's service is accepted into the vote.
	s.waitStatus(t, paris, service.ID, models.StatusReview)
	complete(t, s, instr, openTask(t, s, instr, service.ID, models.TaskProposalReview), models.OutcomeAccept, "", nil, models.StatusAccepted)

	// The partner is asked for more, answers, and its need is merged into Paris's service.
	review := openTask(t, s, instr, need.ID, models.TaskProposalReview)
	r = s.call(t, http.MethodPost, "/api/v1/tasks/"+review+"/complete", instr, map[string]any{"outcome": "merge",
		"data": map[string]any{"into_dossier_id": need.ID}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "a proposal is not merged into itself: %s", r.Body)
	complete(t, s, instr, review, models.OutcomeRequestInfo, "Combien de communes partageraient l'outil ?", nil, models.StatusInfoRequested)
	complete(t, s, partner, openTask(t, s, partner, need.ID, models.TaskInformation), workflows.OutcomeAnswered, "Une trentaine", nil, models.StatusReview)
	complete(t, s, instr, openTask(t, s, instr, need.ID, models.TaskProposalReview), models.OutcomeMerge, "Même besoin de participation",
		map[string]any{"into_dossier_id": service.ID}, models.StatusMerged)

	signalService(t, s, service.ID, models.StatusSelected, "sélectionné avec un budget de 400 000,00 €")
	s.waitStatus(t, paris, service.ID, models.StatusSelected)
	signalService(t, s, service.ID, models.StatusDelivered, "publié au Territoires Store")
	d := s.waitStatus(t, paris, service.ID, models.StatusDelivered)
	require.Equal(t, "publié au Territoires Store", d.Reason)
	signalService(t, s, need.ID, models.StatusNotSelected, "classé après le budget de la campagne")
	s.waitStatus(t, partner, need.ID, models.StatusNotSelected)

	// The proposer was told at each step.
	var outbox struct{ Items []models.Notification }
	s.call(t, http.MethodGet, "/api/v1/notifications?dossier="+need.ID, admin, nil).decode(t, &outbox)
	var subjects []string
	for _, n := range outbox.Items {
		subjects = append(subjects, n.Subject)
	}
	require.Len(t, subjects, 5, "received, information requested, back in review, merged, not selected: %v", subjects)

	recordHistory(t, s, service.ID, "proposal_accepted_delivered.json")
	recordHistory(t, s, need.ID, "proposal_info_merged_not_selected.json")

	s.waitPhase(t, admin, c.ID, models.PhaseVote)
	r = s.call(t, http.MethodPost, path, paris, existingServiceProposal())
	require.Equal(t, http.StatusConflict, r.Status, string(r.Body))
	require.Contains(t, string(r.Body), c.Schedule.Collection.ClosesAt.UTC().Format(time.RFC3339), "the refusal gives the dates")
}

// TestProposalEndpointBadInput checks who may propose, and each invalid field.
func TestProposalEndpointBadInput(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin, instr := s.token(t, administrator), s.token(t, instructor)
	paris, partner := s.token(t, applicantOf(sirenParis)), s.token(t, partnerAssociation)
	// A partner whose SIREN is a collectivité's, and an applicant whose SIREN the registry lacks.
	fakePartner := s.token(t, models.Principal{Subject: "x", Roles: []models.Role{models.RolePartner}, Siren: sirenParis})
	unknown := s.token(t, applicantOf("775672272"))

	start := time.Now().Add(2 * time.Second).UTC()
	r := s.call(t, http.MethodPost, "/api/v1/campaigns", admin, campaignBody("axe1.badprop", start, time.Hour, time.Hour, time.Hour, time.Hour))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var c models.Campaign
	r.decode(t, &c)
	path := "/api/v1/campaigns/" + c.ID + "/proposals"
	s.waitPhase(t, admin, c.ID, models.PhaseCollection)
	with := func(base map[string]any, mut func(m map[string]any)) map[string]any {
		mut(base)
		return base
	}

	s.expectAll(t, []badRequest{
		{"without a token", http.MethodPost, path, "", existingServiceProposal(), http.StatusUnauthorized, models.EUnauthorized, ""},
		{"as an instructor", http.MethodPost, path, instr, existingServiceProposal(), http.StatusForbidden, models.EForbidden, ""},
		{"as an administrator", http.MethodPost, path, admin, existingServiceProposal(), http.StatusForbidden, models.EForbidden, ""},
		{"as a partner that is a collectivité", http.MethodPost, path, fakePartner, needProposal(), http.StatusForbidden, models.EForbidden, ""},
		{"as an applicant outside the registry", http.MethodPost, path, unknown, needProposal(), http.StatusForbidden, models.EForbidden, ""},
		{"to an unknown campaign", http.MethodPost, "/api/v1/campaigns/0190f3b4-0000-7000-8000-000000000000/proposals", paris, needProposal(), http.StatusNotFound, models.ENotFound, ""},
		{"malformed JSON", http.MethodPost, path, paris, []byte(`{"type":`), http.StatusBadRequest, models.EMalformed, ""},
		{"an unknown field", http.MethodPost, path, paris, with(needProposal(), func(m map[string]any) { m["budget"] = 1 }), http.StatusBadRequest, models.EMalformed, ""},
		{"an unknown type", http.MethodPost, path, paris, with(needProposal(), func(m map[string]any) { m["type"] = "idea" }), http.StatusUnprocessableEntity, models.EInvalid, "type"},
		{"a blank title", http.MethodPost, path, paris, with(needProposal(), func(m map[string]any) { m["title"] = "  " }), http.StatusUnprocessableEntity, models.EInvalid, "title"},
		{"a category not the campaign's", http.MethodPost, path, paris, with(needProposal(), func(m map[string]any) { m["category"] = "defense" }), http.StatusUnprocessableEntity, models.EInvalid, "category"},
		{"an existing service undescribed", http.MethodPost, path, paris, with(existingServiceProposal(), func(m map[string]any) { delete(m, "existing_service") }), http.StatusUnprocessableEntity, models.EInvalid, "existing_service"},
		{"an existing service without licence", http.MethodPost, path, paris, with(existingServiceProposal(), func(m map[string]any) { m["existing_service"].(map[string]any)["licence"] = "" }), http.StatusUnprocessableEntity, models.EInvalid, "existing_service.licence"},
		{"a partner without a name", http.MethodPost, path, partner, with(needProposal(), func(m map[string]any) { delete(m, "proposer_name") }), http.StatusUnprocessableEntity, models.EInvalid, "proposer_name"},
		{"a collectivité", http.MethodPost, path, paris, needProposal(), http.StatusCreated, "", ""},
		{"a partner", http.MethodPost, path, partner, needProposal(), http.StatusCreated, "", ""},
	})
}
