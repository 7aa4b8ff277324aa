// Package e2e tests relance end to end: the real Temporal dev server (the CLI), the worker,
// the HTTP API over real HTTP, and the database (PostgreSQL when TEST_DATABASE_URL is set,
// SQLite otherwise). The tests skip without a temporal CLI unless REQUIRE_E2E is set.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/relance/relance/api"
	"github.com/relance/relance/apiclient"
	"github.com/relance/relance/app"
	"github.com/relance/relance/config"
	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
	"github.com/relance/relance/notify"
	"github.com/relance/relance/store"
)

const testSecret = "e2e-secret-e2e-secret-e2e-secret-e2e"

// stack is one running relance: dev server, worker and API.
type stack struct {
	URL      string
	Temporal client.Client
	Store    *store.Store
	// API is the running server, for tests that change its filing service.
	API  *api.Server
	auth *api.Authenticator
	stop func()
}

// stackFiles is where a stack keeps its state, so a second stack can reuse it.
type stackFiles struct {
	temporalDB  string
	databaseURL string
	// tune adjusts the configuration (short deadlines, say).
	tune func(*config.Config)
	// attach, when set, adds to the server before it serves (the workspace's pages, say).
	attach func(*api.Server)
}

func newStackFiles(t testing.TB) stackFiles {
	dir := t.TempDir()
	f := stackFiles{temporalDB: filepath.Join(dir, "temporal.db"), databaseURL: testdb.PostgresURL(t)}
	if f.databaseURL == "" {
		f.databaseURL = filepath.Join(dir, "relance.db")
	}
	return f
}

func startStack(t testing.TB, files stackFiles) *stack {
	t.Helper()
	cli, err := app.FindTemporalCLI(os.Getenv("TEMPORAL_CLI"))
	if err != nil {
		if os.Getenv("REQUIRE_E2E") != "" {
			t.Fatalf("REQUIRE_E2E is set: %v", err)
		}
		t.Skipf("end-to-end tests need the temporal CLI: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("E2E_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := app.PrepareStore(ctx, files.databaseURL, logger)
	require.NoError(t, err)
	// Wired as `relance dev` is: the API's /metrics serves the worker's SDK metrics too.
	reg, handler, stopMetrics := app.NewMetrics(st, logger)
	dev, err := app.StartDevTemporal(ctx, app.DevTemporal{CLI: cli, Namespace: "default", DBFile: files.temporalDB, Log: io.Discard,
		MetricsHandler: handler}, logger)
	require.NoError(t, err)
	cfg := config.Config{JWTSecret: testSecret, TemporalTimeout: 10 * time.Second, GuichetAmendWindow: 720 * time.Hour,
		ReconcilePeriod: 10 * time.Second, ReconcileGrace: 30 * time.Second, ReconcileBatch: 100}
	if files.tune != nil {
		files.tune(&cfg)
	}
	srv := app.NewAPIServer(cfg, st, dev.Client(), logger)
	srv.Metrics = reg
	if files.attach != nil {
		files.attach(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return app.RunWorker(gctx, cfg, dev.Client(), st, notify.LogSender{Logger: logger}, logger)
	})
	g.Go(func() error { return app.Serve(gctx, ln, srv) })
	s := &stack{URL: "http://" + ln.Addr().String(), Temporal: dev.Client(), Store: st, API: srv, auth: srv.Auth}
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		_ = g.Wait()
		_ = dev.Stop()
		_ = stopMetrics.Close()
		_ = st.Close()
	}
	t.Cleanup(s.stop)
	return s
}

// token mints a bearer token for p.
func (s *stack) token(t testing.TB, p models.Principal) string {
	tok, err := s.auth.Mint(p, time.Hour)
	require.NoError(t, err)
	return tok
}

// client is the API as the bearer of token ("" for nobody).
func (s *stack) client(token string) *apiclient.Client { return apiclient.New(s.URL, token) }

type response struct {
	Status int
	Body   []byte
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), string(r.Body))
}

// errorCode returns the error body's code and fields.
func (r response) errorCode(t testing.TB) (string, map[string]string) {
	t.Helper()
	e := apiError(r.Status, r.Body)
	require.NotEmpty(t, e.Message, "every error names the problem: %s", r.Body)
	return e.Code, e.Fields
}

