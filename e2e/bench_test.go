package e2e

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// BenchmarkGuichet runs guichet dossiers through the HTTP API on the real stack with
// BENCH_CONCURRENCY applicants at once (default 16), BENCH_DOSSIERS in all (default 200),
// each for its own commune. It reports the decision latency (POST to a decision visible
// through GET: p50, p99), decisions per second, and the latency of the finance officer's
// task completion (p50, p99), which waits for the workflow to pay and close the dossier.
func BenchmarkGuichet(b *testing.B) {
	concurrency := envInt("BENCH_CONCURRENCY", 16)
	total := envInt("BENCH_DOSSIERS", 200)
	for range b.N {
		runGuichetBench(b, concurrency, total)
	}
}

func runGuichetBench(b *testing.B, concurrency, total int) {
	b.StopTimer()
	s := startStack(b, newStackFiles(b))
	communes, err := s.Store.SearchCollectivites(context.Background(), store.CollectiviteFilter{Type: models.TypeCommune, Limit: total})
	require.NoError(b, err)
	require.Len(b, communes, total)
	finance := s.token(b, financeOfficer)
	app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 650_000, Checklist: completeChecklist(models.GuichetFranceConnect)}

	var mu sync.Mutex
	var decisions, completions []time.Duration
	jobs := make(chan models.Collectivite)
	var wg sync.WaitGroup
	b.StartTimer()
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			for c := range jobs {
				token := s.token(b, applicantOf(c.Siren))
				t0 := time.Now()
				r := s.call(b, http.MethodPost, "/api/v1/guichet/applications", token, app)
				require.Equal(b, http.StatusCreated, r.Status, string(r.Body))
				var d dossierView
				r.decode(b, &d)
				for d.Status == models.StatusSubmitted || d.Status == models.StatusChecking || len(d.Tasks) == 0 && d.Status == models.StatusAwaitingPayment {
					time.Sleep(5 * time.Millisecond)
					s.call(b, http.MethodGet, "/api/v1/dossiers/"+d.ID, token, nil).decode(b, &d)
				}
				decided := time.Since(t0)
				require.Equal(b, models.StatusAwaitingPayment, d.Status, d.Reason)
				t1 := time.Now()
				r = s.call(b, http.MethodPost, "/api/v1/tasks/"+d.Tasks[0].ID+"/complete", finance,
					map[string]any{"outcome": "paid", "data": map[string]string{"paid_on": today(), "reference": "VIR-" + c.Siren}})
				require.Equal(b, http.StatusOK, r.Status, string(r.Body))
				completed := time.Since(t1)
				mu.Lock()
				decisions = append(decisions, decided)
				completions = append(completions, completed)
				mu.Unlock()
			}
		})
	}
	for _, c := range communes {
		jobs <- c
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	paid := envelope(b, s, s.token(b, administrator), models.EnvelopeGuichet).PaidCents
	require.Equal(b, models.Cents(total)*500_000, paid, "every dossier paid, to the cent")
	b.ReportMetric(percentile(decisions, 50).Seconds()*1000, "decision-p50-ms")
	b.ReportMetric(percentile(decisions, 99).Seconds()*1000, "decision-p99-ms")
	b.ReportMetric(float64(total)/elapsed.Seconds(), "dossiers/s")
	b.ReportMetric(percentile(completions, 50).Seconds()*1000, "task-complete-p50-ms")
	b.ReportMetric(percentile(completions, 99).Seconds()*1000, "task-complete-p99-ms")
	b.Logf("%d dossiers, %d concurrent applicants, database %s: %s", total, concurrency, s.Store.Dialect(), elapsed.Round(time.Millisecond))
}

func percentile(ds []time.Duration, p int) time.Duration {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}
