package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/api"
	"github.com/relance/relance/app"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
	"github.com/relance/relance/workflows"
)

// The production shape: the real Temporal server (go.temporal.io/server, as `make
// temporal-server` installs it into ./bin, not the CLI's dev server) on PostgreSQL
// persistence and visibility with 4 history shards, `relance temporal-setup` against it,
// then one `relance api` and two `relance worker` processes, all real binaries. The tests
// skip without the server's binaries or PostgreSQL unless REQUIRE_CLUSTER is set.

// clusterStack is a stack whose API and workers are processes of their own.
type clusterStack struct {
	*stack
	server, api *process
	workers     []*process
	// workerMetrics are the workers' /metrics URLs, in the order of workers.
	workerMetrics []string
	// temporalDB is the URL of the server's persistence database.
	temporalDB string
}

// clusterBinaries finds the Temporal server, its SQL tool and the PostgreSQL schema:
// TEMPORAL_SERVER, or ./bin/temporal-server, with the other two beside it.
func clusterBinaries(t testing.TB) (server, sqlTool, schema string) {
	t.Helper()
	server = os.Getenv("TEMPORAL_SERVER")
	if server == "" {
		server, _ = filepath.Abs(filepath.Join("..", "bin", "temporal-server"))
	}
	dir := filepath.Dir(server)
	sqlTool, schema = filepath.Join(dir, "temporal-sql-tool"), filepath.Join(dir, "temporal-schema", "postgresql", "v12")
	skip := func(reason string) {
		if os.Getenv("REQUIRE_CLUSTER") != "" {
			t.Fatalf("REQUIRE_CLUSTER is set: %s", reason)
		}
		t.Skipf("the cluster tests need %s", reason)
	}
	for _, p := range []string{server, sqlTool, schema} {
		if _, err := os.Stat(p); err != nil {
			skip(fmt.Sprintf("the Temporal server's files (make temporal-server): %v", err))
		}
	}
	if os.Getenv("TEST_DATABASE_URL") == "" {
		skip("PostgreSQL: TEST_DATABASE_URL is not set")
	}
	return server, sqlTool, schema
}

// startClusterStack starts the production shape on files' database.
func startClusterStack(t testing.TB, files stackFiles) *clusterStack {
	t.Helper()
	require.Nil(t, files.tune, "the cluster stack takes its configuration from the environment only")
	serverBin, sqlTool, schema := clusterBinaries(t)
	dir := t.TempDir()
	relance := filepath.Join(dir, "relance")
	build := exec.Command("go", "build", "-o", relance, "github.com/relance/relance/cmd/relance")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build relance: %s", out)

	c := &clusterStack{}
	c.server, c.temporalDB = startTemporalServer(t, dir, serverBin, sqlTool, schema)
	address := "127.0.0.1:" + c.server.port

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The test migrates and seeds the database, as `relance migrate` does before a deployment.
	st, err := app.PrepareStore(context.Background(), files.databaseURL, logger)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	apiPort := freePort(t)
	env := append(os.Environ(), "DATABASE_URL="+files.databaseURL, "JWT_SECRET="+testSecret, "TEMPORAL_ADDRESS="+address,
		"TEMPORAL_NAMESPACE=default", "HTTP_ADDR=127.0.0.1:"+apiPort, "LOG_FORMAT=json", "LOG_LEVEL=info")

	tc := setUpCluster(t, relance, c.server, env)
	t.Cleanup(tc.Close)

	c.api = startProcess(t, "relance api", filepath.Join(dir, "api.log"), env, relance, "api")
	for i := range 2 {
		port := freePort(t)
		w := startProcess(t, fmt.Sprintf("relance worker %d", i+1), filepath.Join(dir, fmt.Sprintf("worker%d.log", i+1)),
			append(slices.Clip(env), "METRICS_ADDR=127.0.0.1:"+port), relance, "worker")
		c.workers = append(c.workers, w)
		c.workerMetrics = append(c.workerMetrics, "http://127.0.0.1:"+port+"/metrics")
	}
	apiURL := "http://127.0.0.1:" + apiPort
	c.api.waitHTTP(t, apiURL+"/readyz")
	for i, w := range c.workers {
		w.waitHTTP(t, c.workerMetrics[i])
	}

	c.stack = &stack{URL: apiURL, Temporal: tc, Store: st, auth: api.NewAuthenticator(testSecret, "", "", "")}
	stopped := false
	c.stack.stop = func() {
		if stopped {
			return
		}
		stopped = true
		// The API and the workers first, then the server they talk to.
		for _, p := range append([]*process{c.api}, c.workers...) {
			_ = p.stop(t)
		}
		_ = c.server.stop(t)
	}
	t.Cleanup(c.stack.stop)
	return c
}

