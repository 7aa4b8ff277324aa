package filing_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestActsCheckTheirRequests: each act refuses a request that breaks its field rules, naming
// the fields as the API does, before it reads or writes anything (this fake Temporal
// panics on any update or signal), so that neither the API nor the pages check them again.
func TestActsCheckTheirRequests(t *testing.T) {
	s := newService(t, newFake())
	ctx := context.Background()
	require.NoError(t, s.Store.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	c, err := s.CreateCampaign(ctx, admin, newCampaign("axe1.f"))
	require.NoError(t, err)
	const svc = "0190f3b4-0000-7000-8000-000000000009"
	for _, tc := range []struct {
		act    string
		err    error
		fields []string
	}{
		{"MoveSchedule", s.MoveSchedule(ctx, admin, c, models.Schedule{Collection: c.Schedule.Collection}),
			[]string{"vote.opens_at", "vote.closes_at", "interest.opens_at", "interest.closes_at", "build.opens_at", "build.closes_at"}},
		{"CreateService", second(s.CreateService(ctx, admin, c, models.ServiceRequest{Title: "Rdv", Description: " ", ProposalIDs: []string{"p1"}})),
			[]string{"description", "proposal_ids[0]"}},
		{"SetServiceCost", second(s.SetServiceCost(ctx, admin, c, svc, models.ServiceCostRequest{CostNote: "devis"})), []string{"estimated_cost_cents"}},
		{"MoveProposal", second(s.MoveProposal(ctx, admin, c, svc, models.MoveProposalRequest{})), []string{"dossier_id"}},
		{"MergeServices", second(s.MergeServices(ctx, admin, c, svc, models.MergeServiceRequest{IntoServiceID: "x"})), []string{"into_service_id"}},
		{"ExpressInterest", s.ExpressInterest(ctx, paris, c, svc, models.InterestRequest{Contact: "dsi@paris.fr", UseCase: "court"}), []string{"use_case"}},
		{"ConfirmReferent", s.ConfirmReferent(ctx, admin, c, svc, models.ReferentRequest{Siren: "217500017"}), []string{"siren"}},
		{"Delegate, région", second(s.Delegate(ctx, admin, "bzh", "35", models.DelegationRequest{AmountCents: new(models.Cents)})), []string{"region"}},
		{"Delegate, département", second(s.Delegate(ctx, admin, "53", "999", models.DelegationRequest{AmountCents: new(models.Cents)})), []string{"departement"}},
		{"Delegate, amount", second(s.Delegate(ctx, admin, "53", "35", models.DelegationRequest{})), []string{"amount_cents"}},
		{"SetAllocation", third(s.SetAllocation(ctx, admin, models.EnvelopeAxe1, models.AllocationRequest{})), []string{"allocated_cents"}},
		{"OpenSession", second(s.OpenSession(ctx, admin, models.OpenSessionRequest{})), []string{"envelope_code"}},
	} {
		t.Run(tc.act, func(t *testing.T) {
			var e *models.Error
			require.True(t, errors.As(tc.err, &e), "%v", tc.err)
			require.Equal(t, models.EInvalid, e.Code, e.Message)
			require.ElementsMatch(t, tc.fields, slices.Collect(maps.Keys(e.Fields)), e.Fields)
		})
	}
	services, err := s.Store.Services(ctx, c.ID)
	require.NoError(t, err)
	require.Empty(t, services, "nothing was written")
}

func second[T any](_ T, err error) error        { return err }
func third[T, U any](_ T, _ U, err error) error { return err }
