package filing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
	"github.com/relance/relance/workflows"
)

// TestServiceStartedOrReconciled creates candidate services: the first's process starts
// at once; the second's, which Temporal missed, is started by the reconciler from the
// service's reference row once the grace period has passed.
func TestServiceStartedOrReconciled(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	ctx := context.Background()
	require.NoError(t, s.Store.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	c, err := s.CreateCampaign(ctx, admin, newCampaign("axe1.s"))
	require.NoError(t, err)
	p1, p2 := uuid.NewString(), uuid.NewString()
	for _, id := range []string{p1, p2} {
		_, _, err := s.Store.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindCoConstruction, Status: models.StatusSubmitted,
			ApplicantSiren: paris.Siren, EnvelopeCode: c.EnvelopeCode, Payload: []byte(`{}`), CallID: c.ID, CreatedBy: "test"}, store.IdempotencyKey{}, nil)
		require.NoError(t, err)
		require.NoError(t, s.Store.SetDossierStatus(ctx, id, store.StatusChange{Status: models.StatusAccepted, StepKey: id + "/accepted"}))
		require.NoError(t, s.Store.MarkProcessStarted(ctx, id))
	}
	svc := func(proposal string) models.ServiceRequest {
		return models.ServiceRequest{Title: "Service " + proposal, Description: "Un service candidat issu des propositions.",
			ProposalIDs: []string{proposal}}
	}
	a, err := s.CreateService(ctx, admin, c, svc(p1))
	require.NoError(t, err)
	require.True(t, tc.running[models.ServiceWorkflowID(a.ID)])
	require.Equal(t, workflows.ServiceInput{ServiceID: a.ID, CampaignID: c.ID}, tc.inputs[1])

	tc.start = func(context.Context) error { return errors.New("temporal is down") }
	b, err := s.CreateService(ctx, admin, c, svc(p2))
	require.NoError(t, err, "the grouping stands; its process follows")
	require.False(t, tc.running[models.ServiceWorkflowID(b.ID)])
	tc.start = nil
	r := &filing.Reconciler{Service: s, Grace: time.Minute, Batch: 10}
	now := time.Now()
	s.Now = func() time.Time { return now.Add(2 * time.Minute) }
	n, err := r.Pass(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.True(t, tc.running[models.ServiceWorkflowID(b.ID)], "started from the reference row")
	require.Equal(t, workflows.ServiceInput{ServiceID: b.ID, CampaignID: c.ID}, tc.inputs[2])
	n, err = r.Pass(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}
