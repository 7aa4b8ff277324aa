package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// newProposal files a proposal to a campaign and sets its status.
func newProposal(t *testing.T, st *Store, campaignID, id, siren string, status models.Status) {
	t.Helper()
	ctx := context.Background()
	_, _, err := st.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindCoConstruction, Status: models.StatusSubmitted,
		ApplicantSiren: siren, EnvelopeCode: "axe1.2021", Payload: []byte(`{}`), CallID: campaignID, CreatedBy: "test"}, IdempotencyKey{}, nil)
	require.NoError(t, err)
	require.NoError(t, st.SetDossierStatus(ctx, id, StatusChange{Status: status, StepKey: id + "/" + string(status)}))
}

func newService(id string, proposals ...string) models.CandidateService {
	return models.CandidateService{ID: id, CampaignID: "c1", Title: "Service " + id, Description: "Un service candidat issu des propositions.",
		EstimatedCostCents: models.Euros(100_000), CostNote: "devis de l'incubateur", ProposalIDs: proposals, CreatedBy: "instr"}
}

func TestCandidateServicesGroupProposals(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		_, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), time.Now().Add(time.Hour)))
		require.NoError(t, err)
		_, err = st.CreateCampaign(ctx, testCampaign("c2", "axe1.2022", models.Euros(1_000_000), time.Now().Add(time.Hour)))
		require.NoError(t, err)
		newProposal(t, st, "c1", "p1", "217500016", models.StatusAccepted)
		newProposal(t, st, "c1", "p2", "213105554", models.StatusMerged)
		newProposal(t, st, "c1", "p3", "213502388", models.StatusAccepted)
		newProposal(t, st, "c1", "p4", "217500016", models.StatusReview)
		newProposal(t, st, "c2", "p5", "217500016", models.StatusAccepted)

		a, err := st.CreateService(ctx, newService("s1", "p1", "p2", "p3"))
		require.NoError(t, err)
		require.Equal(t, []string{"p1", "p2", "p3"}, a.ProposalIDs)
		require.Equal(t, models.ServiceCandidate, a.Status)
		for field, proposal := range map[string]string{"proposal_ids[0]": "p4", "proposal_ids[1]": "p5"} {
			bad := newService("bad-"+proposal, "p1", proposal)
			if field == "proposal_ids[0]" {
				bad.ProposalIDs = []string{proposal}
			}
			_, err = st.CreateService(ctx, bad)
			var e *models.Error
			require.ErrorAs(t, err, &e, proposal)
			require.Contains(t, e.Fields, field, "proposal %s: %v", proposal, e.Fields)
			_, err = st.Service(ctx, bad.ID)
			require.Equal(t, models.ENotFound, models.ErrorCode(err), "a refused grouping leaves nothing")
		}

		// A split: p3 leaves s1 for a service of its own; then p2 moves there too.
		b, err := st.CreateService(ctx, newService("s2", "p3"))
		require.NoError(t, err)
		require.Equal(t, []string{"p3"}, b.ProposalIDs)
		b, err = st.MoveProposal(ctx, "c1", "s2", "p2", "instr")
		require.NoError(t, err)
		require.Equal(t, []string{"p2", "p3"}, b.ProposalIDs)
		a, err = st.Service(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, []string{"p1"}, a.ProposalIDs)
		_, err = st.MoveProposal(ctx, "c2", "s2", "p2", "instr")
		require.Equal(t, models.ENotFound, models.ErrorCode(err), "a service of another campaign")

		// A merge: s2's proposals join s1, and s2 is closed.
		a, err = st.MergeServices(ctx, "c1", "s2", "s1", "instr")
		require.NoError(t, err)
		require.Equal(t, []string{"p1", "p2", "p3"}, a.ProposalIDs)
		b, err = st.Service(ctx, "s2")
		require.NoError(t, err)
		require.Equal(t, models.ServiceMerged, b.Status)
		require.Equal(t, "s1", b.MergedInto)
		_, err = st.MergeServices(ctx, "c1", "s2", "s1", "instr")
		require.Equal(t, models.EConflict, models.ErrorCode(err), "a merged service is merged once")
		_, err = st.MergeServices(ctx, "c1", "s1", "s1", "instr")
		require.Equal(t, models.EInvalid, models.ErrorCode(err))

		a, err = st.SetServiceCost(ctx, "c1", "s1", models.Euros(250_000), "deux devis", "instr")
		require.NoError(t, err)
		require.Equal(t, models.Euros(250_000), a.EstimatedCostCents)
		all, err := st.Services(ctx, "c1")
		require.NoError(t, err)
		require.Len(t, all, 2)
		require.Equal(t, []string{"p1", "p2", "p3"}, all[0].ProposalIDs)

		// Each act is in the trail: of the service, and of each proposal moved.
		trail, err := st.AuditTrail(ctx, "s1")
		require.NoError(t, err)
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action)
		}
		require.Equal(t, []string{models.AuditServiceCreated, models.AuditServiceMerged, models.AuditServiceCost}, actions)
		trail, err = st.AuditTrail(ctx, "p3")
		require.NoError(t, err)
		require.Len(t, trail, 3, "grouped into s1, moved to s2, moved back by the merge")
	})
}

