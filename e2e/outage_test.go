package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
	"github.com/relance/relance/workflows"
)

// TestDatabaseOutageIs503 runs the stack on PostgreSQL behind a TCP proxy and cuts it for
// 12 s while clients read and file dossiers: every answer is a 503 with Retry-After naming
// the database (none a 500), /readyz says the database is down, and once the proxy is
// restored the same processes serve again, the dossiers filed before the cut are decided,
// a payment accepted by Temporal during the cut is recorded once, and the applications
// refused during the cut are filed once when retried.
func TestDatabaseOutageIs503(t *testing.T) {
	dsn := testdb.PostgresURL(t)
	if dsn == "" {
		t.Skip("the database outage test needs PostgreSQL: set TEST_DATABASE_URL")
	}
	const (
		cutFor  = 12 * time.Second
		clients = 4
		pace    = 100 * time.Millisecond // between two requests of one client
	)
	proxy, viaProxy := testdb.ThroughProxy(t, dsn)
	s := startStack(t, stackFiles{temporalDB: filepath.Join(t.TempDir(), "temporal.db"), databaseURL: viaProxy})
	ctx := context.Background()
	communes, err := s.Store.SearchCollectivites(ctx, store.CollectiviteFilter{Type: models.TypeCommune, Limit: 48})
	require.NoError(t, err)
	admin := s.token(t, administrator)
	tokens := map[string]string{}
	for _, c := range communes {
		tokens[c.Siren] = s.token(t, applicantOf(c.Siren))
	}
	guichetBefore := envelope(t, s, admin, models.EnvelopeGuichet)
	app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 650_000, Checklist: completeChecklist(models.GuichetFranceConnect)}

	// A dossier awaiting its payment, which the finance officer records during the cut.
	r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", tokens[communes[0].Siren], app)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var paid dossierView
	r.decode(t, &paid)
	require.Eventually(t, func() bool {
		r := s.try(http.MethodGet, "/api/v1/dossiers/"+paid.ID, admin, nil)
		return r.err == nil && json.Unmarshal(r.body, &paid) == nil && paid.Status == models.StatusAwaitingPayment && len(paid.Tasks) == 1
	}, 15*time.Second, 20*time.Millisecond, "the disbursement task opens")
	// Dossiers filed just before the cut: their workflows may run into it.
	var ids []string
	for _, c := range communes[1:8] {
		r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", tokens[c.Siren], app, "Idempotency-Key", "before-"+c.Siren)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(t, &d)
		ids = append(ids, d.ID)
	}

	proxy.Cut()
	cutAt := time.Now()
	// Temporal is up: the payment reaches the workflow, which must wait out the cut to record it.
	type paymentResult struct {
		workflows.CompleteTaskResult
		err error
	}
	payment := make(chan paymentResult, 1)
	go func() {
		updateCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		var res paymentResult
		handle, err := s.Temporal.UpdateWorkflow(updateCtx, client.UpdateWorkflowOptions{
			WorkflowID: models.DossierWorkflowID(paid.ID), UpdateName: workflows.UpdateCompleteTask, WaitForStage: client.WorkflowUpdateStageCompleted,
			Args: []any{workflows.CompleteTaskRequest{TaskID: paid.Tasks[0].ID, Actor: financeOfficer, Outcome: "paid",
				Data: json.RawMessage(`{"paid_on": "` + today() + `", "reference": "VIR-DURING-CUT"}`)}},
		})
		if res.err = err; err == nil {
			res.err = handle.Get(updateCtx, &res.CompleteTaskResult)
		}
		payment <- res
	}()
	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		bad      []string // answers that are not the expected 503
		posted   []models.Collectivite
		slowest  time.Duration
	)
	record := func(name string, a answer, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		statuses[a.status]++
		slowest = max(slowest, took)
		if problem := a.outageProblem(); problem != "" {
			bad = append(bad, name+": "+problem)
		}
	}
	applicants := communes[8:]
	var next int // the next applicant to file for during the cut
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			for n := 0; time.Since(cutAt) < cutFor; n++ {
				var name string
				var a answer
				start := time.Now()
				switch (i + n) % 5 {
				case 0:
					name, a = "GET dossier", s.try(http.MethodGet, "/api/v1/dossiers/"+ids[n%len(ids)], admin, nil)
				case 1:
					name, a = "GET dossiers", s.try(http.MethodGet, "/api/v1/dossiers", admin, nil)
				case 2:
					name, a = "GET envelopes", s.try(http.MethodGet, "/api/v1/envelopes", admin, nil)
				case 3:
					name, a = "GET tasks", s.try(http.MethodGet, "/api/v1/tasks", admin, nil)
				default:
					mu.Lock()
					c := applicants[next%len(applicants)]
					if next < len(applicants) {
						posted = append(posted, c)
					}
					next++
					mu.Unlock()
					name, a = "POST application", s.try(http.MethodPost, "/api/v1/guichet/applications", tokens[c.Siren], app,
						"Idempotency-Key", "during-"+c.Siren)
				}
				record(name, a, time.Since(start))
				time.Sleep(pace)
			}
		})
	}
	var readyz []answer
	for time.Since(cutAt) < cutFor {
		start := time.Now()
		a := s.try(http.MethodGet, "/readyz", "", nil)
		readyz = append(readyz, a)
		mu.Lock()
		slowest = max(slowest, time.Since(start))
		mu.Unlock()
		time.Sleep(time.Second)
	}
	wg.Wait()
	cut := time.Since(cutAt)

	require.NoError(t, proxy.Restore())
	restoredAt := time.Now()
	require.Eventually(t, func() bool {
		return s.try(http.MethodGet, "/api/v1/envelopes", admin, nil).status == http.StatusOK
	}, 10*time.Second, 10*time.Millisecond, "the API serves again without a restart")
	recovered := time.Since(restoredAt)
	require.Eventually(t, func() bool { return s.try(http.MethodGet, "/readyz", "", nil).status == http.StatusOK }, 10*time.Second, 50*time.Millisecond)

	total := 0
	for _, n := range statuses {
		total += n
	}
	t.Logf("during a %v cut, %d requests: %d×503, %d×500, other %v; slowest answer %v; /readyz 503 %d times out of %d",
		cut.Round(100*time.Millisecond), total, statuses[http.StatusServiceUnavailable], statuses[http.StatusInternalServerError],
		statuses, slowest.Round(time.Millisecond), countStatus(readyz, http.StatusServiceUnavailable), len(readyz))
	t.Logf("the API answered again %v after the restore, without a restart", recovered.Round(time.Millisecond))
	require.Zero(t, len(bad), "every answer during the cut is a 503 naming the database; %d are not, such as %q", len(bad), bad[:min(5, len(bad))])
	require.NotEmpty(t, posted)
	for _, a := range readyz {
		require.Equal(t, http.StatusServiceUnavailable, a.status, string(a.body))
		var body struct{ Checks map[string]string }
		require.NoError(t, json.Unmarshal(a.body, &body))
		require.Equal(t, "the database is unavailable, retry shortly", body.Checks["database"])
		require.Equal(t, "ok", body.Checks["temporal"])
	}

	// Applications refused during the cut left nothing: retried with their keys, each is filed anew.
	for _, c := range posted {
		r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", tokens[c.Siren], app, "Idempotency-Key", "during-"+c.Siren)
		require.Equal(t, http.StatusCreated, r.Status, "nothing was recorded for %s during the cut: %s", c.Siren, r.Body)
		var d models.Dossier
		r.decode(t, &d)
		ids = append(ids, d.ID)
	}
	// Every dossier, including those whose workflows ran into the cut, is decided once.
	decidedBy := time.Now().Add(45 * time.Second)
	for _, id := range ids {
		var d dossierView
		for {
			r := s.call(t, http.MethodGet, "/api/v1/dossiers/"+id, admin, nil)
			require.Equal(t, http.StatusOK, r.Status, string(r.Body))
			r.decode(t, &d)
			if d.Status == models.StatusAwaitingPayment && len(d.Tasks) == 1 {
				break
			}
			require.True(t, time.Now().Before(decidedBy), "dossier %s stayed %s", id, d.Status)
			time.Sleep(50 * time.Millisecond)
		}
		require.Equal(t, models.GuichetGrantCapCents, d.GrantedCents)
		require.Len(t, d.Ledger, 1, "one reservation, however many retries")
	}
	t.Logf("all %d dossiers decided %v after the restore", len(ids), time.Since(restoredAt).Round(100*time.Millisecond))
	// The payment accepted during the cut is recorded once, however long the workflow retried.
	result := <-payment
	require.NoError(t, result.err)
	require.Equal(t, models.StatusPaid, result.Status)
	paid = s.waitStatus(t, admin, paid.ID, models.StatusPaid)
	require.Len(t, paid.Ledger, 2, "the reservation and its payment: %+v", paid.Ledger)
	require.Equal(t, "VIR-DURING-CUT", paid.Ledger[0].Reference)

	list, err := s.Store.ListDossiers(ctx, models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}, store.DossierFilter{Limit: 100})
	require.NoError(t, err)
	require.Len(t, list, 1+len(ids), "no dossier besides those answered 201")
	guichet := envelope(t, s, admin, models.EnvelopeGuichet)
	require.Equal(t, guichetBefore.ReservedCents+models.Cents(len(ids))*models.GuichetGrantCapCents, guichet.ReservedCents)
	require.Equal(t, guichetBefore.PaidCents+models.GuichetGrantCapCents, guichet.PaidCents)
}

// outageProblem says how the answer differs from a database outage's, or "" when it does not.
func (a answer) outageProblem() string {
	if a.err != nil {
		return a.err.Error()
	}
	if a.status != http.StatusServiceUnavailable {
		return fmt.Sprintf("status %d: %s", a.status, a.body)
	}
	if a.retryAfter != "5" {
		return fmt.Sprintf("Retry-After %q", a.retryAfter)
	}
	if e := apiError(a.status, a.body); e.Code != models.EUnavailable || !strings.Contains(e.Message, "database") {
		return fmt.Sprintf("body %s", a.body)
	}
	return ""
}

func countStatus(answers []answer, status int) int {
	return len(slices.DeleteFunc(slices.Clone(answers), func(a answer) bool { return a.status != status }))
}
