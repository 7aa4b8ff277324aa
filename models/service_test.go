package models_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestCheckBallot(t *testing.T) {
	c := models.Campaign{ID: "c1", BallotSize: 2, Schedule: schedule()}
	services := []models.CandidateService{{ID: "s1", Status: models.ServiceCandidate}, {ID: "s2", Status: models.ServiceCandidate},
		{ID: "s3", Status: models.ServiceMerged}, {ID: "s4", Status: models.ServiceCandidate}}
	require.NoError(t, c.CheckBallot(models.BallotRequest{ServiceIDs: []string{"s1", "s2"}}, services))
	for name, tc := range map[string]struct {
		ids   []string
		field string
	}{
		"empty":              {[]string{}, "service_ids"},
		"beyond the size":    {[]string{"s1", "s2", "s4"}, "service_ids"},
		"twice the same":     {[]string{"s1", "s1"}, "service_ids"},
		"unknown":            {[]string{"s9"}, "service_ids[0]"},
		"a merged service":   {[]string{"s1", "s3"}, "service_ids[1]"},
		"a blank service ID": {[]string{""}, "service_ids[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.CheckBallot(models.BallotRequest{ServiceIDs: tc.ids}, services)
			var e *models.Error
			require.ErrorAs(t, err, &e)
			require.Contains(t, e.Fields, tc.field, "%v", e.Fields)
		})
	}
}

func TestVoteWindowAndResultsVisibility(t *testing.T) {
	c := models.Campaign{ID: "c1", Schedule: schedule()}
	require.NoError(t, c.GroupingOpen(days(29)))
	require.Equal(t, models.EConflict, models.ErrorCode(c.GroupingOpen(days(30))), "ballots name the services")
	require.Equal(t, models.EConflict, models.ErrorCode(c.VoteOpen(days(29))))
	require.NoError(t, c.VoteOpen(days(30)))
	require.Equal(t, models.EConflict, models.ErrorCode(c.VoteOpen(days(45))))

	admin := models.Principal{Subject: "a", Roles: []models.Role{models.RoleAdmin}}
	national := models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"*"}}
	local := models.Principal{Subject: "i13", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"13"}}
	agent := models.Principal{Subject: "p", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"}
	ballot := models.BallotEntry{Siren: "217500016", CastBy: "agent.paris"}
	for _, p := range []models.Principal{admin, national} {
		require.True(t, p.CanSeeResults(c, days(31)), p.Subject)
		require.True(t, p.CanSeeBallots(c, days(31)), p.Subject)
		require.Equal(t, ballot, ballot.SeenBy(p), "%s reads who cast a ballot", p.Subject)
	}
	for _, p := range []models.Principal{local, agent} {
		require.False(t, p.CanSeeResults(c, days(31)), "%s during the vote", p.Subject)
		require.True(t, p.CanSeeResults(c, days(45)), "%s once it closed", p.Subject)
		require.False(t, p.CanSeeBallots(c, days(31)), "%s during the vote", p.Subject)
		require.True(t, p.CanSeeBallots(c, days(45)), "%s once it closed", p.Subject)
		require.Empty(t, ballot.SeenBy(p).CastBy, "%s does not read who cast a ballot", p.Subject)
		require.Equal(t, ballot.Siren, ballot.SeenBy(p).Siren)
	}
}

func TestSortResults(t *testing.T) {
	rs := []models.ServiceResult{{ServiceID: "b", Ballots: 2, Population: 10}, {ServiceID: "a", Ballots: 2, Population: 10},
		{ServiceID: "c", Ballots: 3}, {ServiceID: "d", Ballots: 2, Population: 50}}
	models.SortResults(rs)
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ServiceID)
	}
	require.Equal(t, []string{"c", "d", "a", "b"}, ids)
}

func TestCheckDecision(t *testing.T) {
	c := models.Campaign{ID: "c1", Chair: "chair", Schedule: schedule()}
	const a, b = "0190f3b4-0000-7000-8000-00000000000a", "0190f3b4-0000-7000-8000-00000000000b"
	services := []models.CandidateService{{ID: a, Status: models.ServiceCandidate}, {ID: b, Status: models.ServiceCandidate},
		{ID: "m", Status: models.ServiceMerged}}
	ok := models.CommitteeDecision{Services: []models.ServiceDecision{{ServiceID: a, Selected: true, BudgetCents: 100, Reason: "premier"},
		{ServiceID: b, Reason: "hors budget"}}}
	require.NoError(t, c.CheckDecision(ok, services))
	for name, tc := range map[string]struct {
		d     models.CommitteeDecision
		field string
	}{
		"a service left out":         {models.CommitteeDecision{Services: ok.Services[:1]}, "services"},
		"selected without a budget":  {models.CommitteeDecision{Services: []models.ServiceDecision{{ServiceID: a, Selected: true, Reason: "premier"}, ok.Services[1]}}, "services[0].budget_cents"},
		"not selected with a budget": {models.CommitteeDecision{Services: []models.ServiceDecision{ok.Services[0], {ServiceID: b, BudgetCents: 1, Reason: "hors budget"}}}, "services[1].budget_cents"},
		"twice":                      {models.CommitteeDecision{Services: []models.ServiceDecision{ok.Services[0], ok.Services[1], ok.Services[1]}}, "services[2].service_id"},
		"without a reason":           {models.CommitteeDecision{Services: []models.ServiceDecision{ok.Services[0], {ServiceID: b}}}, "services[1].reason"},
	} {
		t.Run(name, func(t *testing.T) {
			var e *models.Error
			require.ErrorAs(t, c.CheckDecision(tc.d, services), &e)
			require.Contains(t, e.Fields, tc.field, "%v", e.Fields)
		})
	}
	chair := models.Principal{Subject: "chair", Roles: []models.Role{models.RoleAdmin}}
	require.Equal(t, models.EConflict, models.ErrorCode(c.DecisionOpen(chair, days(44))), "the vote is open")
	require.NoError(t, c.DecisionOpen(chair, days(45)))
	require.Equal(t, models.EForbidden, models.ErrorCode(c.DecisionOpen(models.Principal{Subject: "other"}, days(45))))
}

