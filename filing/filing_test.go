package filing_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
	"github.com/relance/relance/workflows"
)

// fakeTemporal answers starts and describes as a test scripts them. Other calls panic.
type fakeTemporal struct {
	client.Client
	mu sync.Mutex
	// start answers ExecuteWorkflow; nil starts the workflow.
	start func(ctx context.Context) error
	// probe answers the one-shot describe after a failed start.
	probe   error
	running map[string]bool
	inputs  []any
	// updates are the Updates sent, each answered as if its workflow had closed.
	updates []client.UpdateWorkflowOptions
}

func newFake() *fakeTemporal { return &fakeTemporal{running: map[string]bool{}} }

func (f *fakeTemporal) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	if f.start != nil {
		if err := f.start(ctx); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running[o.ID] = true
	f.inputs = append(f.inputs, args...)
	return nil, nil
}

func (f *fakeTemporal) DescribeWorkflow(_ context.Context, id, _ string) (*client.WorkflowExecutionDescription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.running[id] {
		return nil, serviceerror.NewNotFound("workflow not found")
	}
	return &client.WorkflowExecutionDescription{}, nil
}

func (f *fakeTemporal) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates = append(f.updates, o)
	return nil, serviceerror.NewNotFound("workflow execution already completed")
}

func (f *fakeTemporal) WorkflowService() workflowservice.WorkflowServiceClient {
	return probeService{f: f}
}

// probeService answers the raw describe call; other calls panic.
type probeService struct {
	workflowservice.WorkflowServiceClient
	f *fakeTemporal
}

func (p probeService) DescribeWorkflowExecution(context.Context, *workflowservice.DescribeWorkflowExecutionRequest, ...grpc.CallOption) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	return &workflowservice.DescribeWorkflowExecutionResponse{}, p.f.probe
}

func newService(t *testing.T, tc *fakeTemporal) *filing.Service {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "relance.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	return &filing.Service{Store: st, Temporal: tc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Timeout: time.Second, AmendWindow: time.Hour}
}

var (
	paris = models.Principal{Subject: "agent", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"}
	app   = models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100_000, Checklist: map[string]bool{"bouton_charte": true}}
)

func dossiers(t *testing.T, s *filing.Service) []models.Dossier {
	t.Helper()
	list, err := s.Store.ListDossiers(context.Background(), models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}, store.DossierFilter{Limit: 100})
	require.NoError(t, err)
	return list
}

func TestFilingStartsAndRecordsTheProcess(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	// A client that has already gone away does not stop the filing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	filed, err := s.FileGuichet(ctx, paris, "k", app)
	require.NoError(t, err)
	require.True(t, filed.Created)
	require.True(t, tc.running[filed.Dossier.WorkflowID()])
	d, err := s.Store.Dossier(context.Background(), filed.Dossier.ID)
	require.NoError(t, err)
	require.NotNil(t, d.ProcessStartedAt)
	in := tc.inputs[0].(workflows.GuichetInput)
	require.Equal(t, filed.Dossier.ID, in.DossierID)
	require.Equal(t, models.GuichetFranceConnect, in.Kind)
	require.NotEmpty(t, in.ChecklistVersion, "the input is rebuilt from the dossier's payload")
	require.Equal(t, time.Hour, in.AmendWindow)

	again, err := s.FileGuichet(context.Background(), paris, "k", app)
	require.NoError(t, err)
	require.False(t, again.Created)
	require.Equal(t, filed.Dossier.ID, again.Dossier.ID)
	require.Len(t, tc.inputs, 1, "a started dossier is not started again")
}

