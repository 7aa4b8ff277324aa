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
// default 1,000), where most completions replay their workflow's history. It runs only
// with BENCH_MEMORY set (make bench-memory), on PostgreSQL (TEST_DATABASE_URL).
func BenchmarkOpenDossiersMemory(b *testing.B) {
	if os.Getenv("BENCH_MEMORY") == "" {
		b.Skip("BENCH_MEMORY=1 runs it: make bench-memory")
	}
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("the api and the worker share a database: TEST_DATABASE_URL")
	}
	total := envInt("BENCH_MEMORY_DOSSIERS", 10_000)
	sample := min(envInt("BENCH_MEMORY_SAMPLE", 200), total)
	small := envInt("BENCH_MEMORY_SMALL_CACHE", 1_000)
	relance := filepath.Join(b.TempDir(), "relance")
	out, err := exec.Command("go", "build", "-o", relance, "github.com/relance/relance/cmd/relance").CombinedOutput()
	require.NoError(b, err, "build relance: %s", out)

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
	cli, err := app.FindTemporalCLI(os.Getenv("TEMPORAL_CLI"))
	if err != nil {
		b.Skipf("the benchmark needs the temporal CLI: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	files := newStackFiles(b)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := app.PrepareStore(ctx, files.databaseURL, logger)
	require.NoError(b, err)
	defer st.Close()
	dev, err := app.StartDevTemporal(ctx, app.DevTemporal{CLI: cli, Namespace: "default", DBFile: files.temporalDB, Log: io.Discard}, logger)
	require.NoError(b, err)
	defer dev.Stop()

	dir := b.TempDir()
	apiPort, metricsPort := freePort(b), freePort(b)
	env := append(os.Environ(), "DATABASE_URL="+files.databaseURL, "JWT_SECRET="+testSecret, "TEMPORAL_ADDRESS="+dev.FrontendHostPort(),
		"TEMPORAL_NAMESPACE=default", "HTTP_ADDR=127.0.0.1:"+apiPort, "METRICS_ADDR=127.0.0.1:"+metricsPort,
		"LOG_FORMAT=json", "LOG_LEVEL=warn", "WORKER_STICKY_CACHE_SIZE="+strconv.Itoa(cache))
	apiProc := startProcess(b, "relance api", filepath.Join(dir, "api.log"), env, relance, "api")
	workerProc := startProcess(b, "relance worker", filepath.Join(dir, "worker.log"), env, relance, "worker")
	defer func() {
		require.NoError(b, apiProc.stop(b), "relance api stops cleanly")
		require.NoError(b, workerProc.stop(b), "relance worker stops cleanly")
	}()
	apiURL, metrics := "http://127.0.0.1:"+apiPort, "http://127.0.0.1:"+metricsPort+"/metrics"
	apiProc.waitHTTP(b, apiURL+"/readyz")
	workerProc.waitHTTP(b, metrics)
	s := &stack{URL: apiURL, Temporal: dev.Client(), Store: st, auth: api.NewAuthenticator(testSecret, "", "", "")}

	// The guichet's envelope funds about 1,200 grants: the administrator raises it, and
	// its parents first, to fund them all.
	admin := s.token(b, administrator)
	for _, code := range []string{"fund", "axe2", models.EnvelopeGuichet} {
		raised := envelope(b, s, admin, code).AllocatedCents + models.Cents(total)*500_000
		r := s.call(b, http.MethodPatch, "/api/v1/envelopes/"+code, admin, map[string]any{"allocated_cents": raised})
		require.Equal(b, http.StatusOK, r.Status, string(r.Body))
	}

	// File every dossier, each for its own commune, until it waits on its payment task.
	communes, err := st.SearchCollectivites(ctx, store.CollectiviteFilter{Type: models.TypeCommune, Limit: total})
	require.NoError(b, err)
	require.Len(b, communes, total, "one commune per dossier")
	application := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 650_000,
		Checklist: completeChecklist(models.GuichetFranceConnect)}
	tasks := make([]string, total) // the payment task of each dossier, in filing order
	jobs := make(chan int, total)
	for i := range total {
		jobs <- i
	}
	close(jobs)
	start := time.Now()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := range jobs {
				applicant := s.client(s.token(b, applicantOf(communes[i].Siren)))
				r := s.call(b, http.MethodPost, "/api/v1/guichet/applications", applicant.Token, application)
				require.Equal(b, http.StatusCreated, r.Status, string(r.Body))
				var d dossierView
				r.decode(b, &d)
				for d.Status == models.StatusSubmitted || d.Status == models.StatusChecking || len(d.Tasks) == 0 && d.Status == models.StatusAwaitingPayment {
					time.Sleep(20 * time.Millisecond)
					next, err := applicant.Dossier(ctx, d.ID)
					require.NoError(b, err)
					d = next
				}
				require.Equal(b, models.StatusAwaitingPayment, d.Status, d.Reason)
				tasks[i] = d.Tasks[0].ID
			}
		})
	}
	wg.Wait()
	filing := time.Since(start)

	// Let both processes go idle, so that the figures are what they hold, not what the
	// filing's garbage left behind; the Go runtime hands freed memory back within minutes.
	time.Sleep(time.Duration(envInt("BENCH_MEMORY_SETTLE_SECONDS", 30)) * time.Second)
	f := memoryFigures{cache: cache, filingRate: float64(total) / filing.Seconds()}
	f.apiMB, _ = procMemoryMB(b, apiProc.cmd.Process.Pid)
	f.workerMB, f.workerPeakMB = procMemoryMB(b, workerProc.cmd.Process.Pid)
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