func TestCommitteeOpinionsAndQuorum(t *testing.T) {
	c := models.Campaign{ID: "c1", Chair: "chair", Quorum: 2, Schedule: schedule(),
		Committee: []models.CommitteeMember{{Subject: "chair", ANCT: true}, {Subject: "dinum"}, {Subject: "region"}}}
	const a, b = "0190f3b4-0000-7000-8000-00000000000a", "0190f3b4-0000-7000-8000-00000000000b"
	services := []models.CandidateService{{ID: a, Status: models.ServiceCandidate}, {ID: b, Status: models.ServiceCandidate}}
	both := models.OpinionsRequest{Opinions: []models.ServiceOpinion{{ServiceID: a, Select: true, Comment: "oui"}, {ServiceID: b, Comment: "non"}}}
	require.NoError(t, c.CheckOpinions(both, services))
	var e *models.Error
	require.ErrorAs(t, c.CheckOpinions(models.OpinionsRequest{Opinions: both.Opinions[:1]}, services), &e)
	require.Contains(t, e.Fields, "opinions")
	require.ErrorAs(t, c.CheckOpinions(models.OpinionsRequest{Opinions: []models.ServiceOpinion{both.Opinions[0], both.Opinions[1], {ServiceID: b, Comment: "x"}}}, services), &e)
	require.Contains(t, e.Fields, "opinions[2].service_id")
	require.Contains(t, e.Fields, "opinions[2].comment")

	require.Equal(t, models.EForbidden, models.ErrorCode(c.OpinionsOpen(models.Principal{Subject: "someone"}, days(46))))
	require.Equal(t, models.EConflict, models.ErrorCode(c.OpinionsOpen(models.Principal{Subject: "dinum"}, days(40))))
	require.NoError(t, c.OpinionsOpen(models.Principal{Subject: "dinum"}, days(46)))
	require.Equal(t, 2, c.QuorumMissing(nil))
	require.Equal(t, 1, c.QuorumMissing([]string{"dinum", "stranger"}), "only members count")
	require.Zero(t, c.QuorumMissing([]string{"dinum", "region"}))
}

func TestRepresentedPopulationCountsEachInhabitantOnce(t *testing.T) {
	rennes := models.Collectivite{Type: models.TypeCommune, Siren: "213502388", Departement: "35", Region: "53", Population: 220_000}
	stMalo := models.Collectivite{Type: models.TypeCommune, Siren: "213502883", Departement: "35", Region: "53", Population: 47_000}
	metropole := models.Collectivite{Type: models.TypeEPCI, Siren: "243500139", Departement: "35", Region: "53", Population: 460_000, Members: []string{"213502388"}}
	ille := models.Collectivite{Type: models.TypeDepartement, Code: "35", Departement: "35", Region: "53", Population: 1_100_000}
	bretagne := models.Collectivite{Type: models.TypeRegion, Code: "53", Region: "53", Population: 3_400_000}
	paris := models.Collectivite{Type: models.TypeCommune, Siren: "217500016", Departement: "75", Region: "11", Population: 2_100_000}
	for _, c := range []struct {
		name   string
		voters []models.Collectivite
		want   int64
	}{
		{"communes alone", []models.Collectivite{rennes, stMalo}, 267_000},
		{"an EPCI covers its members, not the others", []models.Collectivite{rennes, stMalo, metropole}, 507_000},
		{"a département covers its communes", []models.Collectivite{rennes, stMalo, ille, paris}, 3_200_000},
		{"a région covers its départements", []models.Collectivite{ille, bretagne, rennes}, 3_400_000},
		{"nobody", nil, 0},
	} {
		if got := models.RepresentedPopulation(c.voters); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// TestServiceCostRequired: an estimate costs something, as the API and the page both ask.
func TestServiceCostRequired(t *testing.T) {
	requireFields(t, models.Validate(models.ServiceCostRequest{EstimatedCostCents: 1, CostNote: "devis"}), nil)
	requireFields(t, models.Validate(models.ServiceCostRequest{CostNote: "devis"}), map[string]string{"estimated_cost_cents": "is required"})
	requireFields(t, models.Validate(models.ServiceCostRequest{EstimatedCostCents: -1, CostNote: "devis"}), map[string]string{"estimated_cost_cents": models.CentsRange})
}
