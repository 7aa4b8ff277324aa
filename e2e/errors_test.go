package e2e

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/relance/relance/app"
	"github.com/relance/relance/config"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// TestBadInputGetsClearAnswers checks every endpoint's answers to a missing or bad token,
// a wrong role or scope, malformed or invalid input and a wrong state: the right 4xx with
// a message naming the problem, never a 500.
func TestBadInputGetsClearAnswers(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	paris := s.token(t, applicantOf(sirenParis))
	marseille := s.token(t, applicantOf(sirenMarseille))
	finance := s.token(t, financeOfficer)
	admin := s.token(t, administrator)
	instructor13 := s.token(t, models.Principal{Subject: "instr.13", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"13"}})
	expired, err := s.auth.Mint(applicantOf(sirenParis), -time.Hour)
	require.NoError(t, err)
	foreign, err := newForeignToken()
	require.NoError(t, err)

	// One real dossier to aim at: Paris, funded and awaiting payment.
	r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", paris,
		models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_particulier", ProjectCostCents: 900_000, Checklist: completeChecklist(models.GuichetAPI)})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var d models.Dossier
	r.decode(t, &d)
	view := s.waitStatus(t, paris, d.ID, models.StatusAwaitingPayment)
	taskID := view.Tasks[0].ID
	validApp := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100, Checklist: map[string]bool{}}

	s.expectAll(t, []badRequest{
		{"no token", "GET", "/api/v1/dossiers", "", nil, 401, models.EUnauthorized, ""},
		{"expired token", "GET", "/api/v1/dossiers", expired, nil, 401, models.EUnauthorized, ""},
		{"token signed with another key", "GET", "/api/v1/dossiers", foreign, nil, 401, models.EUnauthorized, ""},
		{"garbage token", "GET", "/api/v1/envelopes", "not.a.jwt", nil, 401, models.EUnauthorized, ""},
		{"apply without the applicant role", "POST", "/api/v1/guichet/applications", finance, validApp, 403, models.EForbidden, ""},
		{"apply with malformed JSON", "POST", "/api/v1/guichet/applications", paris, []byte(`{"kind":`), 400, models.EMalformed, ""},
		{"apply with a wrong type", "POST", "/api/v1/guichet/applications", paris, []byte(`{"kind":"api","project_cost_cents":"12"}`), 400, models.EMalformed, "project_cost_cents"},
		{"apply with an unknown field", "POST", "/api/v1/guichet/applications", paris, []byte(`{"kind":"api","amount":1}`), 400, models.EMalformed, ""},
		{"apply with trailing data", "POST", "/api/v1/guichet/applications", paris, []byte(`{"kind":"api"} {}`), 400, models.EMalformed, ""},
		{"apply with an unknown kind", "POST", "/api/v1/guichet/applications", paris,
			map[string]any{"kind": "sms", "project_cost_cents": 100, "checklist": map[string]bool{}}, 422, models.EInvalid, "kind"},
		{"apply for an unknown API", "POST", "/api/v1/guichet/applications", paris,
			map[string]any{"kind": "api", "api_name": "api_meteo", "project_cost_cents": 100, "checklist": map[string]bool{}}, 422, models.EInvalid, "api_name"},
		{"apply with a negative cost", "POST", "/api/v1/guichet/applications", paris,
			map[string]any{"kind": "franceconnect", "project_cost_cents": -5, "checklist": map[string]bool{}}, 422, models.EInvalid, "project_cost_cents"},
		{"apply without a checklist", "POST", "/api/v1/guichet/applications", paris,
			map[string]any{"kind": "franceconnect", "project_cost_cents": 100}, 422, models.EInvalid, "checklist"},
		{"apply with an unknown checklist item", "POST", "/api/v1/guichet/applications", paris,
			map[string]any{"kind": "franceconnect", "project_cost_cents": 100, "checklist": map[string]bool{"x": true}}, 422, models.EInvalid, "checklist.x"},
		{"unknown dossier", "GET", "/api/v1/dossiers/01a21400-0000-7000-8000-000000000000", admin, nil, 404, models.ENotFound, ""},
		{"malformed dossier id", "GET", "/api/v1/dossiers/abc", admin, nil, 404, models.ENotFound, ""},
		{"another applicant's dossier", "GET", "/api/v1/dossiers/" + d.ID, marseille, nil, 403, models.EForbidden, ""},
		{"another département's dossier", "GET", "/api/v1/dossiers/" + d.ID, instructor13, nil, 403, models.EForbidden, ""},
		{"bad status filter", "GET", "/api/v1/dossiers?status=lost", admin, nil, 422, models.EInvalid, "status"},
		{"bad limit", "GET", "/api/v1/dossiers?limit=1000", admin, nil, 422, models.EInvalid, "limit"},
		{"bad cursor", "GET", "/api/v1/dossiers?cursor=***", admin, nil, 422, models.EInvalid, "cursor"},
		{"bad applicant filter", "GET", "/api/v1/dossiers?applicant=12", admin, nil, 422, models.EInvalid, "applicant"},
		{"amend a funded dossier", "POST", "/api/v1/dossiers/" + d.ID + "/checklist", paris,
			map[string]any{"checklist": completeChecklist(models.GuichetAPI)}, 409, models.EConflict, ""},
		{"amend without a checklist", "POST", "/api/v1/dossiers/" + d.ID + "/checklist", paris, map[string]any{}, 422, models.EInvalid, "checklist"},
		{"amend as finance", "POST", "/api/v1/dossiers/" + d.ID + "/checklist", finance, map[string]any{"checklist": map[string]bool{}}, 403, models.EForbidden, ""},
		{"unknown task", "POST", "/api/v1/tasks/nope/complete", finance, map[string]any{"outcome": "paid"}, 404, models.ENotFound, ""},
		{"complete without outcome", "POST", "/api/v1/tasks/" + taskID + "/complete", finance, map[string]any{}, 422, models.EInvalid, "outcome"},
		{"complete with malformed JSON", "POST", "/api/v1/tasks/" + taskID + "/complete", finance, []byte(`[`), 400, models.EMalformed, ""},
		{"complete with a payload of the wrong shape", "POST", "/api/v1/tasks/" + taskID + "/complete", finance,
			map[string]any{"outcome": "paid", "data": map[string]any{"amount": 1}}, 422, models.EInvalid, "data"},
		{"complete someone else's task", "POST", "/api/v1/tasks/" + taskID + "/complete", instructor13, map[string]any{"outcome": "paid"}, 403, models.EForbidden, ""},
		{"see another applicant's task", "GET", "/api/v1/tasks/" + taskID, marseille, nil, 403, models.EForbidden, ""},
		{"reallocate without admin", "PATCH", "/api/v1/envelopes/axe2.guichet", finance, map[string]any{"allocated_cents": 1}, 403, models.EForbidden, ""},
		{"reallocate below what is engaged", "PATCH", "/api/v1/envelopes/axe2.guichet", admin, map[string]any{"allocated_cents": 1}, 409, models.EConflict, ""},
		{"reallocate without amount", "PATCH", "/api/v1/envelopes/axe2.guichet", admin, map[string]any{}, 422, models.EInvalid, "allocated_cents"},
		{"reallocate an unknown envelope", "PATCH", "/api/v1/envelopes/axe9", admin, map[string]any{"allocated_cents": 1}, 404, models.ENotFound, ""},
		// Issue 6: with the siblings' 18 M€, this amount wrapped the sum and was accepted.
		{"reallocate int64's max", "PATCH", "/api/v1/envelopes/axe2.guichet", admin, []byte(`{"allocated_cents": 9223372036854775807}`), 422, models.EInvalid, "allocated_cents"},
		{"reallocate beyond int64", "PATCH", "/api/v1/envelopes/axe2.guichet", admin, []byte(`{"allocated_cents": 9223372036854775808}`), 400, models.EMalformed, "allocated_cents"},
		{"reallocate a negative amount", "PATCH", "/api/v1/envelopes/axe2.guichet", admin, map[string]any{"allocated_cents": -1}, 422, models.EInvalid, "allocated_cents"},
		{"reallocate above the fund's total", "PATCH", "/api/v1/envelopes/axe2", admin, map[string]any{"allocated_cents": models.Euros(88_000_000) + 1}, 422, models.EInvalid, "allocated_cents"},
		{"reallocate the fund above the bound", "PATCH", "/api/v1/envelopes/fund", admin, map[string]any{"allocated_cents": models.MaxCents + 1}, 422, models.EInvalid, "allocated_cents"},
		{"apply with a cost of int64's max", "POST", "/api/v1/guichet/applications", paris,
			map[string]any{"kind": "franceconnect", "project_cost_cents": int64(9223372036854775807), "checklist": map[string]bool{}}, 422, models.EInvalid, "project_cost_cents"},
		{"ledger as applicant", "GET", "/api/v1/ledger", paris, nil, 403, models.EForbidden, ""},
		{"bad SIREN", "GET", "/api/v1/collectivites/12345", paris, nil, 422, models.EInvalid, "siren"},
		{"unknown SIREN", "GET", "/api/v1/collectivites/" + sirenUnknown, paris, nil, 404, models.ENotFound, ""},
		{"bad collectivité type", "GET", "/api/v1/collectivites?type=canton", paris, nil, 422, models.EInvalid, "type"},
		{"bad département", "GET", "/api/v1/collectivites?departement=999", paris, nil, 422, models.EInvalid, "departement"},
		{"answer on a guichet dossier", "POST", "/api/v1/dossiers/" + d.ID + "/information", paris, map[string]string{"answer": "x"}, 409, models.EConflict, ""},
		{"a NUL in the query", "GET", "/api/v1/dossiers?region=%00", admin, nil, 400, models.EMalformed, ""},
		{"a NUL in the body", "POST", "/api/v1/guichet/applications", paris, []byte(`{"kind":"api\u0000"}`), 400, models.EMalformed, ""},
		{"invalid UTF-8 in the body", "POST", "/api/v1/guichet/applications", paris, []byte("{\"kind\":\"\xff\"}"), 400, models.EMalformed, ""},
		{"unknown route", "GET", "/api/v1/nothing", admin, nil, 404, models.ENotFound, ""},
		{"wrong method", "DELETE", "/api/v1/envelopes", admin, nil, 405, models.EMalformed, ""},
	})

	t.Run("wrong content type", func(t *testing.T) {
		r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", paris, nil, "Content-Type", "text/plain")
		require.Equal(t, http.StatusBadRequest, r.Status)
	})

	t.Run("a refused completion leaves nothing in history", func(t *testing.T) {
		before := historyLength(t, s, d.ID)
		r := s.call(t, http.MethodPost, "/api/v1/tasks/"+taskID+"/complete", finance,
			map[string]any{"outcome": "paid", "data": map[string]string{"paid_on": "2099-01-01", "reference": "VIR-X"}})
		require.Equal(t, http.StatusUnprocessableEntity, r.Status)
		require.Equal(t, before, historyLength(t, s, d.ID))
	})

	t.Run("applicants list only their own dossiers", func(t *testing.T) {
		var list struct{ Items []models.Dossier }
		s.call(t, http.MethodGet, "/api/v1/dossiers", marseille, nil).decode(t, &list)
		require.Empty(t, list.Items)
		s.call(t, http.MethodGet, "/api/v1/dossiers?applicant="+sirenParis, marseille, nil).decode(t, &list)
		require.Empty(t, list.Items, "a filter never widens the scope")
		s.call(t, http.MethodGet, "/api/v1/dossiers", paris, nil).decode(t, &list)
		require.Len(t, list.Items, 1)
	})

	t.Run("health, readiness and the OpenAPI document", func(t *testing.T) {
		require.Equal(t, http.StatusOK, s.call(t, "GET", "/healthz", "", nil).Status)
		require.Equal(t, http.StatusOK, s.call(t, "GET", "/readyz", "", nil).Status)
		r := s.call(t, "GET", "/api/v1/openapi.yaml", "", nil)
		require.Equal(t, http.StatusOK, r.Status)
		require.Contains(t, string(r.Body), "openapi: 3.0.3")
	})

	t.Run("two finance officers paying at once: one wins", func(t *testing.T) {
		lyon := s.token(t, applicantOf(sirenLyon))
		r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", lyon,
			models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 450_000, Checklist: completeChecklist(models.GuichetFranceConnect)})
		require.Equal(t, http.StatusCreated, r.Status)
		var created models.Dossier
		r.decode(t, &created)
		v := s.waitStatus(t, lyon, created.ID, models.StatusAwaitingPayment)
		other := s.token(t, models.Principal{Subject: "finance.2", Roles: []models.Role{models.RoleFinance}})
		statuses := make(chan int, 2)
		for _, tok := range []string{finance, other} {
			go func() {
				statuses <- s.call(t, http.MethodPost, "/api/v1/tasks/"+v.Tasks[0].ID+"/complete", tok,
					map[string]any{"outcome": "paid", "data": map[string]string{"paid_on": today(), "reference": "VIR-RACE"}}).Status
			}()
		}
		got := []int{<-statuses, <-statuses}
		require.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, got)
		v = s.waitStatus(t, lyon, created.ID, models.StatusPaid)
		require.Len(t, v.Ledger, 2, "paid once")
	})
}

