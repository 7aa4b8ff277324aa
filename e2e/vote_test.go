package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// TestCandidateServicesAndVoteEndToEnd groups accepted proposals into candidate services
// (create, split, move, merge, cost), then runs the vote: ballots refused before it opens,
// replaced by a second agent, results seen by ANCT during the vote and by everyone after.
func TestCandidateServicesAndVoteEndToEnd(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin, instr := s.token(t, administrator), s.token(t, instructor)
	paris, marseille, rennes := s.token(t, applicantOf(sirenParis)), s.token(t, applicantOf(sirenMarseille)), s.token(t, applicantOf(sirenRennes))
	parisAgent2 := s.token(t, models.Principal{Subject: "agent2-" + sirenParis, Roles: []models.Role{models.RoleApplicant}, Siren: sirenParis})
	local := s.token(t, models.Principal{Subject: "instr.13", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"13"}})

	start := time.Now().Add(2 * time.Second).UTC()
	body := campaignBody("axe1.vote", start, 5*time.Second, 8*time.Second, time.Hour, time.Hour)
	sch := body["schedule"].(models.Schedule)
	// A gap of 3 s between collection and vote, to group the proposals in.
	for _, w := range []*models.Window{&sch.Vote, &sch.Interest, &sch.Build} {
		w.OpensAt, w.ClosesAt = w.OpensAt.Add(3*time.Second), w.ClosesAt.Add(3*time.Second)
	}
	body["schedule"], body["ballot_size"], body["referents_per_service"] = sch, 2, 1
	r := s.call(t, http.MethodPost, "/api/v1/campaigns", admin, body)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var c models.Campaign
	r.decode(t, &c)
	base := "/api/v1/campaigns/" + c.ID
	s.waitPhase(t, admin, c.ID, models.PhaseCollection)

	var proposals []string
	for _, tok := range []string{paris, paris, rennes} {
		r = s.call(t, http.MethodPost, base+"/proposals", tok, existingServiceProposal())
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(t, &d)
		proposals = append(proposals, d.ID)
	}
	for _, id := range proposals {
		complete(t, s, instr, openTask(t, s, instr, id, models.TaskProposalReview), models.OutcomeAccept, "", nil, models.StatusAccepted)
	}

	create := func(title string, ids ...string) models.CandidateService {
		r := s.call(t, http.MethodPost, base+"/services", instr, map[string]any{"title": title, "description": "Un service candidat, regroupant des propositions semblables.",
			"proposal_ids": ids, "estimated_cost_cents": models.Euros(300_000), "cost_note": "estimation de l'incubateur"})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var svc models.CandidateService
		r.decode(t, &svc)
		return svc
	}
	rdv := create("Rendez-vous en mairie", proposals[0], proposals[1])
	split := create("Rendez-vous pour les titres", proposals[1]) // taken from the first: a split
	other := create("Autre service", proposals[2])
	r = s.call(t, http.MethodPost, base+"/services/"+split.ID+"/merge", instr, map[string]any{"into_service_id": rdv.ID})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r.decode(t, &rdv)
	require.ElementsMatch(t, proposals[:2], rdv.ProposalIDs)
	r = s.call(t, http.MethodPut, base+"/services/"+other.ID+"/cost", instr, map[string]any{"estimated_cost_cents": models.Euros(450_000), "cost_note": "deux devis"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPut, base+"/ballot", paris, map[string]any{"service_ids": []string{rdv.ID}})
	require.Equal(t, http.StatusConflict, r.Status, "before the vote: %s", r.Body)

	r = s.call(t, http.MethodPost, "/api/v1/priority-policies", admin, []byte("code,policy\n35238,acv\n"+sirenRennes+",qpv\n"), "Content-Type", "text/csv")
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPost, "/api/v1/priority-policies", admin, []byte("code,policy\n99999,acv\n"), "Content-Type", "text/csv")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "a commune not in the registry: %s", r.Body)
	r = s.call(t, http.MethodPost, "/api/v1/priority-policies", instr, []byte("code,policy\n35238,acv\n"), "Content-Type", "text/csv")
	require.Equal(t, http.StatusForbidden, r.Status, string(r.Body))
	s.waitPhase(t, admin, c.ID, models.PhaseVote)
	r = s.call(t, http.MethodPost, base+"/services/"+other.ID+"/proposals", instr, map[string]any{"dossier_id": proposals[0]})
	require.Equal(t, http.StatusConflict, r.Status, "ballots name the services once the vote opened: %s", r.Body)
	vote := func(tok string, ids ...string) bool {
		r := s.call(t, http.MethodPut, base+"/ballot", tok, map[string]any{"service_ids": ids})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var out struct{ Replaced bool }
		r.decode(t, &out)
		return out.Replaced
	}
	require.False(t, vote(paris, rdv.ID, other.ID))
	require.False(t, vote(marseille, rdv.ID))
	require.False(t, vote(rennes, other.ID))
	// 47 more communes: a vote by 50 collectivités.
	communes, err := s.Store.SearchCollectivites(context.Background(), store.CollectiviteFilter{Type: models.TypeCommune, Limit: 60})
	require.NoError(t, err)
	more := 0
	for _, commune := range communes {
		if more == 47 || commune.Siren == sirenParis || commune.Siren == sirenMarseille || commune.Siren == sirenRennes {
			continue
		}
		require.False(t, vote(s.token(t, applicantOf(commune.Siren)), other.ID))
		more++
	}
	require.Equal(t, 47, more)
	require.True(t, vote(parisAgent2, other.ID), "a second agent of Paris replaces Paris's ballot")
	r = s.call(t, http.MethodPut, base+"/ballot", rennes, map[string]any{"service_ids": []string{rdv.ID, other.ID, split.ID}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "beyond the ballot size: %s", r.Body)
	var mine models.Ballot
	s.call(t, http.MethodGet, base+"/ballot", paris, nil).decode(t, &mine)
	require.Equal(t, []string{other.ID}, mine.ServiceIDs)

	r = s.call(t, http.MethodGet, base+"/results", paris, nil)
	require.Equal(t, http.StatusForbidden, r.Status, "results are ANCT's during the vote")
	r = s.call(t, http.MethodGet, base+"/results", local, nil)
	require.Equal(t, http.StatusForbidden, r.Status, "a département's instructor is not ANCT")
	var results struct {
		Final bool
		Items []models.ServiceResult
	}
	s.call(t, http.MethodGet, base+"/results", instr, nil).decode(t, &results)
	require.False(t, results.Final)
	require.Len(t, results.Items, 2, "the merged service is left out")
	require.Equal(t, other.ID, results.Items[0].ServiceID)
	require.Equal(t, 49, results.Items[0].Ballots, "Rennes, Paris's replaced ballot and the 47 others")
	require.Equal(t, 1, results.Items[1].Ballots)
	require.Positive(t, results.Items[0].Population)
	require.Equal(t, 1, results.Items[0].PriorityVoters, "Rennes, in Action cœur de ville and a quartier prioritaire, counts once")
	require.Zero(t, results.Items[1].PriorityVoters)

	s.waitPhase(t, admin, c.ID, models.PhaseInterest)
	r = s.call(t, http.MethodPut, base+"/ballot", marseille, map[string]any{"service_ids": []string{other.ID}})
	require.Equal(t, http.StatusConflict, r.Status, "after the vote: %s", r.Body)
	r = s.call(t, http.MethodGet, base+"/results", paris, nil)
	require.Equal(t, http.StatusOK, r.Status, "everyone sees the results once the vote closed: %s", r.Body)
	r.decode(t, &results)
	require.True(t, results.Final)

	// When the vote closed, the campaign's workflow gave each member of the committee a task;
	// the chair decides once the quorum has answered; budgets beyond the envelope reserve nothing.
	chair := s.token(t, models.Principal{Subject: "anct.chair", Roles: []models.Role{models.RoleAdmin}})
	dinum := s.token(t, models.Principal{Subject: "dinum", Roles: []models.Role{models.RoleJury}})
	// A regional instructor: whatever a member's roles, its committee task is its own.
	region := s.token(t, models.Principal{Subject: "region", Roles: []models.Role{models.RoleInstructor}, Regions: []string{"53"}})
	chairOpinions := waitInboxTask(t, s, chair, models.TaskCommitteeOpinions)
	require.Equal(t, models.RoleCommittee, chairOpinions.Role)
	require.Equal(t, c.ID, chairOpinions.DossierID)
	require.WithinDuration(t, time.Now().Add(15*24*time.Hour), *chairOpinions.DueAt, time.Minute, "due 15 days after the vote closed")
	dinumOpinions := waitInboxTask(t, s, dinum, models.TaskCommitteeOpinions)
	regionOpinions := waitInboxTask(t, s, region, models.TaskCommitteeOpinions)
	var inbox struct{ Items []models.Task }
	s.call(t, http.MethodGet, "/api/v1/tasks?type=committee_opinions", admin, nil).decode(t, &inbox)
	require.Empty(t, inbox.Items, "a member's task is nobody else's")
	r = s.call(t, http.MethodGet, "/api/v1/tasks/"+dinumOpinions.ID, paris, nil)
	require.Equal(t, http.StatusForbidden, r.Status, "the committee's work is not a collectivité's: %s", r.Body)
	r = s.call(t, http.MethodGet, "/api/v1/tasks/"+dinumOpinions.ID, instr, nil)
	require.Equal(t, http.StatusOK, r.Status, "ANCT follows the committee: %s", r.Body)

	decision := func(budget models.Cents) map[string]any {
		return map[string]any{"services": []map[string]any{
			{"service_id": rdv.ID, "selected": true, "budget_cents": budget, "reason": "attendu par les votants"},
			{"service_id": other.ID, "selected": false, "reason": "au-delà du budget de la campagne"}}}
	}
	r = s.call(t, http.MethodPost, base+"/decision", admin, decision(models.Euros(3_000_000)))
	require.Equal(t, http.StatusForbidden, r.Status, "only the chair: %s", r.Body)
	r = s.call(t, http.MethodPost, base+"/decision", chair, map[string]any{"services": []map[string]any{
		{"service_id": rdv.ID, "selected": true, "budget_cents": 1, "reason": "attendu par les votants"}}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "every candidate service is decided: %s", r.Body)
	r = s.call(t, http.MethodPost, base+"/decision", chair, decision(models.Euros(3_000_000)))
	require.Equal(t, http.StatusConflict, r.Status, "the quorum of 2 has not answered: %s", r.Body)
	require.Contains(t, string(r.Body), "quorum")
	// The members give their opinions, in the order of the results; the quorum is 2. The
	// chair through the committee's endpoint, dinum by completing its task.
	opinions := map[string]any{"opinions": []map[string]any{{"service_id": other.ID, "select": false, "comment": "trop cher"},
		{"service_id": rdv.ID, "select": true, "comment": "attendu"}}}
	r = s.call(t, http.MethodPut, base+"/committee/opinions", paris, opinions)
	require.Equal(t, http.StatusForbidden, r.Status, "not a member: %s", r.Body)
	r = s.call(t, http.MethodPut, base+"/committee/opinions", dinum, map[string]any{"opinions": []map[string]any{{"service_id": rdv.ID, "comment": "attendu"}}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "an opinion on every service: %s", r.Body)
	r = s.call(t, http.MethodPost, "/api/v1/tasks/"+dinumOpinions.ID+"/complete", chair, map[string]any{"outcome": models.OutcomeOpinions, "data": opinions})
	require.Equal(t, http.StatusForbidden, r.Status, "dinum's task is dinum's: %s", r.Body)
	r = s.call(t, http.MethodPut, base+"/committee/opinions", chair, opinions)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPost, "/api/v1/tasks/"+dinumOpinions.ID+"/complete", dinum, map[string]any{"outcome": models.OutcomeOpinions, "data": opinions})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPut, base+"/committee/opinions", dinum, opinions)
	require.Equal(t, http.StatusConflict, r.Status, "dinum has answered: %s", r.Body)
	var session struct {
		Answered         []string
		MissingForQuorum int `json:"missing_for_quorum"`
		Opinions         []models.MemberOpinion
	}
	s.call(t, http.MethodGet, base+"/committee", dinum, nil).decode(t, &session)
	require.ElementsMatch(t, []string{"anct.chair", "dinum"}, session.Answered)
	require.Zero(t, session.MissingForQuorum)
	require.Len(t, session.Opinions, 4)
	require.Equal(t, models.TaskDone, taskOf(t, s, dinum, chairOpinions.ID).Status)

	// The quorum answered: the chair's task opens.
	decide := waitInboxTask(t, s, chair, models.TaskCommitteeDecision)
	require.Equal(t, "anct.chair", decide.Assignee)
	r = s.call(t, http.MethodPost, base+"/decision", chair, decision(models.Euros(5_000_000)+1))
	require.Equal(t, http.StatusConflict, r.Status, "beyond the envelope: %s", r.Body)
	require.Contains(t, string(r.Body), "exceed")
	r = s.call(t, http.MethodPost, base+"/decision", chair, decision(models.Euros(3_000_000)))
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var decided struct {
		Services []models.CandidateService
		TaskID   string `json:"task_id"`
	}
	r.decode(t, &decided)
	require.Equal(t, decide.ID, decided.TaskID)
	for _, svc := range decided.Services {
		switch svc.ID {
		case rdv.ID:
			require.Equal(t, models.ServiceSelected, svc.Status)
			require.Equal(t, models.Euros(3_000_000), svc.BudgetCents)
		case other.ID:
			require.Equal(t, models.ServiceNotSelected, svc.Status)
			require.Equal(t, "au-delà du budget de la campagne", svc.DecisionReason)
		}
	}
	env := envelope(t, s, admin, "axe1.vote")
	require.Equal(t, models.Euros(3_000_000), env.ReservedCents, "exact to the cent")
	// The member who had not answered is answered no more.
	require.Equal(t, models.TaskCancelled, taskOf(t, s, region, regionOpinions.ID).Status)
	r = s.call(t, http.MethodPost, "/api/v1/tasks/"+regionOpinions.ID+"/complete", region, map[string]any{"outcome": models.OutcomeOpinions, "data": opinions})
	require.Equal(t, http.StatusConflict, r.Status, "too late: %s", r.Body)
	r = s.call(t, http.MethodPost, base+"/decision", chair, decision(models.Euros(3_000_000)))
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "decided once: %s", r.Body)
	recordWorkflowHistory(t, s, models.CampaignWorkflowID(c.ID), "campaign_committee_decided.json")
	// The proposals hear of it from their services' workflows, which the campaign signalled.

	// Expressions of interest in the selected service; ANCT confirms its one référent.
	interest := map[string]any{"contact": "dsi@mairie.example", "use_case": "Piloter la prise de rendez-vous pour les titres."}
	for _, tok := range []string{paris, rennes} {
		r = s.call(t, http.MethodPost, base+"/services/"+rdv.ID+"/interest", tok, interest)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	}
	r = s.call(t, http.MethodPost, base+"/services/"+other.ID+"/interest", marseille, interest)
	require.Equal(t, http.StatusConflict, r.Status, "a service not selected: %s", r.Body)
	r = s.call(t, http.MethodPost, base+"/services/"+rdv.ID+"/referents", instr, map[string]any{"siren": sirenRennes})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPost, base+"/services/"+rdv.ID+"/referents", instr, map[string]any{"siren": sirenParis})
	require.Equal(t, http.StatusConflict, r.Status, "one référent per service in this campaign: %s", r.Body)
	var interests struct{ Items []models.Interest }
	r = s.call(t, http.MethodGet, base+"/services/"+rdv.ID+"/interests", paris, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.NotContains(t, string(r.Body), "call_eligibility", "the référents' eligibility is ANCT's")
	r.decode(t, &interests)
	require.Len(t, interests.Items, 1, "a collectivité reads its own expression of interest, not Rennes'")
	require.Equal(t, sirenParis, interests.Items[0].Siren)
	require.False(t, interests.Items[0].Referent, "Paris learns it waits on the list")
	s.call(t, http.MethodGet, base+"/services/"+rdv.ID+"/interests", instr, nil).decode(t, &interests)
	require.Len(t, interests.Items, 2)
	require.Equal(t, sirenRennes, interests.Items[0].Siren)
	require.True(t, interests.Items[0].Referent)
	require.Equal(t, []models.PriorityPolicy{models.PolicyCoeurDeVille, models.PolicyQuartiers}, interests.Items[0].Policies)
	require.False(t, interests.Items[1].Referent, "Paris waits on the list")
	var eligibility struct {
		CallEligibility models.Eligibility `json:"call_eligibility"`
	}
	s.call(t, http.MethodGet, base+"/services/"+rdv.ID+"/interests", instr, nil).decode(t, &eligibility)
	require.False(t, eligibility.CallEligibility.Eligible, "Rennes alone covers neither a département nor 500,000 inhabitants")
	require.NotEmpty(t, eligibility.CallEligibility.Reasons)

	// The merged and the unselected services' workflows have closed; the selected one is
	// built and deployed, then delivered (buildAndDeliver).
	s.waitWorkflowResult(t, models.ServiceWorkflowID(split.ID), models.StatusServiceMerged)
	s.waitWorkflowResult(t, models.ServiceWorkflowID(other.ID), models.StatusNotSelected)
	recordWorkflowHistory(t, s, models.ServiceWorkflowID(split.ID), "service_merged.json")
	recordWorkflowHistory(t, s, models.ServiceWorkflowID(other.ID), "service_not_selected.json")
	buildAndDeliver(t, s, base, rdv.ID, models.Euros(3_000_000))
	s.waitStatus(t, paris, proposals[0], models.StatusDelivered)
	s.waitStatus(t, paris, proposals[1], models.StatusDelivered)
	recordWorkflowHistory(t, s, models.ServiceWorkflowID(rdv.ID), "service_built_delivered.json")

	// Without a token: the Territoires Store, and the campaign with its results and decisions.
	var store struct {
		Items []struct {
			models.CandidateService
			Referents []struct{ Siren, Name string }                `json:"referents"`
			Proposals []struct{ DossierID, Title, Proposer string } `json:"proposals"`
		}
	}
	r = s.call(t, http.MethodGet, "/api/v1/store", "", nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r.decode(t, &store)
	require.Len(t, store.Items, 1)
	require.Equal(t, rdv.ID, store.Items[0].ID)
	require.Len(t, store.Items[0].Proposals, 2)
	require.Equal(t, "Paris", store.Items[0].Proposals[0].Proposer)
	require.Equal(t, models.RouteDeployExisting, store.Items[0].Route)
	require.Equal(t, "rdv@territoires.example", store.Items[0].Contact)
	require.Contains(t, store.Items[0].HowToJoin, "convention")
	require.Equal(t, []struct{ Siren, Name string }{{sirenRennes, "Rennes"}}, store.Items[0].Referents, "its territoire référent")
	var public struct {
		Phase    models.Phase
		Services []models.CandidateService
		Results  []models.ServiceResult
	}
	r = s.call(t, http.MethodGet, "/api/v1/public/campaigns/"+c.ID, "", nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r.decode(t, &public)
	require.Equal(t, models.PhaseInterest, public.Phase)
	require.Len(t, public.Results, 2)
	require.Len(t, public.Services, 3)
}

// TestCandidateServiceEndpointsBadInput checks roles and fields of the grouping endpoints.
func TestCandidateServiceEndpointsBadInput(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin, instr, paris := s.token(t, administrator), s.token(t, instructor), s.token(t, applicantOf(sirenParis))
	local := s.token(t, models.Principal{Subject: "instr.13", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"13"}})
	r := s.call(t, http.MethodPost, "/api/v1/campaigns", admin, campaignBody("axe1.svcbad", time.Now().Add(time.Hour), time.Hour, time.Hour, time.Hour, time.Hour))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var c models.Campaign
	r.decode(t, &c)
	base := "/api/v1/campaigns/" + c.ID
	svc := func(mut func(m map[string]any)) map[string]any {
		m := map[string]any{"title": "Service", "description": "Un service candidat, regroupant des propositions.",
			"proposal_ids": []string{"0190f3b4-0000-7000-8000-000000000001"}}
		mut(m)
		return m
	}
	unknown := base + "/services/0190f3b4-0000-7000-8000-000000000009"
	chair := s.token(t, models.Principal{Subject: "anct.chair", Roles: []models.Role{models.RoleAdmin}})
	dinum := s.token(t, models.Principal{Subject: "dinum", Roles: []models.Role{models.RoleJury}})
	opinions := map[string]any{"opinions": []map[string]any{{"service_id": "0190f3b4-0000-7000-8000-000000000009", "comment": "attendu"}}}
	s.expectAll(t, []badRequest{
		{"create as an applicant", http.MethodPost, base + "/services", paris, svc(func(map[string]any) {}), http.StatusForbidden, models.EForbidden, ""},
		{"create as a local instructor", http.MethodPost, base + "/services", local, svc(func(map[string]any) {}), http.StatusForbidden, models.EForbidden, ""},
		{"create without a token", http.MethodPost, base + "/services", "", svc(func(map[string]any) {}), http.StatusUnauthorized, models.EUnauthorized, ""},
		{"create from malformed JSON", http.MethodPost, base + "/services", instr, []byte(`{`), http.StatusBadRequest, models.EMalformed, ""},
		{"create without proposals", http.MethodPost, base + "/services", instr, svc(func(m map[string]any) { m["proposal_ids"] = []string{} }), http.StatusUnprocessableEntity, models.EInvalid, "proposal_ids"},
		{"create with a proposal that is not a UUID", http.MethodPost, base + "/services", instr, svc(func(m map[string]any) { m["proposal_ids"] = []string{"x"} }), http.StatusUnprocessableEntity, models.EInvalid, "proposal_ids[0]"},
		{"create with an unknown proposal", http.MethodPost, base + "/services", instr, svc(func(map[string]any) {}), http.StatusUnprocessableEntity, models.EInvalid, "proposal_ids[0]"},
		{"create with a negative cost", http.MethodPost, base + "/services", admin, svc(func(m map[string]any) { m["estimated_cost_cents"] = -1 }), http.StatusUnprocessableEntity, models.EInvalid, "estimated_cost_cents"},
		{"create without a title", http.MethodPost, base + "/services", admin, svc(func(m map[string]any) { m["title"] = "" }), http.StatusUnprocessableEntity, models.EInvalid, "title"},
		{"list as an applicant", http.MethodGet, base + "/services", paris, nil, http.StatusOK, "", ""},
		{"move into an unknown service", http.MethodPost, unknown + "/proposals", instr, map[string]any{"dossier_id": "0190f3b4-0000-7000-8000-000000000001"}, http.StatusNotFound, models.ENotFound, ""},
		{"move without a dossier", http.MethodPost, unknown + "/proposals", instr, map[string]any{}, http.StatusUnprocessableEntity, models.EInvalid, "dossier_id"},
		{"merge as an applicant", http.MethodPost, unknown + "/merge", paris, map[string]any{"into_service_id": "0190f3b4-0000-7000-8000-000000000001"}, http.StatusForbidden, models.EForbidden, ""},
		{"merge an unknown service", http.MethodPost, unknown + "/merge", instr, map[string]any{"into_service_id": "0190f3b4-0000-7000-8000-000000000001"}, http.StatusNotFound, models.ENotFound, ""},
		{"cost without a note", http.MethodPut, unknown + "/cost", instr, map[string]any{"estimated_cost_cents": 1}, http.StatusUnprocessableEntity, models.EInvalid, "cost_note"},
		{"ballot as an instructor", http.MethodPut, base + "/ballot", instr, map[string]any{"service_ids": []string{"x"}}, http.StatusForbidden, models.EForbidden, ""},
		{"ballot before the vote", http.MethodPut, base + "/ballot", paris, map[string]any{"service_ids": []string{"x"}}, http.StatusConflict, models.EConflict, ""},
		{"ballot from malformed JSON", http.MethodPut, base + "/ballot", paris, []byte(`[`), http.StatusBadRequest, models.EMalformed, ""},
		{"no ballot yet", http.MethodGet, base + "/ballot", paris, nil, http.StatusNotFound, models.ENotFound, ""},
		{"results before the vote, as an applicant", http.MethodGet, base + "/results", paris, nil, http.StatusForbidden, models.EForbidden, ""},
		{"results as ANCT", http.MethodGet, base + "/results", instr, nil, http.StatusOK, "", ""},
		{"decision by someone not the chair", http.MethodPost, base + "/decision", admin, map[string]any{"services": []any{}}, http.StatusForbidden, models.EForbidden, ""},
		{"decision without a token", http.MethodPost, base + "/decision", "", map[string]any{"services": []any{}}, http.StatusUnauthorized, models.EUnauthorized, ""},
		{"decision from malformed JSON", http.MethodPost, base + "/decision", admin, []byte(`{`), http.StatusBadRequest, models.EMalformed, ""},
		{"decision by the chair before the vote closes", http.MethodPost, base + "/decision", chair, map[string]any{"services": []any{}}, http.StatusConflict, models.EConflict, ""},
		{"opinions by someone not on the committee", http.MethodPut, base + "/committee/opinions", admin, opinions, http.StatusForbidden, models.EForbidden, ""},
		{"opinions without a token", http.MethodPut, base + "/committee/opinions", "", opinions, http.StatusUnauthorized, models.EUnauthorized, ""},
		{"opinions from malformed JSON", http.MethodPut, base + "/committee/opinions", dinum, []byte(`{`), http.StatusBadRequest, models.EMalformed, ""},
		{"opinions before the vote closes", http.MethodPut, base + "/committee/opinions", dinum, opinions, http.StatusConflict, models.EConflict, ""},
		{"the committee's session read by an applicant", http.MethodGet, base + "/committee", paris, nil, http.StatusForbidden, models.EForbidden, ""},
		{"the committee's session read by a member", http.MethodGet, base + "/committee", dinum, nil, http.StatusOK, "", ""},
		{"the inbox of a member without committee tasks", http.MethodGet, "/api/v1/tasks?type=committee_opinions", dinum, nil, http.StatusOK, "", ""},
		{"the inbox filtered on an unknown task type", http.MethodGet, "/api/v1/tasks?type=committee", dinum, nil, http.StatusUnprocessableEntity, models.EInvalid, "type"},
		{"build as an applicant", http.MethodGet, unknown + "/build", paris, nil, http.StatusForbidden, models.EForbidden, ""},
		{"build as a local instructor", http.MethodGet, unknown + "/build", local, nil, http.StatusForbidden, models.EForbidden, ""},
		{"build without a token", http.MethodGet, unknown + "/build", "", nil, http.StatusUnauthorized, models.EUnauthorized, ""},
		{"build of an unknown service", http.MethodGet, unknown + "/build", admin, nil, http.StatusNotFound, models.ENotFound, ""},
		{"the store without a token", http.MethodGet, "/api/v1/store", "", nil, http.StatusOK, "", ""},
		{"interest as an instructor", http.MethodPost, unknown + "/interest", instr, map[string]any{"contact": "a", "use_case": "un cas d'usage"}, http.StatusForbidden, models.EForbidden, ""},
		{"interest from malformed JSON", http.MethodPost, unknown + "/interest", paris, []byte(`{`), http.StatusBadRequest, models.EMalformed, ""},
		{"interest without a use case", http.MethodPost, unknown + "/interest", paris, map[string]any{"contact": "a"}, http.StatusUnprocessableEntity, models.EInvalid, "use_case"},
		{"interest before its window", http.MethodPost, unknown + "/interest", paris, map[string]any{"contact": "a", "use_case": "un cas d'usage"}, http.StatusConflict, models.EConflict, ""},
		{"interests read by a local instructor", http.MethodGet, unknown + "/interests", local, nil, http.StatusForbidden, models.EForbidden, ""},
		{"interests read by an applicant: its own, none", http.MethodGet, unknown + "/interests", paris, nil, http.StatusOK, "", ""},
		{"referent confirmed by an applicant", http.MethodPost, unknown + "/referents", paris, map[string]any{"siren": sirenParis}, http.StatusForbidden, models.EForbidden, ""},
		{"referent confirmed by a local instructor", http.MethodPost, unknown + "/referents", local, map[string]any{"siren": sirenParis}, http.StatusForbidden, models.EForbidden, ""},
		{"referent with a bad SIREN", http.MethodPost, unknown + "/referents", instr, map[string]any{"siren": "123"}, http.StatusUnprocessableEntity, models.EInvalid, "siren"},
		{"referent of an unknown service", http.MethodPost, unknown + "/referents", instr, map[string]any{"siren": sirenParis}, http.StatusNotFound, models.ENotFound, ""},
		{"a campaign without a token", http.MethodGet, "/api/v1/public/campaigns/" + c.ID, "", nil, http.StatusOK, "", ""},
		{"an unknown campaign without a token", http.MethodGet, "/api/v1/public/campaigns/x", "", nil, http.StatusNotFound, models.ENotFound, ""},
	})
}