func TestBallotsOnePerSirenReplacedAndCounted(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		require.NoError(t, st.ImportRegistry(ctx, []models.Collectivite{
			{Type: models.TypeCommune, Code: "75056", Siren: "217500016", Name: "Paris", Departement: "75", Region: "11", Population: 2_100_000},
			{Type: models.TypeCommune, Code: "31555", Siren: "213105554", Name: "Toulouse", Departement: "31", Region: "76", Population: 500_000},
			{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53", Population: 220_000},
		}, nil))
		_, err := st.ReplacePriorityMemberships(ctx, []models.PriorityMembership{{Line: 2, Code: "35238", Policy: models.PolicyCoeurDeVille},
			{Line: 3, Code: "213502388", Policy: models.PolicyQuartiers}})
		require.NoError(t, err)
		_, err = st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), time.Now().Add(time.Hour)))
		require.NoError(t, err)
		newProposal(t, st, "c1", "p1", "217500016", models.StatusAccepted)
		newProposal(t, st, "c1", "p2", "217500016", models.StatusAccepted)
		newProposal(t, st, "c1", "p3", "217500016", models.StatusAccepted)
		for i, p := range []string{"p1", "p2", "p3"} {
			_, err := st.CreateService(ctx, newService(fmt.Sprintf("s%d", i+1), p))
			require.NoError(t, err)
		}
		_, err = st.MergeServices(ctx, "c1", "s3", "s2", "instr")
		require.NoError(t, err)

		cast := func(siren, by string, services ...string) bool {
			replaced, err := st.CastBallot(ctx, models.Ballot{CampaignID: "c1", Siren: siren, ServiceIDs: services, CastBy: by})
			require.NoError(t, err)
			return replaced
		}
		require.False(t, cast("217500016", "agent1", "s1", "s2"))
		require.False(t, cast("213105554", "agent2", "s1"))
		require.False(t, cast("213502388", "agent3", "s1", "s2"))
		// Another agent of Paris votes again: Paris's ballot is replaced, not added.
		require.True(t, cast("217500016", "agent4", "s2"))
		b, err := st.Ballot(ctx, "c1", "217500016")
		require.NoError(t, err)
		require.Equal(t, []string{"s2"}, b.ServiceIDs)
		require.Equal(t, "agent4", b.CastBy)

		results, err := st.Results(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, []models.ServiceResult{
			{ServiceID: "s2", Title: "Service s2", Ballots: 2, Population: 2_320_000, PriorityVoters: 1},
			{ServiceID: "s1", Title: "Service s1", Ballots: 2, Population: 720_000, PriorityVoters: 1},
		}, results, "the merged s3 is left out; ties go to the larger population")

		// Ballots cast at once by one collectivité replace each other whole.
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				choice := []string{"s1"}
				if i%2 == 0 {
					choice = []string{"s1", "s2"}
				}
				_, err := st.CastBallot(ctx, models.Ballot{CampaignID: "c1", Siren: "213105554", ServiceIDs: choice, CastBy: "race"})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		b, err = st.Ballot(ctx, "c1", "213105554")
		require.NoError(t, err)
		require.Contains(t, [][]string{{"s1"}, {"s1", "s2"}}, b.ServiceIDs)
		var n int64
		require.NoError(t, st.db.Table("ballots").Where("campaign_id = ?", "c1").Count(&n).Error)
		require.EqualValues(t, 3, n, "one ballot per SIREN")
	})
}

