package activities

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/mocks"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// TestSignalServicesSkipsServicesWithoutWorkflow checks that a service whose workflow is
// not there is skipped, and that any other failure fails the activity (to be retried).
func TestSignalServicesSkipsServicesWithoutWorkflow(t *testing.T) {
	tc := &mocks.Client{}
	a := &Activities{Temporal: tc}
	signal := func(id string) *mock.Call {
		return tc.On("SignalWorkflow", mock.Anything, models.ServiceWorkflowID(id), "", "campaign_phase", models.PhaseInterest)
	}
	signal("a").Return(nil)
	signal("b").Return(serviceerror.NewNotFound("workflow not found"))
	signal("c").Return(nil)
	sent, err := a.SignalServices(context.Background(), "campaign_phase", []ServiceSignal{{"a", models.PhaseInterest}, {"b", models.PhaseInterest}, {"c", models.PhaseInterest}})
	require.NoError(t, err)
	require.Equal(t, 2, sent)

	signal("d").Return(errors.New("frontend unavailable"))
	_, err = a.SignalServices(context.Background(), "campaign_phase", []ServiceSignal{{"d", models.PhaseInterest}})
	require.ErrorContains(t, err, "service d")
	tc.AssertExpectations(t)
}

// TestCommitteeFactsAndADecisionRecordedOnce reads what the committee works on (services in
// the order of the results, what the envelope has left), then records a decision whose
// retry changes nothing: the envelope holds the budget once, to the cent.
func TestCommitteeFactsAndADecisionRecordedOnce(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	now := time.Now().UTC()
	w := func(from, to int) models.Window {
		return models.Window{OpensAt: now.Add(time.Duration(from) * time.Hour), ClosesAt: now.Add(time.Duration(to) * time.Hour)}
	}
	c, err := st.CreateCampaign(ctx, models.Campaign{ID: "c1", Title: "Campagne", EnvelopeCode: "axe1.c1", BudgetCents: models.Euros(1_000_000),
		Schedule: models.Schedule{Collection: w(-4, -3), Vote: w(-3, -2), Interest: w(1, 2), Build: w(2, 3)}, Committee: []models.CommitteeMember{
			{Subject: "chair", ANCT: true}}, Chair: "chair", Quorum: 1, BallotSize: 5, ReferentsPerService: 10, Categories: []string{"a"}, CreatedBy: "admin"})
	require.NoError(t, err)
	for _, id := range []string{"s1", "s2"} {
		_, _, err := st.CreateDossier(ctx, models.Dossier{ID: "p-" + id, Kind: models.KindCoConstruction, Status: models.StatusSubmitted,
			ApplicantSiren: "217500016", EnvelopeCode: "axe1.c1", Payload: []byte(`{}`), CallID: c.ID, CreatedBy: "t"}, store.IdempotencyKey{}, nil)
		require.NoError(t, err)
		require.NoError(t, st.SetDossierStatus(ctx, "p-"+id, store.StatusChange{Status: models.StatusAccepted, StepKey: id}))
		_, err = st.CreateService(ctx, models.CandidateService{ID: id, CampaignID: c.ID, Title: "Service " + id,
			Description: "Un service candidat issu des propositions.", ProposalIDs: []string{"p-" + id}, CreatedBy: "instr"})
		require.NoError(t, err)
	}
	_, err = st.CastBallot(ctx, models.Ballot{CampaignID: c.ID, Siren: "213502388", ServiceIDs: []string{"s2"}, CastBy: "rennes"})
	require.NoError(t, err)

	facts, err := a.CampaignCommittee(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, models.Euros(1_000_000), facts.AvailableCents)
	require.Equal(t, []models.CandidateService{{ID: "s2", CampaignID: c.ID, Title: "Service s2", Status: models.ServiceCandidate},
		{ID: "s1", CampaignID: c.ID, Title: "Service s1", Status: models.ServiceCandidate}}, facts.Services, "in the order of the results, and no more")

	in := DecisionInput{CampaignID: c.ID, Actor: "chair", Decision: models.CommitteeDecision{Services: []models.ServiceDecision{
		{ServiceID: "s2", Selected: true, BudgetCents: models.Euros(250_000) + 1, Reason: "premier du vote"},
		{ServiceID: "s1", Reason: "hors budget"}}}}
	require.NoError(t, a.RecordCommitteeDecision(ctx, in))
	require.NoError(t, a.RecordCommitteeDecision(ctx, in), "a retry after it was recorded changes nothing")
	env, err := st.Envelope(ctx, "axe1.c1")
	require.NoError(t, err)
	require.Equal(t, models.Euros(250_000)+1, env.ReservedCents)
	s1, err := st.Service(ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, models.ServiceNotSelected, s1.Status)
}