// setUpCluster runs `relance temporal-setup` on the server started by startTemporalServer,
// as an operator does once on a new cluster (env names the server in TEMPORAL_ADDRESS),
// and returns a client of the server once it accepts the search attributes.
func setUpCluster(t testing.TB, relance string, server *process, env []string) client.Client {
	t.Helper()
	setup := exec.Command(relance, "temporal-setup", "--wait", "1m")
	setup.Env = env
	out, err := setup.CombinedOutput()
	require.NoError(t, err, "relance temporal-setup: %s\nserver log:\n%s", out, tail(server.log, 30))
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	t.Log(lines[len(lines)-1])
	tc, err := client.Dial(client.Options{HostPort: "127.0.0.1:" + server.port, Namespace: "default",
		Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	require.NoError(t, err)
	requireAttributesAccepted(t, tc)
	return tc
}

// requireAttributesAccepted starts a workflow with every search attribute the workflows
// declare, as filing a dossier does, and terminates it: once temporal-setup has returned,
// the cluster must accept them (its frontends' namespace caches learn them late).
func requireAttributesAccepted(t testing.TB, tc client.Client) {
	t.Helper()
	var values []temporal.SearchAttributeUpdate
	for _, sa := range workflows.SearchAttributes {
		switch key := sa.(type) {
		case temporal.SearchAttributeKeyKeyword:
			values = append(values, key.ValueSet("probe"))
		case temporal.SearchAttributeKeyTime:
			values = append(values, key.ValueSet(time.Now()))
		default:
			t.Fatalf("search attribute %s: type %s not probed", sa.GetName(), sa.GetValueType())
		}
	}
	ctx := context.Background()
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "setup-probe", TaskQueue: "setup-probe",
		TypedSearchAttributes: temporal.NewSearchAttributes(values...)}, "SetupProbe")
	require.NoError(t, err, "a workflow with every search attribute, right after temporal-setup")
	require.NoError(t, tc.TerminateWorkflow(ctx, run.GetID(), run.GetRunID(), "probe"))
}

// serverConfig fills testdata/temporal-server.yaml.
type serverConfig struct {
	Database, VisibilityDatabase, PostgresAddr, User, Password string
	Ports                                                      struct {
		Frontend, FrontendHTTP, FrontendMembership, History, HistoryMembership string
		Matching, MatchingMembership, Worker, WorkerMembership                 string
	}
}

