package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/app"
	"github.com/relance/relance/internal/testdb"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// relanceBinary builds the command once for the tests of this package.
func relanceBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "relance-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "relance")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// process is a relance command started by a test.
type process struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	exited         chan struct{}
	err            error // once exited
}

func start(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(relanceBinary(t), args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	require.NoError(t, p.cmd.Start())
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// wait waits for the process to exit and fails the test unless it succeeded.
func (p *process) wait(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		require.NoError(t, p.err, "relance %s\nstdout: %s\nstderr: %s", strings.Join(p.cmd.Args[1:], " "), p.stdout, p.stderr)
	case <-time.After(3 * time.Minute):
		t.Fatalf("relance %s still running\nstderr: %s", strings.Join(p.cmd.Args[1:], " "), p.stderr)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// databases returns the environment of a fresh SQLite database and, when configured, of a
// fresh PostgreSQL schema.
func databases(t *testing.T) map[string][]string {
	t.Helper()
	dbs := map[string][]string{"sqlite": {"DATABASE_URL=", "RELANCE_DATA_DIR=" + t.TempDir()}}
	if pg := testdb.PostgresURL(t); pg != "" {
		dbs["postgres"] = []string{"DATABASE_URL=" + pg, "RELANCE_DATA_DIR=" + t.TempDir()}
	}
	return dbs
}

// TestMigrateProcessesStartedTogether runs `relance migrate up` three times at once on an
// empty database: all three succeed (they take turns), and status shows every version applied.
func TestMigrateProcessesStartedTogether(t *testing.T) {
	for name, env := range databases(t) {
		t.Run(name, func(t *testing.T) {
			runners := []*process{start(t, env, "migrate", "up"), start(t, env, "migrate", "up"), start(t, env, "migrate")}
			for _, p := range runners {
				p.wait(t)
				require.Contains(t, p.stdout.String(), "is up to date")
			}

			status := start(t, env, "migrate", "status")
			status.wait(t)
			lines := strings.Split(strings.TrimSpace(status.stdout.String()), "\n")
			require.Greater(t, len(lines), 3, status.stdout.String())
			require.Equal(t, []string{"VERSION", "NAME", "STATE", "APPLIED", "AT"}, strings.Fields(lines[0]))
			// Versions increase, not necessarily one by one: branches number theirs in ranges apart.
			previous := 0
			for _, line := range lines[1:] {
				f := strings.Fields(line)
				require.Len(t, f, 4, line)
				version, err := strconv.Atoi(f[0])
				require.NoError(t, err, line)
				require.Greater(t, version, previous, line)
				previous = version
				require.Equal(t, "applied", f[2], line)
				at, err := time.Parse(time.RFC3339, f[3])
				require.NoError(t, err, line)
				require.WithinDuration(t, time.Now(), at, 24*time.Hour, line)
			}
			require.Contains(t, lines[1], "registry_envelopes_ledger")

			bad := start(t, env, "migrate", "sideways")
			<-bad.exited
			require.Error(t, bad.err)
			require.Contains(t, bad.stderr.String(), `unknown command "sideways"`)
		})
	}
}

// TestAPIAndWorkerStartTogether starts `relance api` and `relance worker` at the same time
// on an empty PostgreSQL database, as a deployment does: both come up.
func TestAPIAndWorkerStartTogether(t *testing.T) {
	pg := testdb.PostgresURL(t)
	if pg == "" {
		t.Skip("TEST_DATABASE_URL not set")
	}
	cli, err := app.FindTemporalCLI(os.Getenv("TEMPORAL_CLI"))
	if err != nil {
		if os.Getenv("REQUIRE_E2E") != "" {
			t.Fatalf("REQUIRE_E2E is set: %v", err)
		}
		t.Skipf("needs the temporal CLI: %v", err)
	}
	relanceBinary(t) // before the clock starts
	dev, err := app.StartDevTemporal(context.Background(), app.DevTemporal{CLI: cli, Namespace: "default", Log: io.Discard},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = dev.Stop() })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	env := []string{"DATABASE_URL=" + pg, "TEMPORAL_ADDRESS=" + dev.FrontendHostPort(), "HTTP_ADDR=" + addr,
		"JWT_SECRET=migrate-test-secret-migrate-test-secret", "RELANCE_DATA_DIR=" + t.TempDir(), "METRICS_ADDR=127.0.0.1:0"}
	api, worker := start(t, env, "api"), start(t, env, "worker")

	deadline := time.Now().Add(2 * time.Minute)
	apiUp, workerUp := false, false
	for !apiUp || !workerUp {
		select {
		case <-api.exited:
			t.Fatalf("relance api exited: %v\n%s", api.err, api.stderr)
		case <-worker.exited:
			t.Fatalf("relance worker exited: %v\n%s", worker.err, worker.stderr)
		case <-time.After(200 * time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "not up after 2 minutes\napi: %s\nworker: %s", api.stderr, worker.stderr)
		if r, err := http.Get("http://" + addr + "/readyz"); err == nil {
			r.Body.Close()
			apiUp = r.StatusCode == http.StatusOK
		}
		workerUp = strings.Contains(worker.stderr.String(), "worker polling")
	}
	// Each serves its /metrics: the API on its port, the worker on METRICS_ADDR.
	metricsAddr := regexp.MustCompile(`metrics=(\S+)`).FindStringSubmatch(worker.stderr.String())
	require.NotNil(t, metricsAddr, worker.stderr.String())
	for _, u := range []string{"http://" + addr + "/metrics", "http://" + metricsAddr[1] + "/metrics"} {
		r, err := http.Get(u)
		require.NoError(t, err)
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.StatusCode, u)
		require.Contains(t, string(body), "temporal_request", "the SDK's metrics on %s", u)
	}
	for _, p := range []*process{api, worker} {
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
		p.wait(t)
	}
}
