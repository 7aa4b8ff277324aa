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

	"github.com/relance/relance/config"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// BenchmarkGuichet runs guichet dossiers through the HTTP API on the real stack with
// BENCH_CONCURRENCY applicants at once (default 16), BENCH_DOSSIERS in all (default 200),
// each for its own commune. It reports the decision latency (POST to a decision visible
// through GET: p50, p99), decisions per second, and the latency of the finance officer's
// task completion (p50, p99), which waits for the workflow to pay and close the dossier.
//
// It runs twice in one run: with the workers' workflow task pollers scaled with the load
// (WORKER_WORKFLOW_POLLERS=auto, relance's default), then with the SDK's fixed two, the
// reference a change of this setting is measured against.
func BenchmarkGuichet(b *testing.B) {
	concurrency := envInt("BENCH_CONCURRENCY", 16)
	total := envInt("BENCH_DOSSIERS", 200)
	for _, pollers := range []string{"auto", "2"} {
		b.Run("pollers="+pollers, func(b *testing.B) {
			for range b.N {
				runGuichetBench(b, pollers, concurrency, total)
			}
		})
	}
}

func runGuichetBench(b *testing.B, pollers string, concurrency, total int) {
	b.StopTimer()
	s := startBenchStack(b, pollers)
	ctx := context.Background()
	communes, err := s.Store.SearchCollectivites(ctx, store.CollectiviteFilter{Type: models.TypeCommune, Limit: total})
	require.NoError(b, err)
	require.Len(b, communes, total)
	finance := s.client(s.token(b, financeOfficer))
	app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 650_000, Checklist: completeChecklist(models.GuichetFranceConnect)}

	var mu sync.Mutex
	var decisions, completions []time.Duration
	// Every job is queued first, so that a failing worker cannot leave the queue blocked.
	jobs := make(chan models.Collectivite, len(communes))
	for _, c := range communes {
		jobs <- c
	}
	close(jobs)
	var wg sync.WaitGroup
	b.StartTimer()
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			for c := range jobs {
				applicant := s.client(s.token(b, applicantOf(c.Siren)))
				t0 := time.Now()
				r := s.call(b, http.MethodPost, "/api/v1/guichet/applications", applicant.Token, app)
				require.Equal(b, http.StatusCreated, r.Status, string(r.Body))
				var d dossierView
				r.decode(b, &d)
				for d.Status == models.StatusSubmitted || d.Status == models.StatusChecking || len(d.Tasks) == 0 && d.Status == models.StatusAwaitingPayment {
					time.Sleep(5 * time.Millisecond)
					next, err := applicant.Dossier(ctx, d.ID)
					require.NoError(b, err)
					d = next
				}
				decided := time.Since(t0)
				require.Equal(b, models.StatusAwaitingPayment, d.Status, d.Reason)
				t1 := time.Now()
				_, err := finance.CompleteTask(ctx, d.Tasks[0].ID, models.OutcomePaid, "",
					map[string]string{"paid_on": today(), "reference": "VIR-" + c.Siren})
				require.NoError(b, err)
				completed := time.Since(t1)
				mu.Lock()
				decisions = append(decisions, decided)
				completions = append(completions, completed)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	paid := envelope(b, s, s.token(b, administrator), models.EnvelopeGuichet).PaidCents
	require.Equal(b, models.Cents(total)*500_000, paid, "every dossier paid, to the cent")
	b.ReportMetric(percentile(decisions, 50).Seconds()*1000, "decision-p50-ms")
	b.ReportMetric(percentile(decisions, 99).Seconds()*1000, "decision-p99-ms")
	// The slowest of each, so that one stalled dossier shows beside the percentiles.
	b.ReportMetric(percentile(decisions, 100).Seconds()*1000, "decision-max-ms")
	b.ReportMetric(float64(total)/elapsed.Seconds(), "dossiers/s")
	b.ReportMetric(percentile(completions, 50).Seconds()*1000, "task-complete-p50-ms")
	b.ReportMetric(percentile(completions, 99).Seconds()*1000, "task-complete-p99-ms")
	b.ReportMetric(percentile(completions, 100).Seconds()*1000, "task-complete-max-ms")
	b.Logf("%s: %d dossiers, %d concurrent applicants, database %s: %s", benchShape(), total, concurrency, s.Store.Dialect(), elapsed.Round(time.Millisecond))
}

