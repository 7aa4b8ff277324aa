package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/relance/relance/api"
	"github.com/relance/relance/app"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// BenchmarkOpenDossiersMemory measures the resident memory of `relance api` and `relance
// worker`, each a process of its own against the CLI dev server, with
// BENCH_MEMORY_DOSSIERS guichet dossiers (default 10,000) open and waiting on the finance
// officer's payment task, then times the completion of BENCH_MEMORY_SAMPLE of those tasks
// (default 200, spread over the filing order). It runs twice on fresh stacks: the worker's
// sticky cache larger than the open dossiers, then smaller (BENCH_MEMORY_SMALL_CACHE,
// default 2,000, the default of WORKER_STICKY_CACHE_SIZE), where most completions replay
// their workflow's history. It runs only with BENCH_MEMORY set (make bench-memory), on
// PostgreSQL (TEST_DATABASE_URL).
func BenchmarkOpenDossiersMemory(b *testing.B) {
	if os.Getenv("BENCH_MEMORY") == "" {
		b.Skip("BENCH_MEMORY=1 runs it: make bench-memory")
	}
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("the api and the worker share a database: TEST_DATABASE_URL")
	}
	total := envInt("BENCH_MEMORY_DOSSIERS", 10_000)
	sample := min(envInt("BENCH_MEMORY_SAMPLE", 200), total)
	small := envInt("BENCH_MEMORY_SMALL_CACHE", 2_000)
	relance := buildRelance(b)

	for range b.N {
		var rows []memoryFigures
		for _, cache := range []int{total + total/10, small} {
			rows = append(rows, runMemoryBench(b, relance, total, sample, cache))
		}
		var table strings.Builder
		fmt.Fprintf(&table, "%d open guichet dossiers awaiting payment, %d task completions timed one at a time\n", total, sample)
		fmt.Fprintf(&table, "%-12s %-10s %-10s %-10s %-10s %-10s %-12s %-12s %-16s\n", "cache size", "api MB", "worker MB",
			"together", "worker peak", "cached", "complete p50", "complete p99", "sample hits/miss")
		for _, r := range rows {
			fmt.Fprintf(&table, "%-12d %-10.0f %-10.0f %-10.0f %-11.0f %-10.0f %-12s %-12s %.0f/%.0f\n", r.cache, r.apiMB, r.workerMB,
				r.apiMB+r.workerMB, r.workerPeakMB, r.cached, r.p50.Round(time.Millisecond), r.p99.Round(time.Millisecond), r.hits, r.misses)
		}
		fmt.Print(table.String())
		b.Log("\n" + table.String())
		b.ReportMetric(rows[0].apiMB+rows[0].workerMB, "MB-together-large-cache")
		b.ReportMetric(rows[1].apiMB+rows[1].workerMB, "MB-together-small-cache")
		b.ReportMetric(float64(rows[0].p99.Milliseconds()), "complete-p99-ms-large-cache")
		b.ReportMetric(float64(rows[1].p99.Milliseconds()), "complete-p99-ms-small-cache")
	}
}

// memoryFigures are one run's: resident memory after filing (MB), the workflows in the
// worker's cache then, and the sample's completion latency and cache hits and misses.
type memoryFigures struct {
	cache                         int
	apiMB, workerMB, workerPeakMB float64
	cached, hits, misses          float64
	p50, p99                      time.Duration
	filingRate, completeRate      float64
}

