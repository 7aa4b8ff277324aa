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

// newCampaign is an administrator's request for a campaign opening in an hour.
func newCampaign(envelope string) models.CampaignRequest {
	start := time.Now().Add(time.Hour).UTC()
	w := func(from, to int) models.Window {
		return models.Window{OpensAt: start.Add(time.Duration(from) * 24 * time.Hour), ClosesAt: start.Add(time.Duration(to) * 24 * time.Hour)}
	}
	return models.CampaignRequest{Title: "Campagne", EnvelopeCode: envelope, BudgetCents: models.Euros(1_000_000),
		Schedule:  models.Schedule{Collection: w(0, 30), Vote: w(30, 45), Interest: w(45, 60), Build: w(60, 400)},
		Committee: []models.CommitteeMember{{Subject: "chair", ANCT: true}}, Chair: "chair", Quorum: 1}
}

var admin = models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}

func TestCampaignCreatedAndStarted(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	ctx := context.Background()
	require.NoError(t, s.Store.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	c, err := s.CreateCampaign(ctx, admin, newCampaign("axe1.a"))
	require.NoError(t, err)
	require.True(t, tc.running[models.CampaignWorkflowID(c.ID)])
	require.Equal(t, []any{workflows.CampaignInput{CampaignID: c.ID, Schedule: c.Schedule}}, tc.inputs)
	trail, err := s.Store.AuditTrail(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, models.AuditCampaignCreated, trail[0].Action)
	left, err := s.Store.UnstartedCampaigns(ctx, time.Now().Add(time.Hour), 10)
	require.NoError(t, err)
	require.Empty(t, left)
}

func TestReconcilerStartsACampaignTemporalMissed(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	ctx := context.Background()
	require.NoError(t, s.Store.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	tc.start = func(context.Context) error { return errors.New("temporal is down") }
	c, err := s.CreateCampaign(ctx, admin, newCampaign("axe1.b"))
	require.Equal(t, models.EUnavailable, models.ErrorCode(err), "%v", err)
	got, err := s.Store.Campaign(ctx, c.ID)
	require.NoError(t, err, "the campaign stays recorded")
	require.Equal(t, models.Euros(1_000_000), got.BudgetCents)

	tc.start = nil
	r := &filing.Reconciler{Service: s, Grace: time.Minute, Batch: 10}
	n, err := r.Pass(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "within the grace period, the API may still be starting it")
	now := time.Now()
	s.Now = func() time.Time { return now.Add(2 * time.Minute) }
	n, err = r.Pass(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.True(t, tc.running[models.CampaignWorkflowID(c.ID)])
	n, err = r.Pass(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestProposalFiledDuringCollectionOnly(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	ctx := context.Background()
	require.NoError(t, s.Store.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	require.NoError(t, s.Store.ImportRegistry(ctx, []models.Collectivite{{Type: models.TypeCommune, Code: "75056", Siren: paris.Siren,
		Name: "Paris", Departement: "75", Region: "11"}}, nil))
	open := newCampaign("axe1.c").Campaign("camp-axe1.c", "admin")
	open.Schedule.Collection.OpensAt = time.Now().Add(-time.Hour)
	c, err := s.Store.CreateCampaign(ctx, open)
	require.NoError(t, err)
	prop := models.Proposal{Type: models.ProposalNeed, Title: "Démocratie participative", Category: "participation_citoyenne",
		Description: "Un outil de budget participatif partagé entre communes.", ProposerName: "ignored for a collectivité"}

	filed, err := s.FileProposal(ctx, paris, "k1", c, prop)
	require.NoError(t, err)
	require.Equal(t, models.KindCoConstruction, filed.Dossier.Kind)
	require.Equal(t, c.ID, filed.Dossier.CallID)
	require.Equal(t, "Paris", filed.Dossier.ApplicantName)
	in := tc.inputs[0].(workflows.ProposalInput)
	require.Equal(t, workflows.ProposalInput{DossierID: filed.Dossier.ID, CampaignID: c.ID, Siren: paris.Siren, SubmittedBy: paris.Subject}, in)

	partner := models.Principal{Subject: "asso", Roles: []models.Role{models.RolePartner}, Siren: "775672272"}
	prop.ProposerName = "Association Villes Internet"
	filed, err = s.FileProposal(ctx, partner, "k2", c, prop)
	require.NoError(t, err)
	require.Equal(t, "Association Villes Internet", filed.Dossier.ApplicantName)
	require.True(t, tc.inputs[1].(workflows.ProposalInput).Partner, "a partner's own tasks go to the partner role")

	_, err = s.FileProposal(ctx, models.Principal{Subject: "x", Roles: []models.Role{models.RolePartner}, Siren: paris.Siren}, "k3", c, prop)
	require.Equal(t, models.EForbidden, models.ErrorCode(err), "a collectivité proposes as one")
	_, err = s.FileProposal(ctx, models.Principal{Subject: "y", Roles: []models.Role{models.RoleApplicant}, Siren: "775672272"}, "k4", c, prop)
	require.Equal(t, models.EForbidden, models.ErrorCode(err), "an applicant acts for a collectivité of the registry")
	juror := models.Principal{Subject: "juror", Roles: []models.Role{models.RoleJury}, Siren: "775672272"}
	_, err = s.FileProposal(ctx, juror, "k6", c, prop)
	require.EqualError(t, err, "this action needs the applicant or partner role", "neither a collectivité's agent nor a partner")

	// The window closes between the request's check and the insert: the insert refuses it.
	s.Now = func() time.Time { return c.Schedule.Collection.ClosesAt }
	_, err = s.FileProposal(ctx, paris, "k5", c, prop)
	require.Equal(t, models.EConflict, models.ErrorCode(err))
	require.Len(t, dossiers(t, s), 2)
}

// campaignWithService is an administrator's campaign on envelope with one candidate
// service, grouping one accepted proposal of Paris.
func campaignWithService(t *testing.T, s *filing.Service, envelope string) (models.Campaign, models.CandidateService) {
	t.Helper()
	ctx := context.Background()
	c, err := s.CreateCampaign(ctx, admin, newCampaign(envelope))
	require.NoError(t, err)
	p1 := uuid.NewString()
	_, _, err = s.Store.CreateDossier(ctx, models.Dossier{ID: p1, Kind: models.KindCoConstruction, Status: models.StatusSubmitted,
		ApplicantSiren: paris.Siren, EnvelopeCode: c.EnvelopeCode, Payload: []byte(`{}`), CallID: c.ID, CreatedBy: "test"}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
	require.NoError(t, s.Store.SetDossierStatus(ctx, p1, store.StatusChange{Status: models.StatusAccepted, StepKey: p1 + "/accepted"}))
	svc, err := s.CreateService(ctx, admin, c, models.ServiceRequest{Title: "Rendez-vous en mairie",
		Description: "Un service candidat issu des propositions.", ProposalIDs: []string{p1}})
	require.NoError(t, err)
	return c, svc
}