func TestBallotsListedOneByOneByKeyset(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		require.NoError(t, st.ImportRegistry(ctx, []models.Collectivite{
			{Type: models.TypeCommune, Code: "75056", Siren: "217500016", Name: "Paris", Departement: "75", Region: "11", Population: 2_100_000},
			{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53", Population: 220_000},
			{Type: models.TypeEPCI, Code: "243500139", Siren: "243500139", Name: "Rennes Métropole", Departement: "35", Region: "53",
				Population: 450_000, Members: []string{"213502388"}},
		}, nil))
		_, err := st.ReplacePriorityMemberships(ctx, []models.PriorityMembership{{Line: 2, Code: "35238", Policy: models.PolicyQuartiers},
			{Line: 3, Code: "213502388", Policy: models.PolicyCoeurDeVille}})
		require.NoError(t, err)
		for _, c := range []string{"c1", "c2"} {
			_, err = st.CreateCampaign(ctx, testCampaign(c, "axe1."+c, models.Euros(1_000_000), time.Now().Add(time.Hour)))
			require.NoError(t, err)
		}
		for i := range 3 {
			id := fmt.Sprintf("p%d", i+1)
			newProposal(t, st, "c1", id, "217500016", models.StatusAccepted)
			_, err := st.CreateService(ctx, newService(fmt.Sprintf("s%d", i+1), id))
			require.NoError(t, err)
		}
		newProposal(t, st, "c2", "p4", "217500016", models.StatusAccepted)
		other := newService("s4", "p4")
		other.CampaignID = "c2"
		_, err = st.CreateService(ctx, other)
		require.NoError(t, err)

		cast := func(campaign, siren, by string, services ...string) {
			_, err := st.CastBallot(ctx, models.Ballot{CampaignID: campaign, Siren: siren, ServiceIDs: services, CastBy: by})
			require.NoError(t, err)
		}
		cast("c1", "217500016", "agent.paris", "s2", "s1")
		cast("c1", "217500016", "maire.paris", "s3", "s1") // replaces the first
		cast("c1", "213502388", "agent.rennes", "s1")
		cast("c1", "243500139", "agent.metropole", "s2", "s3")
		cast("c1", "200000172", "agent.inconnu", "s1") // a SIREN the registry lacks: listed all the same
		cast("c2", "217500016", "agent.paris", "s4")

		first, err := st.Ballots(ctx, "c1", "", 2)
		require.NoError(t, err)
		require.Len(t, first, 2)
		rest, err := st.Ballots(ctx, "c1", first[1].Siren, 2)
		require.NoError(t, err)
		require.Len(t, rest, 2)
		last, err := st.Ballots(ctx, "c1", rest[1].Siren, 2)
		require.NoError(t, err)
		require.Empty(t, last)
		all := append(first, rest...)
		for i := range all {
			require.WithinDuration(t, time.Now(), all[i].CastAt, time.Minute)
			all[i].CastAt = time.Time{}
		}
		svc := func(id string) models.ChosenService { return models.ChosenService{ID: id, Title: "Service " + id} }
		none := []models.PriorityPolicy{}
		require.Equal(t, []models.BallotEntry{
			{Siren: "200000172", Services: []models.ChosenService{svc("s1")}, PriorityPolicies: none, CastBy: "agent.inconnu"},
			{Siren: "213502388", Name: "Rennes", Type: models.TypeCommune, Departement: "35", Services: []models.ChosenService{svc("s1")},
				PriorityPolicies: []models.PriorityPolicy{models.PolicyCoeurDeVille, models.PolicyQuartiers}, CastBy: "agent.rennes"},
			{Siren: "217500016", Name: "Paris", Type: models.TypeCommune, Departement: "75", Services: []models.ChosenService{svc("s3"), svc("s1")},
				PriorityPolicies: none, CastBy: "maire.paris", Replacements: 1},
			{Siren: "243500139", Name: "Rennes Métropole", Type: models.TypeEPCI, Departement: "35",
				Services: []models.ChosenService{svc("s2"), svc("s3")}, PriorityPolicies: none, CastBy: "agent.metropole"},
		}, all, "by SIREN, the choices in the order cast, the replaced ballot counted")

		b, err := st.Ballot(ctx, "c1", "217500016")
		require.NoError(t, err)
		require.Equal(t, []string{"s3", "s1"}, b.ServiceIDs, "a collectivité's own ballot in the order cast too")
		empty, err := st.Ballots(ctx, "c3", "", 10)
		require.NoError(t, err)
		require.Empty(t, empty)
	})
}