// startTemporalServer creates two fresh databases in TEST_DATABASE_URL's PostgreSQL,
// sets up Temporal's schema in them with its SQL tool, and starts the server on them. It
// returns the server and the URL of its persistence database. The databases are dropped
// when the test ends, after the server has stopped.
func startTemporalServer(t testing.TB, dir, serverBin, sqlTool, schema string) (*process, string) {
	t.Helper()
	base, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	require.NoError(t, err)
	password, _ := base.User.Password()
	port := base.Port()
	if port == "" {
		port = "5432"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	suffix := hex.EncodeToString(b)
	cfg := serverConfig{Database: "temporal_" + suffix, VisibilityDatabase: "temporal_visibility_" + suffix,
		PostgresAddr: net.JoinHostPort(base.Hostname(), port), User: base.User.Username(), Password: password}

	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base.String())
		if err != nil {
			t.Logf("drop the Temporal databases: %v", err)
			return
		}
		defer conn.Close(context.Background())
		for _, db := range []string{cfg.Database, cfg.VisibilityDatabase} {
			if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)"); err != nil {
				t.Logf("drop database %s: %v", db, err)
			}
		}
	})
	for db, sub := range map[string]string{cfg.Database: "temporal", cfg.VisibilityDatabase: "visibility"} {
		sql := func(args ...string) {
			all := append([]string{"--plugin", "postgres12", "--endpoint", base.Hostname(), "--port", port,
				"--user", cfg.User, "--password", password, "--database", db}, args...)
			out, err := exec.Command(sqlTool, all...).CombinedOutput()
			require.NoError(t, err, "temporal-sql-tool %s: %s", strings.Join(args, " "), out)
		}
		sql("create-database")
		sql("setup-schema", "--version", "0.0")
		sql("update-schema", "--schema-dir", filepath.Join(schema, sub, "versioned"))
	}

	ports := []*string{&cfg.Ports.Frontend, &cfg.Ports.FrontendHTTP, &cfg.Ports.FrontendMembership, &cfg.Ports.History,
		&cfg.Ports.HistoryMembership, &cfg.Ports.Matching, &cfg.Ports.MatchingMembership, &cfg.Ports.Worker, &cfg.Ports.WorkerMembership}
	for _, p := range ports {
		*p = freeMembershipPort(t)
	}
	tmpl, err := template.ParseFiles(filepath.Join("testdata", "temporal-server.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "config"), 0o755))
	f, err := os.Create(filepath.Join(dir, "config", "development.yaml"))
	require.NoError(t, err)
	require.NoError(t, tmpl.Execute(f, cfg))
	require.NoError(t, f.Close())

	p := startProcess(t, "temporal server", filepath.Join(dir, "temporal-server.log"), os.Environ(), serverBin,
		"--root", dir, "--config", "config", "--env", "development", "--allow-no-auth", "start")
	p.port = cfg.Ports.Frontend
	// Ready when the frontend answers the SDK's first call.
	deadline := time.Now().Add(90 * time.Second)
	for {
		tc, err := client.Dial(client.Options{HostPort: "127.0.0.1:" + p.port, Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
		if err == nil {
			tc.Close()
			persistence := *base
			persistence.Path = "/" + cfg.Database
			return p, persistence.String()
		}
		p.requireRunning(t)
		if time.Now().After(deadline) {
			t.Fatalf("the Temporal server did not answer in 90 s: %v\n%s", err, tail(p.log, 40))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// process is a child process of the test in a process group of its own, which is
// stopped (SIGTERM, then SIGKILL) when the test ends, whether it passed or not, and
// killed by the kernel if the test binary dies first.
type process struct {
	name, log, port string
	cmd             *exec.Cmd
	done            chan struct{}
	err             error
	stopped         bool
}

func startProcess(t testing.TB, name, logPath string, env []string, bin string, args ...string) *process {
	t.Helper()
	f, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start(), name)
	p := &process{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = f.Close()
		close(p.done)
	}()
	t.Cleanup(func() { _ = p.stop(t) })
	return p
}

// stop sends SIGTERM to the process group, waits up to 30 s, then kills the group. It
// returns how the process ended: nil for a clean exit.
func (p *process) stop(t testing.TB) error {
	if p.stopped {
		return p.err
	}
	p.stopped = true
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Logf("%s did not stop within 30 s of SIGTERM: killed", p.name)
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL) // anything it started and left behind
	if t.Failed() {
		t.Logf("%s (%v), end of its log:\n%s", p.name, p.err, tail(p.log, 40))
	}
	return p.err
}

// requireRunning fails the test with the end of the log if the process has exited.
func (p *process) requireRunning(t testing.TB) {
	t.Helper()
	select {
	case <-p.done:
		t.Fatalf("%s exited (%v)", p.name, p.err) // its log follows, from stop
	default:
	}
}

// waitHTTP waits up to 60 s for url to answer 200 OK.
func (p *process) waitHTTP(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := http.Get(url)
		if err == nil {
			_ = r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		p.requireRunning(t)
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s did not answer 200 in 60 s (%v)\n%s", p.name, url, err, tail(p.log, 40))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// freePort returns a loopback TCP port free at the time of the call.
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// freeMembershipPort returns a loopback TCP port free at the time of the call, below
// 32768: Temporal's cluster_membership table keeps ports in a PostgreSQL smallint, where
// the kernel's ephemeral ports do not fit.
func freeMembershipPort(t testing.TB) string {
	t.Helper()
	for range 100 {
		n, err := rand.Int(rand.Reader, big.NewInt(12_000))
		require.NoError(t, err)
		port := strconv.Itoa(20_000 + int(n.Int64()))
		if ln, err := net.Listen("tcp", "127.0.0.1:"+port); err == nil {
			_ = ln.Close()
			return port
		}
	}
	t.Fatal("no free port between 20000 and 32000")
	return ""
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if len(line) > 600 { // the server's errors carry whole stack traces
			line = line[:600] + "…"
		}
		lines = append(lines, line)
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// metricSum adds up a metric's samples, every label set, on a /metrics page.
func metricSum(t testing.TB, url, name string) float64 {
	t.Helper()
	r, err := http.Get(url)
	require.NoError(t, err)
	defer r.Body.Close()
	require.Equal(t, http.StatusOK, r.StatusCode)
	var sum float64
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		require.NoError(t, err, line)
		sum += v
	}
	require.NoError(t, sc.Err())
	return sum
}

// TestClusterEndToEnd takes guichet and call-for-projects dossiers to paid through the
// HTTP API on the production shape, checks the envelopes to the cent, checks that both
// workers executed workflow tasks, and that every process stops cleanly on SIGTERM.
func TestClusterEndToEnd(t *testing.T) {
	c := startClusterStack(t, newStackFiles(t))
	s := c.stack
	ctx := context.Background()
	admin, finance := s.token(t, administrator), s.token(t, financeOfficer)
	guichetBefore, dataBefore := envelope(t, s, admin, models.EnvelopeGuichet), envelope(t, s, admin, "axe2.donnees")

	// Guichet: every dossier filed at once, so that both workers have work to take.
	communes, err := s.Store.SearchCollectivites(ctx, store.CollectiviteFilter{Type: models.TypeCommune, Limit: 12})
	require.NoError(t, err)
	require.Len(t, communes, 12)
	app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 650_000, Checklist: completeChecklist(models.GuichetFranceConnect)}
	ids := map[string]string{} // dossier → applicant's token
	for _, co := range communes {
		token := s.token(t, applicantOf(co.Siren))
		r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", token, app, "Idempotency-Key", idemKey(t)+co.Siren)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(t, &d)
		ids[d.ID] = token
	}
	for id, token := range ids {
		d := s.waitStatus(t, token, id, models.StatusAwaitingPayment)
		task := waitTask(t, s, finance, id, models.TaskDisbursement, models.Scope{})
		_, err := s.client(finance).CompleteTask(ctx, task, models.OutcomePaid, "", map[string]string{"paid_on": today(), "reference": "VIR-" + d.ID[:8]})
		require.NoError(t, err)
		s.waitStatus(t, token, id, models.StatusPaid)
	}

	// Call for projects: a jury of one, three applications from submission to payment.
	paris, instr, chair := s.token(t, applicantOf(sirenParis)), s.token(t, instructor), s.token(t, juryChair)
	call := createJuryOfOneCall(t, s, admin)
	signed := map[string]string{"signed_on": today()}
	for range 3 {
		r := s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", paris, aapApplication(1_000_000))
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(t, &d)
		for _, step := range []struct {
			token   string
			typ     models.TaskType
			outcome string
			data    any
			scope   models.Scope
		}{
			{instr, models.TaskPreselection, "preselect", nil, models.Scope{}},
			{chair, models.TaskJuryDecision, "grant", map[string]any{"amount_cents": 1_000_000}, models.Scope{}},
			{paris, models.TaskConventionSignature, "signed", signed, models.CollectiviteScope(sirenParis)},
			{finance, models.TaskConventionSignature, "signed", signed, models.ScopeNational},
			{finance, models.TaskDisbursement, "paid", map[string]string{"paid_on": today(), "reference": "VIR-" + d.ID[:8]}, models.Scope{}},
		} {
			_, err := s.client(step.token).CompleteTask(ctx, waitTask(t, s, step.token, d.ID, step.typ, step.scope), step.outcome, "cluster", step.data)
			require.NoError(t, err, "%s on %s", step.typ, d.ID)
		}
		s.waitStatus(t, paris, d.ID, models.StatusPaid)
	}

	guichetAfter, dataAfter := envelope(t, s, admin, models.EnvelopeGuichet), envelope(t, s, admin, "axe2.donnees")
	require.Equal(t, guichetBefore.PaidCents+12*500_000, guichetAfter.PaidCents, "every guichet dossier paid, to the cent")
	require.Equal(t, guichetBefore.ReservedCents, guichetAfter.ReservedCents)
	require.Equal(t, dataBefore.PaidCents+3*1_000_000, dataAfter.PaidCents, "every application paid, to the cent")
	require.Equal(t, dataBefore.CommittedCents, dataAfter.CommittedCents)

	// The server runs the 4 history shards of its configuration.
	conn, err := pgx.Connect(ctx, c.temporalDB)
	require.NoError(t, err)
	var shards int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM shards").Scan(&shards))
	require.NoError(t, conn.Close(ctx))
	require.Equal(t, 4, shards)

	// Both workers took a share of the workflow tasks, as their SDK metrics count them.
	for i, u := range c.workerMetrics {
		n := metricSum(t, u, "temporal_workflow_task_execution_latency_seconds_count")
		t.Logf("worker %d executed %.0f workflow tasks", i+1, n)
		require.Positive(t, n, "worker %d executed no workflow task", i+1)
	}

	// Each process ends cleanly on SIGTERM, the server last.
	for _, p := range append([]*process{c.api}, c.workers...) {
		require.NoError(t, p.stop(t), "%s stops cleanly", p.name)
	}
	require.NoError(t, c.server.stop(t), "the Temporal server stops cleanly")
}

// createJuryOfOneCall opens a call of the data strand whose jury, one chair, sits now.
func createJuryOfOneCall(t testing.TB, s *stack, admin string) models.Call {
	t.Helper()
	r := s.call(t, http.MethodPost, "/api/v1/calls", admin, map[string]any{
		"strand": "donnees", "round": 1, "title": "Cluster", "opens_at": time.Now().Add(-time.Hour), "closes_at": time.Now().Add(time.Hour),
		"jury": []models.JuryMember{{Subject: juryChair.Subject, State: true}}, "chair": juryChair.Subject, "quorum": 1})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var call models.Call
	r.decode(t, &call)
	require.Equal(t, http.StatusOK, s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/jury", admin, nil).Status)
	return call
}

// waitTask waits up to 30 s for an open task of a type (and scope, unless zero) on a
// dossier, as token sees the dossier, and returns its id.
func waitTask(t testing.TB, s *stack, token, dossierID string, typ models.TaskType, scope models.Scope) string {
	t.Helper()
	c := s.client(token)
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := c.Dossier(context.Background(), dossierID)
		require.NoError(t, err)
		for _, task := range d.Tasks {
			if task.Type == typ && task.Status == models.TaskOpen && (scope.IsZero() || task.Scope == scope) {
				return task.ID
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no open %s task on dossier %s after 30 s", typ, dossierID)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