func historyLength(t *testing.T, s *stack, dossierID string) int {
	t.Helper()
	iter := s.Temporal.GetWorkflowHistory(context.Background(), models.DossierWorkflowID(dossierID), "", false, 0)
	n := 0
	for iter.HasNext() {
		_, err := iter.Next()
		require.NoError(t, err)
		n++
	}
	return n
}

// TestTemporalUnreachableIs503 points the API at a Temporal frontend that is not there
// (connection refused), then at one that accepts connections and never answers: submitting
// answers 503 within the configured timeout, not one timeout per call. Refused, nothing is
// left behind; silent, the start is uncertain and the dossier is left, recorded as not
// started, for the reconciler.
func TestTemporalUnreachableIs503(t *testing.T) {
	const timeout = 2 * time.Second
	for _, tc := range []struct {
		name       string
		frontend   func(t *testing.T) string
		leftBehind bool
	}{
		{"refused", func(t *testing.T) string {
			dead, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := dead.Addr().String()
			dead.Close()
			return addr
		}, false},
		{"silent", func(t *testing.T) string {
			silent, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			t.Cleanup(func() { silent.Close() })
			go func() {
				for {
					conn, err := silent.Accept()
					if err != nil {
						return
					}
					t.Cleanup(func() { conn.Close() })
				}
			}()
			return silent.Addr().String()
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			st, err := store.Open(filepath.Join(t.TempDir(), "relance.db"))
			require.NoError(t, err)
			defer st.Close()
			require.NoError(t, st.Migrate(ctx))
			temporal, err := client.NewLazyClient(client.Options{HostPort: tc.frontend(t)})
			require.NoError(t, err)
			defer temporal.Close()
			srv := app.NewAPIServer(config.Config{JWTSecret: testSecret, TemporalTimeout: timeout}, st, temporal, logger)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go app.Serve(sctx, ln, srv)
			s := &stack{URL: "http://" + ln.Addr().String(), Store: st, auth: srv.Auth}

			paris := s.token(t, applicantOf(sirenParis))
			start := time.Now()
			r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", paris,
				models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100_000, Checklist: completeChecklist(models.GuichetFranceConnect)},
				"Idempotency-Key", "k1")
			elapsed := time.Since(start)
			require.Equal(t, http.StatusServiceUnavailable, r.Status, string(r.Body))
			code, _ := r.errorCode(t)
			require.Equal(t, models.EUnavailable, code)
			t.Logf("answered %d in %s (TEMPORAL_TIMEOUT %s)", r.Status, elapsed.Round(time.Millisecond), timeout)
			require.LessOrEqual(t, elapsed, timeout+500*time.Millisecond, "one deadline for the whole filing")
			list, err := st.ListDossiers(ctx, administrator, store.DossierFilter{Limit: 10})
			require.NoError(t, err)
			unstarted, err := st.UnstartedDossiers(ctx, time.Now().Add(time.Hour), 10)
			require.NoError(t, err)
			if !tc.leftBehind {
				require.Empty(t, list, "nothing half-written")
			} else {
				require.Len(t, list, 1)
				require.Equal(t, list, unstarted, "an uncertain start is left for the reconciler")
			}
			require.Equal(t, http.StatusServiceUnavailable, s.call(t, http.MethodGet, "/readyz", "", nil).Status)
		})
	}
}
