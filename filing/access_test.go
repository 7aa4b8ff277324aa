package filing_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
	"github.com/relance/relance/workflows"
)

var marseille = models.Principal{Subject: "agent.13", Roles: []models.Role{models.RoleApplicant}, Siren: "211300553"}

const unknownID = "0190f3b4-0000-7000-8000-000000000000"

// TestActsLoadWhatTheyActOn: an act on a dossier or a task takes its ID and loads it as
// its caller may see it, whoever called: an unknown ID is not found, a dossier outside
// the caller's scope forbidden, and a task closed since the caller read it is refused.
func TestActsLoadWhatTheyActOn(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	ctx := context.Background()
	filed, err := s.FileGuichet(ctx, paris, "k", app)
	require.NoError(t, err)
	d := filed.Dossier

	answer := models.InformationAnswer{Answer: "Le devis est joint."}
	require.Equal(t, models.EForbidden, models.ErrorCode(s.ProvideInformation(ctx, marseille, d.ID, answer)), "another collectivité's dossier")
	require.Equal(t, models.ENotFound, models.ErrorCode(s.ProvideInformation(ctx, paris, unknownID, answer)))
	require.Equal(t, models.EConflict, models.ErrorCode(s.ProvideInformation(ctx, paris, d.ID, answer)), "a guichet dossier is asked nothing")

	withdrawal := models.Withdrawal{Reason: "the collectivité gave the project up"}
	require.Equal(t, models.ENotFound, models.ErrorCode(s.Withdraw(ctx, admin, unknownID, withdrawal)))
	require.Equal(t, models.ENotFound, models.ErrorCode(s.Withdraw(ctx, admin, "x", withdrawal)))
	require.Equal(t, models.EForbidden, models.ErrorCode(s.Withdraw(ctx, paris, d.ID, withdrawal)))
	require.Empty(t, tc.updates, "nothing refused reached the workflow")
	require.Equal(t, models.EConflict, models.ErrorCode(s.Withdraw(ctx, admin, d.ID, withdrawal)), "the fake's workflow has closed")
	require.Len(t, tc.updates, 1)
	require.Equal(t, d.WorkflowID(), tc.updates[0].WorkflowID)
	require.Equal(t, workflows.UpdateWithdraw, tc.updates[0].UpdateName)

	due := time.Now().Add(24 * time.Hour)
	task := models.Task{ID: d.ID + ".disbursement.0", DossierID: d.ID, Type: models.TaskDisbursement, Role: models.RoleFinance,
		Scope: models.ScopeNational, DueAt: &due}
	require.NoError(t, s.Store.CreateTask(ctx, task))
	reassignment := models.Reassignment{Assignee: "finance.bis", Reason: "finance.anct is on leave"}
	extension := models.Extension{DueAt: due.Add(24 * time.Hour), Reason: "the payment run moved"}
	_, err = s.ReassignTask(ctx, admin, "missing", reassignment)
	require.Equal(t, models.ENotFound, models.ErrorCode(err))
	_, err = s.ExtendTask(ctx, admin, "missing", extension)
	require.Equal(t, models.ENotFound, models.ErrorCode(err))
	_, err = s.ReassignTask(ctx, marseille, task.ID, reassignment)
	require.ErrorContains(t, err, "outside your scope")
	_, err = s.ExtendTask(ctx, marseille, task.ID, extension)
	require.ErrorContains(t, err, "outside your scope")
	_, err = s.ReassignTask(ctx, admin, task.ID, reassignment)
	require.Equal(t, models.EConflict, models.ErrorCode(err), "the fake's workflow has closed")
	require.Len(t, tc.updates, 2)
	require.Equal(t, task.ID, tc.updates[1].Args[0].(workflows.ReassignTaskRequest).TaskID)

	require.NoError(t, s.Store.CloseTask(ctx, task.ID, "finance.anct", "paid", "", nil))
	_, err = s.ExtendTask(ctx, admin, task.ID, extension)
	require.ErrorContains(t, err, "is already done", "the task as it stands, not as a caller read it")
	require.Len(t, tc.updates, 2)
}

