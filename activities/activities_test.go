package activities

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// newActivities runs the activities over a fresh SQLite store holding a tiny registry.
func newActivities(t *testing.T) (*Activities, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "a.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	require.NoError(t, st.ImportRegistry(ctx, []models.Collectivite{
		{Type: models.TypeCommune, Code: "75056", Siren: "217500016", Name: "Paris", Departement: "75", Region: "11", Population: 2_100_000},
		{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53", Population: 230_000},
		{Type: models.TypeCommune, Code: "35047", Siren: "213500473", Name: "Bruz", Departement: "35", Region: "53", Population: 19_000},
	}, nil))
	return &Activities{Store: st}, st
}

func dossier(t *testing.T, st *store.Store, id, siren string, kind models.DossierKind, payload any) {
	t.Helper()
	b, err := json.Marshal(payload)
	require.NoError(t, err)
	_, _, err = st.CreateDossier(context.Background(), models.Dossier{ID: id, Kind: kind, Status: models.StatusSubmitted,
		ApplicantSiren: siren, EnvelopeCode: models.EnvelopeGuichet, Payload: b, CreatedBy: "t"}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
}

func TestFundGuichetAnswersRefusalsAsOutcomes(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 900_000}
	dossier(t, st, "d1", "217500016", models.KindGuichet, app)
	dossier(t, st, "d2", "217500016", models.KindGuichet, app)
	f, err := a.FundGuichet(ctx, "d1")
	require.NoError(t, err)
	require.Equal(t, Funding{Funded: true, GrantedCents: 500_000}, f)
	f, err = a.FundGuichet(ctx, "d1")
	require.NoError(t, err)
	require.True(t, f.Funded, "a retried activity finds its own funding")
	f, err = a.FundGuichet(ctx, "d2")
	require.NoError(t, err)
	require.False(t, f.Funded)
	require.Contains(t, f.Refusal, "already holds its franceconnect funding")

	_, err = a.FundGuichet(ctx, "missing")
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.True(t, appErr.NonRetryable(), "a missing dossier will not appear by retrying")
	require.Equal(t, models.ENotFound, appErr.Type())
}

func TestCheckAAPEligibilityExplains(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	dossier(t, st, "big", "217500016", models.KindAAP, models.AAPApplication{})
	dossier(t, st, "small", "213502388", models.KindAAP, models.AAPApplication{PartnerSirens: []string{"213500473", "123456782"}})
	e, err := a.CheckAAPEligibility(ctx, "big")
	require.NoError(t, err)
	require.True(t, e.Eligible)
	e, err = a.CheckAAPEligibility(ctx, "small")
	require.NoError(t, err)
	require.False(t, e.Eligible)
	require.EqualValues(t, 249_000, e.Population, "the partners count with the applicant")
	require.Contains(t, e.Reasons, "SIREN 123456782 is not a commune or EPCI of the registry")
}

func TestAlertTaskWritesOnce(t *testing.T) {
	a, st := newActivities(t)
	ctx := context.Background()
	dossier(t, st, "d1", "217500016", models.KindGuichet, models.GuichetApplication{})
	due := time.Now().UTC()
	task := models.Task{ID: "d1.disbursement.0", DossierID: "d1", Type: models.TaskDisbursement, Role: models.RoleFinance,
		Scope: models.ScopeNational, DueAt: &due}
	require.NoError(t, st.CreateTask(ctx, task))
	for range 2 {
		require.NoError(t, a.AlertTask(ctx, TaskAlert{Kind: AlertEscalation, Task: task}))
	}
	outbox, err := st.Notifications(ctx, "d1", 0, 10)
	require.NoError(t, err)
	require.Len(t, outbox, 1, "a retried alert queues one message")
	require.Equal(t, "role:finance:national", outbox[0].Recipient)
	trail, err := st.AuditTrail(ctx, "d1")
	require.NoError(t, err)
	require.Len(t, trail, 1)
	require.Equal(t, "task_escalated", trail[0].Action)
	got, err := st.Task(ctx, task.ID)
	require.NoError(t, err)
	require.NotNil(t, got.EscalatedAt)
}