func TestCommitteeDecisionReservesAtomically(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		c, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), time.Now().Add(time.Hour)))
		require.NoError(t, err)
		for i, p := range []string{"p1", "p2", "p3"} {
			newProposal(t, st, "c1", p, "217500016", models.StatusAccepted)
			_, err := st.CreateService(ctx, newService(fmt.Sprintf("s%d", i+1), p))
			require.NoError(t, err)
		}
		decide := func(budget1, budget2 models.Cents) error {
			return st.RecordDecision(ctx, c, models.CommitteeDecision{Services: []models.ServiceDecision{
				{ServiceID: "s1", Selected: true, BudgetCents: budget1, Reason: "premier du vote"},
				{ServiceID: "s2", Selected: true, BudgetCents: budget2, Reason: "deuxième du vote"},
				{ServiceID: "s3", Reason: "hors budget"}}}, "chair")
		}
		// 600 000 € + 400 000,01 € exceed the 1 M€ envelope: nothing is reserved or decided.
		err = decide(models.Euros(600_000), models.Euros(400_000)+1)
		require.Equal(t, models.EConflict, models.ErrorCode(err), "%v", err)
		env, err := st.Envelope(ctx, "axe1.2021")
		require.NoError(t, err)
		require.Zero(t, env.ReservedCents)
		s1, err := st.Service(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, models.ServiceCandidate, s1.Status)

		require.NoError(t, decide(models.Euros(600_000), models.Euros(400_000)))
		env, err = st.Envelope(ctx, "axe1.2021")
		require.NoError(t, err)
		require.Equal(t, models.Euros(1_000_000), env.ReservedCents, "exact to the cent")
		require.Zero(t, available(t, env))
		all, err := st.Services(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, []models.ServiceStatus{models.ServiceSelected, models.ServiceSelected, models.ServiceNotSelected},
			[]models.ServiceStatus{all[0].Status, all[1].Status, all[2].Status})
		require.Equal(t, models.Euros(600_000), all[0].BudgetCents)
		require.Equal(t, "hors budget", all[2].DecisionReason)
		require.Equal(t, models.EConflict, models.ErrorCode(decide(1, 1)), "decided once")
		ledger, err := st.Ledger(ctx, "s1", "", 0, 10)
		require.NoError(t, err)
		require.Len(t, ledger, 1)

		_, err = st.DeliverService(ctx, "s3", "admin", models.DeliveryData{})
		require.Equal(t, models.EConflict, models.ErrorCode(err), "a service not selected is not delivered")
		d, err := st.DeliverService(ctx, "s1", "admin", models.DeliveryData{HowToJoin: "Écrire à l’équipe", Contact: "contact@example.org"})
		require.NoError(t, err)
		require.Equal(t, models.ServiceDelivered, d.Status)
		delivered, err := st.DeliveredServices(ctx)
		require.NoError(t, err)
		require.Len(t, delivered, 1)
		require.Equal(t, []string{"p1"}, delivered[0].ProposalIDs)
	})
}