// TestInterestsAsEachMayReadThem: ANCT reads every collectivité's expression of interest
// and the référents' eligibility; a collectivité its own; anyone else none.
func TestInterestsAsEachMayReadThem(t *testing.T) {
	s := newService(t, newFake())
	ctx := context.Background()
	require.NoError(t, s.Store.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	c, svc := campaignWithService(t, s, "axe1.i")
	require.NoError(t, s.Store.RecordDecision(ctx, c, models.CommitteeDecision{Services: []models.ServiceDecision{
		{ServiceID: svc.ID, Selected: true, BudgetCents: models.Euros(400_000), Reason: "Un besoin partagé."}}}, "chair"))
	for _, p := range []models.Principal{paris, marseille} {
		require.NoError(t, s.Store.ExpressInterest(ctx, c.ID, models.Interest{ServiceID: svc.ID, Siren: p.Siren, Contact: "dsi@mairie.fr",
			UseCase: "Les rendez-vous de l'état civil.", CastBy: p.Subject}))
	}

	anct := models.Principal{Subject: "instr", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
	all, eligibility, err := s.Interests(ctx, anct, svc.ID)
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.NotNil(t, eligibility)
	own, eligibility, err := s.Interests(ctx, paris, svc.ID)
	require.NoError(t, err)
	require.Len(t, own, 1)
	require.Equal(t, paris.Siren, own[0].Siren, "a collectivité reads its own, not Marseille's")
	require.Nil(t, eligibility, "the référents' eligibility is ANCT's")
	for _, p := range []models.Principal{
		{Subject: "finance", Roles: []models.Role{models.RoleFinance}},
		{Subject: "instr35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}},
		{Subject: "asso", Roles: []models.Role{models.RolePartner}, Siren: "775672272"},
	} {
		_, _, err := s.Interests(ctx, p, svc.ID)
		require.Equal(t, models.EForbidden, models.ErrorCode(err), "%s reads no expression of interest", p.Subject)
	}
}

// TestReadsRefuseWhoMayNotRead: the ledger, the programming sessions, the régions' Axe 3
// envelopes and the regional split are read through acts that apply their readers' rule,
// for the API and the pages alike.
func TestReadsRefuseWhoMayNotRead(t *testing.T) {
	s := newService(t, newFake())
	ctx := context.Background()
	require.NoError(t, s.Store.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	split, err := s.RegionalSplit(ctx, admin)
	require.NoError(t, err)
	require.NoError(t, s.Store.SetRegionalSplit(ctx, map[string]models.Cents{"53": split.Territorial.AllocatedCents}, admin.Subject))

	finance := models.Principal{Subject: "finance", Roles: []models.Role{models.RoleFinance}}
	instructor := models.Principal{Subject: "instr35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}
	prefet53 := models.Principal{Subject: "prefet.53", Roles: []models.Role{models.RolePrefet}, Regions: []string{"53"}}
	juror := models.Principal{Subject: "juror", Roles: []models.Role{models.RoleJury}}
	forbidden := func(err error, what string, p models.Principal) {
		t.Helper()
		require.Equal(t, models.EForbidden, models.ErrorCode(err), "%s read by %s: %v", what, p.Subject, err)
	}

	for _, p := range []models.Principal{admin, finance} {
		_, err := s.Ledger(ctx, p, "", "", 0, 10)
		require.NoError(t, err, p.Subject)
	}
	for _, p := range []models.Principal{paris, instructor, prefet53, juror} {
		_, err := s.Ledger(ctx, p, "", "", 0, 10)
		forbidden(err, "the ledger", p)
	}

	for _, p := range []models.Principal{admin, finance, instructor, prefet53} {
		_, err := s.Session(ctx, p, unknownID)
		require.Equal(t, models.ENotFound, models.ErrorCode(err), p.Subject)
		view, err := s.Region(ctx, p, "53")
		require.NoError(t, err, p.Subject)
		require.Equal(t, split.Territorial.AllocatedCents, view.Envelope.AllocatedCents)
		views, err := s.Regions(ctx, p)
		require.NoError(t, err, p.Subject)
		require.Equal(t, []string{"53"}, slices.Collect(maps.Keys(views)))
	}
	for _, p := range []models.Principal{paris, juror} {
		_, err := s.Session(ctx, p, unknownID)
		forbidden(err, "a programming session", p)
		_, err = s.Region(ctx, p, "53")
		forbidden(err, "a région's envelope", p)
		_, err = s.Regions(ctx, p)
		forbidden(err, "the régions' envelopes", p)
	}

	for _, p := range []models.Principal{finance, instructor, prefet53, paris} {
		_, err := s.RegionalSplit(ctx, p)
		forbidden(err, "the regional split", p)
	}
}

// TestDossierViewKeepsTheInstructionFromItsApplicant: through the API's dossier (and the
// page's), an Axe 3 dossier's applicant reads its own tasks and the decisions, not the
// instructor's scoring: neither the scoring task with its criteria and amount, nor the
// score in the audit trail.
func TestDossierViewKeepsTheInstructionFromItsApplicant(t *testing.T) {
	s := newService(t, newFake())
	ctx := context.Background()
	d, _, err := s.Store.CreateDossier(ctx, models.Dossier{ID: unknownID, Kind: models.KindPrefectoral, Status: models.StatusScored,
		ApplicantSiren: paris.Siren, Departement: "75", Region: "11", EnvelopeCode: models.EnvelopeAxe3Territorial, Payload: []byte(`{}`),
		CreatedBy: paris.Subject}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
	scoring := models.Task{ID: d.ID + ".scoring.0", DossierID: d.ID, Type: models.TaskScoring, Role: models.RoleInstructor,
		Scope: models.DepartementScope("75")}
	require.NoError(t, s.Store.CreateTask(ctx, scoring))
	require.NoError(t, s.Store.CloseTask(ctx, scoring.ID, "instr.75", models.OutcomeScored, "",
		[]byte(`{"criteria":[{"score":4},{"score":3},{"score":5},{"score":2},{"score":1}],"proposed_cents":2500000}`)))
	require.NoError(t, s.Store.Audit(ctx, "scored", models.AuditEvent{DossierID: d.ID, Actor: "instr.75", Action: models.AuditScored,
		Detail: "60/100 (criteria [4 3 5 2 1]), 25 000,00 € proposed"}))
	require.NoError(t, s.Store.Audit(ctx, "submitted", models.AuditEvent{DossierID: d.ID, Actor: paris.Subject, Action: models.AuditSubmitted}))

	view, err := s.DossierView(ctx, paris, d.ID)
	require.NoError(t, err)
	require.Empty(t, view.Tasks, "the scoring task is the State's")
	require.Len(t, view.Audit, 1)
	require.Equal(t, models.AuditSubmitted, view.Audit[0].Action, "the score is the State's")
	_, err = s.VisibleTask(ctx, paris, scoring.ID)
	require.ErrorContains(t, err, "is the State's instruction")

	instructor := models.Principal{Subject: "instr.75", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"75"}}
	view, err = s.DossierView(ctx, instructor, d.ID)
	require.NoError(t, err)
	require.Len(t, view.Tasks, 1)
	require.JSONEq(t, `{"criteria":[{"score":4},{"score":3},{"score":5},{"score":2},{"score":1}],"proposed_cents":2500000}`, string(view.Tasks[0].Data))
	require.Len(t, view.Audit, 2)
}