func runMemoryBench(b *testing.B, relance string, total, sample, cache int) memoryFigures {
	b.Helper()
	ctx := context.Background()
	p := startProcessStack(b, relance, cache)
	defer p.stop()
	s, metrics := p.stack, p.workerMetrics
	communes, err := s.Store.SearchCollectivites(ctx, store.CollectiviteFilter{Type: models.TypeCommune, Limit: total})
	require.NoError(b, err)
	require.Len(b, communes, total, "one commune per dossier")
	fundGuichet(b, s, total)
	start := time.Now()
	tasks := fileAwaitingPayment(b, s, communes, 16)
	filing := time.Since(start)

	// Let both processes go idle, so that the figures are what they hold, not what the
	// filing's garbage left behind; the Go runtime hands freed memory back within minutes.
	time.Sleep(time.Duration(envInt("BENCH_MEMORY_SETTLE_SECONDS", 30)) * time.Second)
	f := memoryFigures{cache: cache, filingRate: float64(total) / filing.Seconds()}
	f.apiMB, _ = procMemoryMB(b, p.api.cmd.Process.Pid)
	f.workerMB, f.workerPeakMB = procMemoryMB(b, p.worker.cmd.Process.Pid)
	f.cached = metricSum(b, metrics, "temporal_sticky_cache_size")
	require.LessOrEqual(b, f.cached, float64(cache), "the worker's cache holds at most WORKER_STICKY_CACHE_SIZE workflows")
	// The SDK's cache evicts as it reaches its size, so it may hold one workflow fewer.
	require.GreaterOrEqual(b, f.cached, float64(min(total, cache)-1), "every open dossier the cache can hold is in it")

	// Complete a sample spread over the filing order, one at a time: with the small cache,
	// the dossiers filed first were evicted and their workflows replay.
	finance := s.client(s.token(b, financeOfficer))
	hits, misses := metricSum(b, metrics, "temporal_sticky_cache_hit_total"), metricSum(b, metrics, "temporal_sticky_cache_miss_total")
	var latencies []time.Duration
	start = time.Now()
	for k := range sample {
		i := k * total / sample
		t0 := time.Now()
		_, err := finance.CompleteTask(ctx, tasks[i], models.OutcomePaid, "", map[string]string{"paid_on": today(), "reference": "VIR-" + communes[i].Siren})
		require.NoError(b, err)
		latencies = append(latencies, time.Since(t0))
	}
	f.completeRate = float64(sample) / time.Since(start).Seconds()
	time.Sleep(2 * time.Second) // the SDK reports its counters every second
	f.hits = metricSum(b, metrics, "temporal_sticky_cache_hit_total") - hits
	f.misses = metricSum(b, metrics, "temporal_sticky_cache_miss_total") - misses
	f.p50, f.p99 = percentile(latencies, 50), percentile(latencies, 99)
	b.Logf("cache %d: filed %d dossiers in %s (%.1f/s); api %.0f MB, worker %.0f MB (peak %.0f MB), %.0f workflows cached; "+
		"%d completions at %.1f/s, p50 %s, p99 %s, sticky hits %.0f, misses %.0f", cache, total, filing.Round(time.Second),
		f.filingRate, f.apiMB, f.workerMB, f.workerPeakMB, f.cached, sample, f.completeRate, f.p50, f.p99, f.hits, f.misses)
	return f
}

// procMemoryMB reads a process's resident memory now and at its peak (VmRSS, VmHWM) in MB.
func procMemoryMB(t testing.TB, pid int) (rss, peak float64) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		kB, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		require.NoError(t, err, sc.Text())
		if key == "VmRSS" {
			rss = kB / 1024
		} else {
			peak = kB / 1024
		}
	}
	require.NoError(t, sc.Err())
	require.Positive(t, rss, "VmRSS of %d", pid)
	return rss, peak
}

// processStack is `relance api` and `relance worker`, each a process of its own, against
// the CLI dev server the test starts, on a PostgreSQL database of its own.
type processStack struct {
	*stack
	api, worker *process
	// workerMetrics is the worker's /metrics URL.
	workerMetrics string
}

// buildRelance builds the relance command into the test's temporary directory.
func buildRelance(t testing.TB) string {
	t.Helper()
	relance := filepath.Join(t.TempDir(), "relance")
	out, err := exec.Command("go", "build", "-o", relance, "github.com/relance/relance/cmd/relance").CombinedOutput()
	require.NoError(t, err, "build relance: %s", out)
	return relance
}