// startBenchStack starts the stack the benchmarks run on: the dev server with the worker
// and the API in the test's process, or with BENCH_SHAPE=cluster the production shape
// (the real Temporal server on PostgreSQL, one api and two worker processes).
//
// pollers is WORKER_WORKFLOW_POLLERS: auto, or a fixed number of workflow task pollers.
func startBenchStack(b *testing.B, pollers string) *stack {
	if os.Getenv("BENCH_SHAPE") == "cluster" {
		b.Setenv("WORKER_WORKFLOW_POLLERS", pollers) // the worker processes read their environment
		return startClusterStack(b, newStackFiles(b)).stack
	}
	files := newStackFiles(b)
	if pollers != "auto" {
		n, err := strconv.Atoi(pollers)
		require.NoError(b, err)
		files.tune = func(c *config.Config) { c.WorkerWorkflowPollers = n }
	}
	return startStack(b, files)
}

// benchShape names the stack of startBenchStack, for the benchmarks' logs.
func benchShape() string {
	if os.Getenv("BENCH_SHAPE") == "cluster" {
		return "cluster (temporal server on PostgreSQL, api + 2 workers)"
	}
	return "dev server"
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

// BenchmarkCallForProjects runs complete call-for-projects applications through the HTTP
// API: submission, preselection, the jury's vote (a jury of one, its session open),
// both signatures and the payment. BENCH_CONCURRENCY applicants at once (default 16),
// BENCH_DOSSIERS in all (default 100). It reports complete applications per second, the
// p50 and p99 of submission to paid, and the p50 and p99 of a task completion.
func BenchmarkCallForProjects(b *testing.B) {
	concurrency := envInt("BENCH_CONCURRENCY", 16)
	total := envInt("BENCH_DOSSIERS", 100)
	for range b.N {
		runCallBench(b, concurrency, total)
	}
}

func runCallBench(b *testing.B, concurrency, total int) {
	b.StopTimer()
	s := startBenchStack(b, "auto")
	admin, paris := s.token(b, administrator), s.token(b, applicantOf(sirenParis))
	instr, finance, chair := s.token(b, instructor), s.token(b, financeOfficer), s.token(b, juryChair)
	call := createJuryOfOneCall(b, s, admin)
	before := envelope(b, s, admin, "axe2.donnees")

	var mu sync.Mutex
	var whole, completions []time.Duration
	// step completes the dossier's open task of a type, timing the call.
	step := func(token, dossierID string, typ models.TaskType, outcome string, data any, scope models.Scope) {
		task := waitTask(b, s, token, dossierID, typ, scope)
		t0 := time.Now()
		_, err := s.client(token).CompleteTask(context.Background(), task, outcome, "benchmark", data)
		require.NoError(b, err)
		mu.Lock()
		completions = append(completions, time.Since(t0))
		mu.Unlock()
	}
	signed := map[string]string{"signed_on": today()}
	jobs := make(chan int, total)
	for i := range total {
		jobs <- i
	}
	close(jobs)
	var wg sync.WaitGroup
	b.StartTimer()
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			for range jobs {
				t0 := time.Now()
				r := s.call(b, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", paris, aapApplication(1_000_000))
				require.Equal(b, http.StatusCreated, r.Status, string(r.Body))
				var d models.Dossier
				r.decode(b, &d)
				step(instr, d.ID, models.TaskPreselection, "preselect", nil, models.Scope{})
				step(chair, d.ID, models.TaskJuryDecision, "grant", map[string]any{"amount_cents": 1_000_000}, models.Scope{})
				step(paris, d.ID, models.TaskConventionSignature, "signed", signed, models.CollectiviteScope(sirenParis))
				step(finance, d.ID, models.TaskConventionSignature, "signed", signed, models.ScopeNational)
				step(finance, d.ID, models.TaskDisbursement, "paid", map[string]string{"paid_on": today(), "reference": "VIR-" + d.ID[:8]}, models.Scope{})
				mu.Lock()
				whole = append(whole, time.Since(t0))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	after := envelope(b, s, admin, "axe2.donnees")
	require.Equal(b, before.PaidCents+models.Cents(total)*1_000_000, after.PaidCents, "every application paid, to the cent")
	require.Equal(b, before.ReservedCents, after.ReservedCents)
	require.Equal(b, before.CommittedCents, after.CommittedCents)
	b.ReportMetric(float64(total)/elapsed.Seconds(), "applications/s")
	b.ReportMetric(percentile(whole, 50).Seconds()*1000, "submit-to-paid-p50-ms")
	b.ReportMetric(percentile(whole, 99).Seconds()*1000, "submit-to-paid-p99-ms")
	b.ReportMetric(percentile(completions, 50).Seconds()*1000, "task-complete-p50-ms")
	b.ReportMetric(percentile(completions, 99).Seconds()*1000, "task-complete-p99-ms")
	b.Logf("%s: %d applications, %d concurrent applicants, database %s: %s", benchShape(), total, concurrency, s.Store.Dialect(), elapsed.Round(time.Millisecond))
}

// BenchmarkPrefectoral runs complete Axe 3 dossiers through the HTTP API: submission,
// admissibility, scoring, the préfet's grant in a programming session, the CRTE annex's
// signature, the final statement and the balance. The dossiers are scored concurrently,
// then decided in one session, as a préfecture batches them. BENCH_CONCURRENCY at once
// (default 16), BENCH_DOSSIERS in all (default 100). It reports complete dossiers per
// second and the p50 and p99 of a task completion (session decisions included).
func BenchmarkPrefectoral(b *testing.B) {
	concurrency := envInt("BENCH_CONCURRENCY", 16)
	total := envInt("BENCH_DOSSIERS", 100)
	for range b.N {
		runPrefectoralBench(b, concurrency, total)
	}
}

func runPrefectoralBench(b *testing.B, concurrency, total int) {
	b.StopTimer()
	s := startStack(b, newStackFiles(b))
	admin, rennes, finance := s.token(b, administrator), s.token(b, applicantOf(sirenRennes)), s.token(b, financeOfficer)
	instr, p35, p53 := s.token(b, instructor35), s.token(b, prefet35), s.token(b, prefet53)
	var split struct{ Default map[string]models.Cents }
	s.call(b, http.MethodGet, "/api/v1/axe3/regional-split", admin, nil).decode(b, &split)
	require.Equal(b, http.StatusOK, s.call(b, http.MethodPut, "/api/v1/axe3/regional-split", admin, map[string]any{"allocations": split.Default}).Status)
	require.Equal(b, http.StatusOK, s.call(b, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", p53, map[string]any{"amount_cents": 100_000_000}).Status)
	require.Equal(b, http.StatusOK, s.call(b, http.MethodPut, "/api/v1/axe3/crtes/crte-rennes", admin,
		map[string]any{"name": "CRTE Rennes Métropole", "epcis": []string{"243500139"}, "signed_on": "2021-07-01"}).Status)
	const envCode = "axe3.territorial.53.35"
	before := envelope(b, s, admin, envCode)

	var mu sync.Mutex
	var completions []time.Duration
	timed := func(f func() response) response {
		t0 := time.Now()
		r := f()
		mu.Lock()
		completions = append(completions, time.Since(t0))
		mu.Unlock()
		return r
	}
	step := func(token, dossierID string, typ models.TaskType, outcome string, data any) {
		var task string
		for task == "" {
			var d dossierView
			s.call(b, http.MethodGet, "/api/v1/dossiers/"+dossierID, token, nil).decode(b, &d)
			for _, t := range d.Tasks {
				if t.Type == typ && t.Status == models.TaskOpen {
					task = t.ID
				}
			}
			if task == "" {
				time.Sleep(5 * time.Millisecond)
			}
		}
		r := timed(func() response {
			return s.call(b, http.MethodPost, "/api/v1/tasks/"+task+"/complete", token, map[string]any{"outcome": outcome, "comment": "benchmark", "data": data})
		})
		require.Equal(b, http.StatusOK, r.Status, string(r.Body))
	}
	criteria := []map[string]any{{"score": 4, "comment": "au vu du dossier"}, {"score": 4, "comment": "au vu du dossier"}, {"score": 3, "comment": "au vu du dossier"},
		{"score": 4, "comment": "au vu du dossier"}, {"score": 3, "comment": "au vu du dossier"}}
	parallel := func(work func(i int)) {
		jobs := make(chan int, total)
		for i := range total {
			jobs <- i
		}
		close(jobs)
		var wg sync.WaitGroup
		for range concurrency {
			wg.Go(func() {
				for i := range jobs {
					work(i)
				}
			})
		}
		wg.Wait()
	}
	ids := make([]string, total)
	b.StartTimer()
	start := time.Now()
	parallel(func(i int) {
		r := s.call(b, http.MethodPost, "/api/v1/axe3/applications", rennes, prefectoralApplication())
		require.Equal(b, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(b, &d)
		ids[i] = d.ID
		step(instr, d.ID, models.TaskAdmissibility, "admissible", nil)
		step(instr, d.ID, models.TaskScoring, "scored", map[string]any{"criteria": criteria, "proposed_cents": 200_000})
		s.waitStatus(b, instr, d.ID, models.StatusScored)
	})
	r := s.call(b, http.MethodPost, "/api/v1/axe3/sessions", p35, map[string]any{"envelope_code": envCode})
	require.Equal(b, http.StatusCreated, r.Status, string(r.Body))
	var session models.ProgrammingSession
	r.decode(b, &session)
	require.Len(b, session.Entries, total)
	parallel(func(i int) {
		id := ids[i]
		s.waitStatus(b, p35, id, models.StatusInSession)
		r := timed(func() response {
			return s.call(b, http.MethodPost, "/api/v1/axe3/sessions/"+session.ID+"/decisions", p35, map[string]any{"dossier_id": id, "outcome": "grant", "amount_cents": 200_000})
		})
		require.Equal(b, http.StatusOK, r.Status, string(r.Body))
		step(p35, id, models.TaskConventionSignature, "signed", map[string]string{"signed_on": today()})
		step(rennes, id, models.TaskFinalStatement, "filed", map[string]any{"eligible_expenses_cents": 5_000_000})
		step(finance, id, models.TaskDisbursement, "paid", map[string]string{"paid_on": today(), "reference": "VIR-" + id[:8]})
	})
	elapsed := time.Since(start)
	b.StopTimer()

	after := envelope(b, s, admin, envCode)
	require.Equal(b, before.PaidCents+models.Cents(total)*200_000, after.PaidCents, "every dossier paid, to the cent")
	require.Equal(b, before.ReservedCents, after.ReservedCents)
	require.Equal(b, before.CommittedCents, after.CommittedCents)
	b.ReportMetric(float64(total)/elapsed.Seconds(), "dossiers/s")
	b.ReportMetric(percentile(completions, 50).Seconds()*1000, "task-complete-p50-ms")
	b.ReportMetric(percentile(completions, 99).Seconds()*1000, "task-complete-p99-ms")
	b.Logf("%d Axe 3 dossiers, %d at once, database %s: %s", total, concurrency, s.Store.Dialect(), elapsed.Round(time.Millisecond))
}