// apiError reads an answer's error body.
func apiError(status int, body []byte) *apiclient.Error {
	return (&apiclient.Response{Status: status, Body: body}).APIError()
}

// call sends a request; body may be a value to encode as JSON, raw []byte, or nil.
func (s *stack) call(t testing.TB, method, path, token string, body any, headers ...string) response {
	t.Helper()
	a := s.try(method, path, token, body, headers...)
	require.NoError(t, a.err)
	return response{a.status, a.body}
}

// answer is what a request got, for requests sent from goroutines, where a test cannot fail.
type answer struct {
	status     int
	retryAfter string
	body       []byte
	err        error
}

// try sends a request like call, but reports a failure to send it instead of failing the test.
func (s *stack) try(method, path, token string, body any, headers ...string) answer {
	r, err := s.client(token).Do(context.Background(), method, path, body, headers...)
	if err != nil {
		return answer{err: err}
	}
	return answer{status: r.Status, retryAfter: r.Header.Get("Retry-After"), body: r.Body}
}

// dossierView is GET /dossiers/{id}, as the tests read it.
type dossierView = apiclient.Dossier

// waitStatus polls a dossier until its status is one of want, or fails after 15 s.
func (s *stack) waitStatus(t testing.TB, token, id string, want ...models.Status) dossierView {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	d, err := s.client(token).WaitStatus(ctx, id, want...)
	require.NoError(t, err)
	return d
}

// completeChecklist affirms every item of the kind's specification but those in except.
func completeChecklist(kind models.GuichetKind, except ...string) map[string]bool {
	spec, _ := models.ChecklistFor(kind)
	m := map[string]bool{}
	for _, item := range spec.Items {
		m[item.Key] = true
	}
	for _, k := range except {
		m[k] = false
	}
	return m
}

func applicantOf(siren string) models.Principal {
	return models.Principal{Subject: "agent-" + siren, Name: "Agent " + siren, Roles: []models.Role{models.RoleApplicant}, Siren: siren}
}

var (
	financeOfficer = models.Principal{Subject: "finance.anct", Name: "Finance", Roles: []models.Role{models.RoleFinance}}
	administrator  = models.Principal{Subject: "admin", Name: "Admin", Roles: []models.Role{models.RoleAdmin}}
)

func today() string { return time.Now().UTC().Format(time.DateOnly) }

func idemKey(t testing.TB) string { return fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano()) }

// newForeignToken signs a well-formed token with a key the API does not trust.
func newForeignToken() (string, error) {
	return api.NewAuthenticator("another-secret-another-secret-another", "", "", "").Mint(applicantOf(sirenParis), time.Hour)
}

// recordHistory writes a dossier workflow's history as JSON into $RECORD_HISTORIES/name,
// for the workflows package's replay tests (`make histories`). It does nothing otherwise.
func recordHistory(t testing.TB, s *stack, dossierID, name string) {
	t.Helper()
	recordWorkflowHistory(t, s, models.DossierWorkflowID(dossierID), name)
}

// recordWorkflowHistory writes any workflow's history, as recordHistory does a dossier's.
func recordWorkflowHistory(t testing.TB, s *stack, workflowID, name string) {
	t.Helper()
	dir := os.Getenv("RECORD_HISTORIES")
	if dir == "" {
		return
	}
	iter := s.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
	var h historypb.History
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
}

// badRequest is a request an endpoint must answer with status, the error code and, for
// invalid input, the field at fault. A 2xx status checks access only.
type badRequest struct {
	name, method, path, token string
	body                      any
	status                    int
	code                      string
	field                     string
}

// expectAll sends each request as a subtest and checks its answer.
func (s *stack) expectAll(t *testing.T, requests []badRequest) {
	for _, c := range requests {
		t.Run(c.name, func(t *testing.T) {
			r := s.call(t, c.method, c.path, c.token, c.body)
			require.Equal(t, c.status, r.Status, string(r.Body))
			if c.code == "" {
				return
			}
			code, fields := r.errorCode(t)
			require.Equal(t, c.code, code)
			if c.field != "" {
				require.Contains(t, fields, c.field, string(r.Body))
			}
		})
	}
}