func TestPriorityMembershipsReplacedPerPolicy(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.ImportRegistry(ctx, []models.Collectivite{
			{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53"},
			{Type: models.TypeCommune, Code: "31555", Siren: "213105554", Name: "Toulouse", Departement: "31", Region: "76"},
		}, nil))
		counts, err := st.ReplacePriorityMemberships(ctx, []models.PriorityMembership{{Line: 2, Code: "35238", Policy: models.PolicyCoeurDeVille},
			{Line: 3, Code: "213105554", Policy: models.PolicyCoeurDeVille}, {Line: 4, Code: "213105554", Policy: models.PolicyQuartiers}})
		require.NoError(t, err)
		require.Equal(t, map[models.PriorityPolicy]int{models.PolicyCoeurDeVille: 2, models.PolicyQuartiers: 1}, counts)
		// A new list of Action cœur de ville replaces it whole; the quartiers are kept.
		_, err = st.ReplacePriorityMemberships(ctx, []models.PriorityMembership{{Line: 2, Code: "35238", Policy: models.PolicyCoeurDeVille}})
		require.NoError(t, err)
		policies, err := st.PriorityPoliciesOf(ctx, "213105554")
		require.NoError(t, err)
		require.Equal(t, []models.PriorityPolicy{models.PolicyQuartiers}, policies)
		_, err = st.ReplacePriorityMemberships(ctx, []models.PriorityMembership{{Line: 2, Code: "35238", Policy: models.PolicyAgendaRural},
			{Line: 3, Code: "99999", Policy: models.PolicyAgendaRural}})
		var e *models.Error
		require.ErrorAs(t, err, &e)
		require.Contains(t, e.Fields, "line 3")
		policies, err = st.PriorityPoliciesOf(ctx, "213502388")
		require.NoError(t, err)
		require.Equal(t, []models.PriorityPolicy{models.PolicyCoeurDeVille}, policies, "a refused import changes nothing")
	})
}

func TestInterestsAndReferentsUpToTheLimit(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		require.NoError(t, st.ImportRegistry(ctx, []models.Collectivite{
			{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53"}}, nil))
		_, err := st.ReplacePriorityMemberships(ctx, []models.PriorityMembership{{Line: 2, Code: "35238", Policy: models.PolicyCoeurDeVille}})
		require.NoError(t, err)
		c, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), time.Now().Add(time.Hour)))
		require.NoError(t, err)
		for i, p := range []string{"p1", "p2"} {
			newProposal(t, st, "c1", p, "217500016", models.StatusAccepted)
			_, err := st.CreateService(ctx, newService(fmt.Sprintf("s%d", i+1), p))
			require.NoError(t, err)
		}
		require.NoError(t, st.RecordDecision(ctx, c, models.CommitteeDecision{Services: []models.ServiceDecision{
			{ServiceID: "s1", Selected: true, BudgetCents: models.Euros(100_000), Reason: "premier"},
			{ServiceID: "s2", Reason: "second"}}}, "chair"))

		interest := func(service, siren string) error {
			return st.ExpressInterest(ctx, "c1", models.Interest{ServiceID: service, Siren: siren, Contact: "dsi@" + siren, UseCase: "piloter le service", CastBy: "agent"})
		}
		require.Equal(t, models.EConflict, models.ErrorCode(interest("s2", "213502388")), "only selected services")
		for _, siren := range []string{"217500016", "213502388", "213105554"} {
			require.NoError(t, interest("s1", siren))
		}
		require.NoError(t, interest("s1", "217500016"), "said again, it keeps its place")
		require.NoError(t, st.ConfirmReferent(ctx, "c1", "s1", "213502388", "anct", 2))
		require.NoError(t, st.ConfirmReferent(ctx, "c1", "s1", "213502388", "anct", 2), "confirmed once")
		require.NoError(t, st.ConfirmReferent(ctx, "c1", "s1", "213105554", "anct", 2))
		require.Equal(t, models.EConflict, models.ErrorCode(st.ConfirmReferent(ctx, "c1", "s1", "217500016", "anct", 2)), "the limit")
		require.Equal(t, models.ENotFound, models.ErrorCode(st.ConfirmReferent(ctx, "c1", "s1", "211300553", "anct", 2)), "no interest expressed")

		list, err := st.Interests(ctx, "s1")
		require.NoError(t, err)
		var sirens []string
		for _, in := range list {
			sirens = append(sirens, in.Siren)
		}
		require.Equal(t, []string{"213502388", "213105554", "217500016"}, sirens, "the référents in order, then the list")
		require.True(t, list[0].Referent)
		require.Equal(t, "Rennes", list[0].Name)
		require.Equal(t, []models.PriorityPolicy{models.PolicyCoeurDeVille}, list[0].Policies)
		require.False(t, list[2].Referent)
	})
}