// startProcessStack starts the dev server, or with BENCH_SHAPE=cluster the real Temporal
// server on PostgreSQL (startTemporalServer, then `relance temporal-setup`), then the api
// and the worker from the relance binary with WORKER_STICKY_CACHE_SIZE=cache. It skips
// without the temporal CLI (or the server's binaries) or PostgreSQL (two processes share
// the database).
func startProcessStack(t testing.TB, relance string, cache int) *processStack {
	t.Helper()
	files := newStackFiles(t)
	if filepath.IsAbs(files.databaseURL) {
		t.Skip("the api and the worker processes share a database: TEST_DATABASE_URL")
	}
	var address string
	var stopTemporal func()
	var tc client.Client
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("BENCH_SHAPE") == "cluster" {
		serverBin, sqlTool, schema := clusterBinaries(t)
		server, _ := startTemporalServer(t, t.TempDir(), serverBin, sqlTool, schema)
		address = "127.0.0.1:" + server.port
		tc = setUpCluster(t, relance, server, append(os.Environ(), "TEMPORAL_ADDRESS="+address, "TEMPORAL_NAMESPACE=default"))
		stopTemporal = func() { tc.Close(); _ = server.stop(t) }
	} else {
		cli, err := app.FindTemporalCLI(os.Getenv("TEMPORAL_CLI"))
		if err != nil {
			if os.Getenv("REQUIRE_E2E") != "" {
				t.Fatalf("REQUIRE_E2E is set: %v", err)
			}
			t.Skipf("needs the temporal CLI: %v", err)
		}
		dev, err := app.StartDevTemporal(context.Background(), app.DevTemporal{CLI: cli, Namespace: "default", DBFile: files.temporalDB,
			Log: io.Discard}, logger)
		require.NoError(t, err)
		address, tc, stopTemporal = dev.FrontendHostPort(), dev.Client(), func() { _ = dev.Stop() }
	}
	st, err := app.PrepareStore(context.Background(), files.databaseURL, logger)
	if err != nil {
		stopTemporal()
		require.NoError(t, err)
	}
	dir := t.TempDir()
	apiPort, metricsPort := freePort(t), freePort(t)
	env := append(os.Environ(), "DATABASE_URL="+files.databaseURL, "JWT_SECRET="+testSecret, "TEMPORAL_ADDRESS="+address,
		"TEMPORAL_NAMESPACE=default", "HTTP_ADDR=127.0.0.1:"+apiPort, "METRICS_ADDR=127.0.0.1:"+metricsPort,
		"LOG_FORMAT=json", "LOG_LEVEL=warn", "WORKER_STICKY_CACHE_SIZE="+strconv.Itoa(cache))
	p := &processStack{workerMetrics: "http://127.0.0.1:" + metricsPort + "/metrics",
		api:    startProcess(t, "relance api", filepath.Join(dir, "api.log"), env, relance, "api"),
		worker: startProcess(t, "relance worker", filepath.Join(dir, "worker.log"), env, relance, "worker")}
	p.stack = &stack{URL: "http://127.0.0.1:" + apiPort, Temporal: tc, Store: st, auth: api.NewAuthenticator(testSecret, "", "", "")}
	stopped := false
	p.stack.stop = func() {
		if stopped {
			return
		}
		stopped = true
		require.NoError(t, p.api.stop(t), "relance api stops cleanly")
		require.NoError(t, p.worker.stop(t), "relance worker stops cleanly")
		stopTemporal()
		_ = st.Close()
	}
	t.Cleanup(p.stack.stop)
	p.api.waitHTTP(t, p.URL+"/readyz")
	p.worker.waitHTTP(t, p.workerMetrics)
	return p
}

// fundGuichet raises the guichet's envelope, and its parents first, by enough for n more
// grants of 5,000 € (it funds about 1,200 as seeded).
func fundGuichet(t testing.TB, s *stack, n int) {
	t.Helper()
	admin := s.token(t, administrator)
	for _, code := range []string{"fund", "axe2", models.EnvelopeGuichet} {
		raised := envelope(t, s, admin, code).AllocatedCents + models.Cents(n)*500_000
		r := s.call(t, http.MethodPatch, "/api/v1/envelopes/"+code, admin, map[string]any{"allocated_cents": raised})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	}
}

// fileAwaitingPayment files a complete guichet dossier for each commune, concurrency at
// once, and waits until each waits on its payment task. It returns those tasks' ids, in
// the communes' order.
func fileAwaitingPayment(t testing.TB, s *stack, communes []models.Collectivite, concurrency int) []string {
	t.Helper()
	application := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 650_000,
		Checklist: completeChecklist(models.GuichetFranceConnect)}
	tasks := make([]string, len(communes))
	jobs := make(chan int, len(communes))
	for i := range communes {
		jobs <- i
	}
	close(jobs)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for i := range jobs {
				applicant := s.client(s.token(t, applicantOf(communes[i].Siren)))
				r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", applicant.Token, application)
				require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
				var d dossierView
				r.decode(t, &d)
				for d.Status == models.StatusSubmitted || d.Status == models.StatusChecking || len(d.Tasks) == 0 && d.Status == models.StatusAwaitingPayment {
					time.Sleep(20 * time.Millisecond)
					next, err := applicant.Dossier(context.Background(), d.ID)
					require.NoError(t, err)
					d = next
				}
				require.Equal(t, models.StatusAwaitingPayment, d.Status, d.Reason)
				tasks[i] = d.Tasks[0].ID
			}
		})
	}
	wg.Wait()
	return tasks
}