func TestFailedStarts(t *testing.T) {
	deadline := func(ctx context.Context) error {
		<-ctx.Done() // a server that does not answer
		return serviceerror.NewDeadlineExceeded("context deadline exceeded")
	}
	for _, tt := range []struct {
		name  string
		start func(context.Context) error
		probe error
		// kept: the row stays, for the reconciler; started: its process is recorded.
		kept, started bool
		code          string
	}{
		{"refused by the server", func(context.Context) error { return serviceerror.NewInvalidArgument("bad") }, nil, false, false, models.EInternal},
		{"timeout, then not found", deadline, serviceerror.NewNotFound("no"), false, false, models.EInternal},
		{"timeout, then unreachable", deadline, serviceerror.NewUnavailable("connection refused"), false, false, models.EInternal},
		{"timeout, then found", deadline, nil, true, true, ""},
		{"timeout, then no answer", deadline, serviceerror.NewDeadlineExceeded("slow"), true, false, models.EUnavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tc := newFake()
			tc.start, tc.probe = tt.start, tt.probe
			s := newService(t, tc)
			began := time.Now()
			_, err := s.FileGuichet(context.Background(), paris, "k", app)
			require.Less(t, time.Since(began), s.Timeout+200*time.Millisecond, "one deadline for the whole filing")
			if tt.code != "" {
				require.Error(t, err)
				if tt.code != models.EInternal {
					require.Equal(t, tt.code, models.ErrorCode(err))
				}
			} else {
				require.NoError(t, err)
			}
			list := dossiers(t, s)
			if !tt.kept {
				require.Empty(t, list, "a start known to have failed leaves nothing")
				// The key is free again: a retry files anew.
				tc.start = nil
				filed, err := s.FileGuichet(context.Background(), paris, "k", app)
				require.NoError(t, err)
				require.True(t, filed.Created)
				return
			}
			require.Len(t, list, 1)
			require.Equal(t, tt.started, list[0].ProcessStartedAt != nil)
			if !tt.started {
				require.Contains(t, err.Error(), list[0].ID, "the answer names the dossier left for the reconciler")
				// A retry with the same key starts it.
				tc.start = nil
				filed, err := s.FileGuichet(context.Background(), paris, "k", app)
				require.NoError(t, err)
				require.False(t, filed.Created)
				d, err := s.Store.Dossier(context.Background(), list[0].ID)
				require.NoError(t, err)
				require.NotNil(t, d.ProcessStartedAt)
			}
		})
	}
}

func TestIdempotencyScope(t *testing.T) {
	s := newService(t, newFake())
	ctx := context.Background()
	first, err := s.FileGuichet(ctx, paris, "k", app)
	require.NoError(t, err)
	lyon := paris
	lyon.Siren = "216901231"
	other, err := s.FileGuichet(ctx, lyon, "k", app)
	require.NoError(t, err)
	require.True(t, other.Created, "the same person acting for another SIREN files anew")
	require.NotEqual(t, first.Dossier.ID, other.Dossier.ID)

	changed := app
	changed.ProjectCostCents++
	_, err = s.FileGuichet(ctx, paris, "k", changed)
	require.Equal(t, models.EIdempotencyKeyReused, models.ErrorCode(err))

	someoneElse := paris
	someoneElse.Subject = "colleague"
	again, err := s.FileGuichet(ctx, someoneElse, "k", changed)
	require.NoError(t, err)
	require.True(t, again.Created, "a key is its author's")
}

func TestGuichetClosingDate(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	closes := time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
	s.GuichetClosesAt = closes
	s.Now = func() time.Time { return closes }
	_, err := s.FileGuichet(context.Background(), paris, "k", app)
	require.Equal(t, models.EConflict, models.ErrorCode(err))
	require.Contains(t, err.Error(), "2026-12-31T23:00:00Z")
	require.Empty(t, dossiers(t, s))
	require.Empty(t, tc.inputs)

	s.Now = func() time.Time { return closes.Add(-time.Minute) }
	filed, err := s.FileGuichet(context.Background(), paris, "k", app)
	require.NoError(t, err)
	require.True(t, filed.Created, "the refused request left its key free")

	s.Now = func() time.Time { return closes.Add(time.Minute) }
	retry, err := s.FileGuichet(context.Background(), paris, "k", app)
	require.NoError(t, err, "a retry after the closing date gets the dossier filed before it")
	require.Equal(t, filed.Dossier.ID, retry.Dossier.ID)
	_, err = s.FileGuichet(context.Background(), paris, "k2", app)
	require.Equal(t, models.EConflict, models.ErrorCode(err))
}

