package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// stores returns a migrated SQLite store, and a PostgreSQL one when TEST_DATABASE_URL is set.
func stores(t *testing.T) map[string]*store.Store {
	out := map[string]*store.Store{}
	open := func(name, url string) {
		st, err := store.Open(url)
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		require.NoError(t, st.Migrate(context.Background()))
		out[name] = st
	}
	open("sqlite", filepath.Join(t.TempDir(), "metrics.db"))
	if pg := testdb.PostgresURL(t); pg != "" {
		open("postgres", pg)
	}
	return out
}

// scrape serves reg as /metrics and returns the text.
func scrape(t *testing.T, reg *prometheus.Registry) string {
	rec := httptest.NewRecorder()
	Handler(reg).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, 200, rec.Code)
	return rec.Body.String()
}

// TestBusinessGaugesFromKnownRows writes known dossiers, tasks, money and messages, and
// finds each figure in the scrape.
func TestBusinessGaugesFromKnownRows(t *testing.T) {
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
			payload, _ := json.Marshal(models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100})
			for i, d := range []struct {
				kind   models.DossierKind
				status models.Status
			}{{models.KindGuichet, models.StatusSubmitted}, {models.KindGuichet, models.StatusSubmitted},
				{models.KindGuichet, models.StatusAwaitingPayment}, {models.KindAAP, models.StatusPreselection}} {
				id := "d" + string(rune('1'+i))
				_, _, err := st.CreateDossier(ctx, models.Dossier{ID: id, Kind: d.kind, Status: models.StatusSubmitted, ApplicantSiren: "217500016",
					Departement: "75", EnvelopeCode: models.EnvelopeGuichet, Payload: payload, CreatedBy: "test"}, store.IdempotencyKey{}, nil)
				require.NoError(t, err)
				if d.status != models.StatusSubmitted {
					require.NoError(t, st.SetDossierStatus(ctx, id, store.StatusChange{Status: d.status}))
				}
			}
			// 5,000 € reserved on the guichet's envelope of 6 M€.
			require.NoError(t, st.FundGuichet(ctx, "d3", "217500016", models.GuichetFranceConnect, models.EnvelopeGuichet, 500_000))

			past, future := time.Now().Add(-time.Hour).UTC(), time.Now().Add(time.Hour).UTC()
			for _, task := range []models.Task{
				{ID: "t1", DossierID: "d3", Type: models.TaskDisbursement, Role: models.RoleFinance, Scope: models.ScopeNational, Status: models.TaskOpen, DueAt: &past},
				{ID: "t2", DossierID: "d4", Type: models.TaskPreselection, Role: models.RoleInstructor, Scope: models.DepartementScope("75"), Status: models.TaskOpen, DueAt: &future},
				{ID: "t3", DossierID: "d4", Type: models.TaskPreselection, Role: models.RoleInstructor, Scope: models.DepartementScope("75"), Status: models.TaskOpen},
				{ID: "t4", DossierID: "d4", Type: models.TaskPreselection, Role: models.RoleInstructor, Scope: models.DepartementScope("75"), Status: models.TaskOpen, DueAt: &past},
			} {
				require.NoError(t, st.CreateTask(ctx, task))
			}
			require.NoError(t, st.CloseTask(ctx, "t4", "instructeur", "preselected", "", nil), "a closed task, overdue or not, is not counted")

			for _, key := range []string{"a", "b", "c"} {
				require.NoError(t, st.QueueNotification(ctx, key, models.Notification{DossierID: "d1", Recipient: "role:finance:national", Subject: "s", Body: "b"}))
			}
			claimed, err := st.ClaimNotifications(ctx, 1)
			require.NoError(t, err)
			for range store.MaxDeliveryAttempts {
				require.NoError(t, st.MarkNotification(ctx, claimed[0].ID, errors.New("relay down")))
			}

			reg := prometheus.NewRegistry()
			reg.MustRegister(NewBusiness(st, time.Minute, slog.New(slog.DiscardHandler)))
			text := scrape(t, reg)
			for _, want := range []string{
				`relance_business_metrics_up 1`,
				`relance_dossiers{kind="guichet",status="submitted"} 2`,
				`relance_dossiers{kind="guichet",status="awaiting_payment"} 1`,
				`relance_dossiers{kind="aap",status="preselection"} 1`,
				`relance_tasks_open{type="preselection"} 2`,
				`relance_tasks_overdue{type="preselection"} 0`,
				`relance_tasks_open{type="disbursement"} 1`,
				`relance_tasks_overdue{type="disbursement"} 1`,
				`relance_tasks_open{type="jury_decision"} 0`,
				`relance_envelope_available_cents{envelope="axe2.guichet"} 5.995e+08`,
				`relance_envelope_available_cents{envelope="axe1"} 3e+09`,
				`relance_outbox_backlog 2`,
				`relance_outbox_failed 1`,
			} {
				require.Contains(t, text, want)
			}

			// Within the TTL a scrape reuses the reading: a new dossier shows only after it.
			_, _, err = st.CreateDossier(ctx, models.Dossier{ID: "d9", Kind: models.KindAAP, Status: models.StatusSubmitted, ApplicantSiren: "217500016",
				EnvelopeCode: models.EnvelopeGuichet, Payload: payload, CreatedBy: "test"}, store.IdempotencyKey{}, nil)
			require.NoError(t, err)
			require.NotContains(t, scrape(t, reg), `relance_dossiers{kind="aap",status="submitted"}`)
			fresh := prometheus.NewRegistry()
			fresh.MustRegister(NewBusiness(st, 0, slog.New(slog.DiscardHandler)))
			require.Contains(t, scrape(t, fresh), `relance_dossiers{kind="aap",status="submitted"} 1`)
		})
	}
}

type failingSource struct{ calls int }

func (f *failingSource) Gauges(context.Context) (store.Gauges, error) {
	f.calls++
	return store.Gauges{}, errors.New("database down")
}

// TestBusinessGaugesWhenTheDatabaseFails reports up=0 and no business series, and does not
// query a failing database again within the TTL.
func TestBusinessGaugesWhenTheDatabaseFails(t *testing.T) {
	src := &failingSource{}
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewBusiness(src, time.Minute, slog.New(slog.DiscardHandler)))
	text := scrape(t, reg)
	require.Contains(t, text, "relance_business_metrics_up 0")
	require.False(t, strings.Contains(text, "relance_dossiers{"))
	scrape(t, reg)
	require.Equal(t, 1, src.calls)
}