func TestCommitteeOpinionsReplacedUntilTheDecision(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		c, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), time.Now().Add(time.Hour)))
		require.NoError(t, err)
		newProposal(t, st, "c1", "p1", "217500016", models.StatusAccepted)
		_, err = st.CreateService(ctx, newService("s1", "p1"))
		require.NoError(t, err)
		require.NoError(t, st.RecordOpinions(ctx, "c1", "dinum", []models.ServiceOpinion{{ServiceID: "s1", Select: true, Comment: "oui"}}))
		require.NoError(t, st.RecordOpinions(ctx, "c1", "dinum", []models.ServiceOpinion{{ServiceID: "s1", Comment: "finalement non"}}))
		ops, err := st.Opinions(ctx, "c1")
		require.NoError(t, err)
		require.Len(t, ops, 1, "replaced, not added")
		require.False(t, ops[0].Select)
		require.Equal(t, "finalement non", ops[0].Comment)
		require.NoError(t, st.RecordDecision(ctx, c, models.CommitteeDecision{Services: []models.ServiceDecision{
			{ServiceID: "s1", Reason: "non retenu"}}}, "chair"))
		err = st.RecordOpinions(ctx, "c1", "region", []models.ServiceOpinion{{ServiceID: "s1", Comment: "trop tard"}})
		require.Equal(t, models.EConflict, models.ErrorCode(err), "decided")
	})
}

// An EPCI and its member communes voting for the same service represent the EPCI's
// inhabitants once; a commune outside it adds its own.
func TestResultsCountEachInhabitantOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		require.NoError(t, st.ImportRegistry(ctx, []models.Collectivite{
			{Type: models.TypeCommune, Code: "31555", Siren: "213105554", Name: "Toulouse", Departement: "31", Region: "76", Population: 500_000},
			{Type: models.TypeCommune, Code: "31069", Siren: "213100696", Name: "Blagnac", Departement: "31", Region: "76", Population: 25_000},
			{Type: models.TypeEPCI, Code: "243100518", Siren: "243100518", Name: "Toulouse Métropole", Departement: "31", Region: "76",
				Population: 800_000, Members: []string{"213105554", "213100696"}},
			{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53", Population: 220_000},
		}, nil))
		_, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), time.Now().Add(time.Hour)))
		require.NoError(t, err)
		newProposal(t, st, "c1", "p1", "213105554", models.StatusAccepted)
		_, err = st.CreateService(ctx, newService("s1", "p1"))
		require.NoError(t, err)
		for _, siren := range []string{"213105554", "213100696", "243100518", "213502388"} {
			_, err := st.CastBallot(ctx, models.Ballot{CampaignID: "c1", Siren: siren, ServiceIDs: []string{"s1"}, CastBy: "agent-" + siren})
			require.NoError(t, err)
		}
		results, err := st.Results(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, []models.ServiceResult{{ServiceID: "s1", Title: "Service s1", Ballots: 4, Population: 1_020_000}}, results,
			"the métropole's 800,000 once, not again through Toulouse and Blagnac, and Rennes's 220,000")
	})
}