// TestGuichetFormCheckedBeforeFiling: only an applicant files, and only a valid form;
// a refused one leaves nothing behind.
func TestGuichetFormCheckedBeforeFiling(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	ctx := context.Background()
	_, err := s.FileGuichet(ctx, models.Principal{Subject: "instr", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"75"}}, "k", app)
	require.Equal(t, models.EForbidden, models.ErrorCode(err))
	require.EqualError(t, err, "this action needs the applicant role")
	bad := app
	bad.Checklist = map[string]bool{"unknown": true}
	_, err = s.FileGuichet(ctx, paris, "k", bad)
	require.Equal(t, models.EInvalid, models.ErrorCode(err))
	require.Empty(t, dossiers(t, s))
	require.Empty(t, tc.inputs)
}

// TestApplicationFiledWithinTheCallsDates: a draft before the call opens, a submission
// while it is open, nothing once it has closed.
func TestApplicationFiledWithinTheCallsDates(t *testing.T) {
	s := newService(t, newFake())
	ctx := context.Background()
	now := time.Now()
	s.Now = func() time.Time { return now }
	call := models.Call{ID: "c1", Strand: models.StrandDonnees, OpensAt: now.Add(time.Hour), ClosesAt: now.Add(2 * time.Hour)}
	application := models.AAPApplication{Title: "Ouverture", RequestedCents: 1_000_000}
	_, err := s.FileApplication(ctx, paris, "k", call, application, false)
	require.Equal(t, models.EConflict, models.ErrorCode(err))
	require.Contains(t, err.Error(), "save a draft until then")
	_, err = s.FileApplication(ctx, paris, "k", call, application, true)
	require.NoError(t, err, "a draft may be saved before the call opens")
	s.Now = func() time.Time { return call.ClosesAt }
	_, err = s.FileApplication(ctx, paris, "k2", call, application, true)
	require.Equal(t, models.EConflict, models.ErrorCode(err))
	require.Contains(t, err.Error(), "closed on")
}

