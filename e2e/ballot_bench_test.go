package e2e

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// BenchmarkBallots casts BENCH_BALLOTS ballots (default 1,000), each from a distinct
// commune, BENCH_CONCURRENCY at once (default 16), in a campaign of five candidate
// services, through the HTTP API on the real stack. It reports ballots per second and the
// p50 and p99 of a ballot, then checks the results count every choice.
func BenchmarkBallots(b *testing.B) {
	concurrency := envInt("BENCH_CONCURRENCY", 16)
	total := envInt("BENCH_BALLOTS", 1000)
	for range b.N {
		runBallotBench(b, concurrency, total)
	}
}

func runBallotBench(b *testing.B, concurrency, total int) {
	b.StopTimer()
	s := startStack(b, newStackFiles(b))
	admin, instr, paris := s.token(b, administrator), s.token(b, instructor), s.token(b, applicantOf(sirenParis))
	communes, err := s.Store.SearchCollectivites(context.Background(), store.CollectiviteFilter{Type: models.TypeCommune, Limit: total})
	require.NoError(b, err)
	require.Len(b, communes, total)

	// Collection for 4 s, grouping until the vote opens 3 s later, a vote long enough for the run.
	start := time.Now().Add(2 * time.Second).UTC()
	body := campaignBody("axe1.bench", start, 4*time.Second, time.Hour, time.Hour, time.Hour)
	sch := body["schedule"].(models.Schedule)
	for _, w := range []*models.Window{&sch.Vote, &sch.Interest, &sch.Build} {
		w.OpensAt, w.ClosesAt = w.OpensAt.Add(3*time.Second), w.ClosesAt.Add(3*time.Second)
	}
	body["schedule"] = sch
	r := s.call(b, http.MethodPost, "/api/v1/campaigns", admin, body)
	require.Equal(b, http.StatusCreated, r.Status, string(r.Body))
	var c models.Campaign
	r.decode(b, &c)
	base := "/api/v1/campaigns/" + c.ID
	for s.campaignPhase(b, admin, c.ID) != models.PhaseCollection {
		time.Sleep(50 * time.Millisecond)
	}
	var services []string
	for range 5 {
		r := s.call(b, http.MethodPost, base+"/proposals", paris, existingServiceProposal())
		require.Equal(b, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(b, &d)
		complete(b, s, instr, openTask(b, s, instr, d.ID, models.TaskProposalReview), models.OutcomeAccept, "", nil, models.StatusAccepted)
		r = s.call(b, http.MethodPost, base+"/services", instr, map[string]any{"title": "Service " + d.ID[:8],
			"description": "Un service candidat pour le banc d'essai des bulletins.", "proposal_ids": []string{d.ID}})
		require.Equal(b, http.StatusCreated, r.Status, string(r.Body))
		var svc models.CandidateService
		r.decode(b, &svc)
		services = append(services, svc.ID)
	}
	for s.campaignPhase(b, admin, c.ID) != models.PhaseVote {
		time.Sleep(50 * time.Millisecond)
	}

	var mu sync.Mutex
	var latencies []time.Duration
	choices := 0
	jobs := make(chan int, total)
	for i := range total {
		jobs <- i
	}
	close(jobs)
	var wg sync.WaitGroup
	b.StartTimer()
	t0 := time.Now()
	for range concurrency {
		wg.Go(func() {
			for i := range jobs {
				picked := services[:1+i%len(services)]
				token := s.token(b, applicantOf(communes[i].Siren))
				t := time.Now()
				r := s.call(b, http.MethodPut, base+"/ballot", token, map[string]any{"service_ids": picked})
				require.Equal(b, http.StatusOK, r.Status, string(r.Body))
				mu.Lock()
				latencies = append(latencies, time.Since(t))
				choices += len(picked)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(t0)
	b.StopTimer()

	var results struct{ Items []models.ServiceResult }
	s.call(b, http.MethodGet, base+"/results", admin, nil).decode(b, &results)
	counted := 0
	for _, res := range results.Items {
		counted += res.Ballots
	}
	require.Equal(b, choices, counted, "every choice counted once")
	b.ReportMetric(float64(total)/elapsed.Seconds(), "ballots/s")
	b.ReportMetric(percentile(latencies, 50).Seconds()*1000, "ballot-p50-ms")
	b.ReportMetric(percentile(latencies, 99).Seconds()*1000, "ballot-p99-ms")
	b.Logf("%d ballots, %d concurrent, database %s: %s", total, concurrency, s.Store.Dialect(), elapsed.Round(time.Millisecond))
}

// campaignPhase reads a campaign's recorded phase.
func (s *stack) campaignPhase(t testing.TB, token, id string) models.Phase {
	var c models.Campaign
	s.call(t, http.MethodGet, "/api/v1/campaigns/"+id, token, nil).decode(t, &c)
	return c.Phase
}