func TestReconcilerStartsWhatTheAPILeft(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	ctx := context.Background()
	s.AfterInsert = func(models.Dossier) error { return context.Canceled } // the API dies here
	var ids []string
	for _, siren := range []string{"217500016", "216901231", "213502388"} {
		p := paris
		p.Siren = siren
		_, err := s.FileGuichet(ctx, p, "", app)
		require.ErrorIs(t, err, context.Canceled)
	}
	for _, d := range dossiers(t, s) {
		ids = append(ids, d.ID)
	}
	require.Len(t, ids, 3)
	require.Empty(t, tc.inputs)
	// One of them did start: only its record is missing.
	tc.running[models.DossierWorkflowID(ids[0])] = true

	now := time.Now()
	r := &filing.Reconciler{Service: s, Grace: time.Minute, Batch: 2}
	n, err := r.Pass(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "within the grace period, the API may still be starting them")

	s.Now = func() time.Time { return now.Add(2 * time.Minute) }
	n, err = r.Pass(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n, "a bounded batch")
	n, err = r.Pass(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = r.Pass(ctx)
	require.NoError(t, err)
	require.Zero(t, n)

	require.Len(t, tc.inputs, 2, "the one already running is not started again")
	for i, id := range ids {
		require.True(t, tc.running[models.DossierWorkflowID(id)])
		d, err := s.Store.Dossier(ctx, id)
		require.NoError(t, err)
		require.NotNil(t, d.ProcessStartedAt)
		trail, err := s.Store.AuditTrail(ctx, id)
		require.NoError(t, err)
		if i == 0 {
			require.Empty(t, trail)
			continue
		}
		require.Len(t, trail, 1)
		require.Equal(t, filing.ReconcilerActor, trail[0].Actor)
		require.Equal(t, "process started by the reconciler", trail[0].Detail)
	}
}

func TestApplicationDraftSubmittedAndStarted(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	ctx := context.Background()
	require.NoError(t, s.Store.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	call, err := s.Store.CreateCall(ctx, models.Call{ID: "c1", Strand: models.StrandDonnees, Round: 1, Title: "Données",
		OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(time.Hour), EnvelopeCode: "axe2.donnees", Chair: "j1", Quorum: 1,
		Jury: []models.JuryMember{{Subject: "j1"}}, CreatedBy: "admin"})
	require.NoError(t, err)
	application := models.AAPApplication{Title: "Ouverture", RequestedCents: 1_000_000}
	filed, err := s.FileApplication(ctx, paris, "k", call, application, true)
	require.NoError(t, err)
	require.Equal(t, models.StatusDraft, filed.Dossier.Status)
	require.Empty(t, tc.inputs, "a draft has no process yet")

	// A start the server refuses puts the application back to draft.
	tc.start = func(context.Context) error { return serviceerror.NewInvalidArgument("bad") }
	_, err = s.SubmitDraft(ctx, filed.Dossier)
	require.Error(t, err)
	d, err := s.Store.Dossier(ctx, filed.Dossier.ID)
	require.NoError(t, err)
	require.Equal(t, models.StatusDraft, d.Status)

	tc.start = nil
	d, err = s.SubmitDraft(ctx, d)
	require.NoError(t, err)
	require.Equal(t, models.StatusSubmitted, d.Status)
	in := tc.inputs[0].(workflows.AAPInput)
	require.Equal(t, workflows.AAPInput{DossierID: d.ID, CallID: "c1", Siren: paris.Siren, SubmittedBy: paris.Subject,
		EnvelopeCode: "axe2.donnees", RequestedCents: 1_000_000}, in)
	d, err = s.Store.Dossier(ctx, d.ID)
	require.NoError(t, err)
	require.NotNil(t, d.ProcessStartedAt)
}

// TestFilingPrefectoral: an Axe 3 application is filed by an applicant when complete, placed
// by the registry on its territorial envelope, and starts the prefectoral workflow with the
// service's Axe 3 settings.
func TestFilingPrefectoral(t *testing.T) {
	tc := newFake()
	s := newService(t, tc)
	s.Prefectoral = workflows.PrefectoralSettings{AdvanceSharePercent: 20}
	ctx := context.Background()
	rennes := models.Principal{Subject: "maire", Roles: []models.Role{models.RoleApplicant}, Siren: "213502388"}
	app := models.PrefectoralApplication{Title: "Portail", Description: "Les démarches de la mairie en ligne", ProjectType: models.ProjectOnlineService,
		Expenses:       []models.ExpenseLine{{Category: models.ExpenseSupport, Label: "Développement", AmountCents: 200_000}},
		RequestedCents: 100_000, Backing: models.Backing{Deliberation: "Délibération 2021-14", DeliberationDate: "2021-03-02"},
		Team: []models.TeamMember{{Name: "Claire Martin", Role: "cheffe de projet"}}, TargetUsers: 3_000,
		EconomicModel: "Code ouvert", Impact: "Moins de déplacements", Indicators: []string{"part des démarches en ligne"}}

	instructor := models.Principal{Subject: "i35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}
	_, err := s.FilePrefectoral(ctx, instructor, "k", app, false)
	require.Equal(t, models.EForbidden, models.ErrorCode(err), "not an applicant")
	_, err = s.FilePrefectoral(ctx, rennes, "k", models.PrefectoralApplication{Title: "Portail"}, false)
	require.Equal(t, models.EInvalid, models.ErrorCode(err), "an incomplete submission")
	_, err = s.FilePrefectoral(ctx, rennes, "k", app, false)
	require.Equal(t, models.EConflict, models.ErrorCode(err), "a SIREN the registry lacks")
	require.NoError(t, s.Store.ImportRegistry(ctx, []models.Collectivite{
		{Type: models.TypeRegion, Code: "53", Name: "Bretagne", Region: "53", Population: 1},
		{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53", Population: 220_000},
	}, nil))
	_, err = s.FilePrefectoral(ctx, rennes, "k", app, false)
	require.Equal(t, models.EConflict, models.ErrorCode(err), "before the regional split")
	require.Empty(t, dossiers(t, s))

	require.NoError(t, s.Store.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	require.NoError(t, s.Store.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(30_000_000)}, "admin"))
	filed, err := s.FilePrefectoral(ctx, rennes, "k", app, false)
	require.NoError(t, err)
	require.Equal(t, models.KindPrefectoral, filed.Dossier.Kind)
	require.Equal(t, models.KeptEnvelope("53"), filed.Dossier.EnvelopeCode)
	require.Equal(t, workflows.PrefectoralInput{DossierID: filed.Dossier.ID, Siren: "213502388", Departement: "35", Region: "53",
		SubmittedBy: "maire", RequestedCents: 100_000, Settings: workflows.PrefectoralSettings{AdvanceSharePercent: 20}}, tc.inputs[0])
}
