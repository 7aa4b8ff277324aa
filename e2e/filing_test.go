package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/config"
	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// fastReconciler makes the reconciler step in within a second.
func fastReconciler(c *config.Config) {
	c.ReconcilePeriod, c.ReconcileGrace = 200*time.Millisecond, time.Second
}

// TestClientsGivingUpLeaveNoDossierWithoutProcess has 100 clients disconnect 20 to 50 ms
// after POSTing an application: once the reconciler has run, every dossier row has its
// workflow.
func TestClientsGivingUpLeaveNoDossierWithoutProcess(t *testing.T) {
	const timeout = 3 * time.Second
	files := newStackFiles(t)
	files.tune = func(c *config.Config) {
		fastReconciler(c)
		c.TemporalTimeout = timeout
	}
	s := startStack(t, files)
	ctx := context.Background()
	communes, err := s.Store.SearchCollectivites(ctx, store.CollectiviteFilter{Type: models.TypeCommune, Limit: 100})
	require.NoError(t, err)
	require.Len(t, communes, 100)

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		outcomes = map[string]int{}
	)
	for i, c := range communes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100_000,
				Checklist: completeChecklist(models.GuichetFranceConnect)}
			rctx, cancel := context.WithTimeout(ctx, time.Duration(20+rand.IntN(31))*time.Millisecond)
			defer cancel()
			outcome := "gave up"
			if r, err := s.client(s.token(t, applicantOf(c.Siren))).Do(rctx, http.MethodPost, "/api/v1/guichet/applications", app,
				"Idempotency-Key", "give-up-"+string(rune('a'+i%26))+c.Siren); err == nil {
				outcome = fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status))
			}
			mu.Lock()
			outcomes[outcome]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	// A filing ends within TEMPORAL_TIMEOUT: by then the API has finished, or given up on,
	// what the clients walked away from, and the reconciler mends the rest.
	time.Sleep(timeout)
	require.Eventually(t, func() bool {
		left, err := s.Store.UnstartedDossiers(ctx, time.Now().Add(time.Hour), 1000)
		require.NoError(t, err)
		return len(left) == 0
	}, 30*time.Second, 200*time.Millisecond, "dossiers left without a recorded process")
	all, err := s.Store.ListDossiers(ctx, administrator, store.DossierFilter{Limit: 1000})
	require.NoError(t, err)
	require.NotEmpty(t, all)
	mended := 0
	for _, d := range all {
		_, err := s.Temporal.DescribeWorkflow(ctx, d.WorkflowID(), "")
		require.NoError(t, err, "dossier %s has no workflow", d.ID)
		trail, err := s.Store.AuditTrail(ctx, d.ID)
		require.NoError(t, err)
		if hasAudit(trail, filing.ReconcilerActor, "process started by the reconciler") {
			mended++
		}
	}
	t.Logf("clients: %v; %d of 100 applications filed, %d started by the reconciler; every one has its workflow", outcomes, len(all), mended)
}

// TestAPIDyingBetweenInsertAndStartIsMended stands in for the API process dying after it
// saved a dossier and before it started its workflow: the reconciler starts it, says so in
// the audit trail, and the dossier is decided.
func TestAPIDyingBetweenInsertAndStartIsMended(t *testing.T) {
	files := newStackFiles(t)
	files.tune = fastReconciler
	s := startStack(t, files)
	killed := errors.New("the API process died here")
	s.API.Filing.AfterInsert = func(models.Dossier) error { return killed }
	paris := s.token(t, applicantOf(sirenParis))
	r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", paris,
		models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100_000, Checklist: completeChecklist(models.GuichetFranceConnect)},
		"Idempotency-Key", idemKey(t))
	require.Equal(t, http.StatusInternalServerError, r.Status, string(r.Body))

	list, err := s.Store.ListDossiers(context.Background(), administrator, store.DossierFilter{Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 1, "the row was saved, its workflow not started")
	d := s.waitStatus(t, paris, list[0].ID, models.StatusAwaitingPayment)
	require.True(t, hasAudit(d.Audit, filing.ReconcilerActor, "process started by the reconciler"), "%+v", d.Audit)
	stored, err := s.Store.Dossier(context.Background(), d.ID)
	require.NoError(t, err)
	require.NotNil(t, stored.ProcessStartedAt)
}

func hasAudit(events []models.AuditEvent, actor, detail string) bool {
	for _, e := range events {
		if e.Actor == actor && e.Detail == detail {
			return true
		}
	}
	return false
}

// TestIdempotencyKeysAndClosingDate checks what an Idempotency-Key means, and that the
// guichet refuses applications after its closing date, with the date.
func TestIdempotencyKeysAndClosingDate(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100_000, Checklist: completeChecklist(models.GuichetFranceConnect)}
	post := func(p models.Principal, body any, key string) response {
		return s.call(t, http.MethodPost, "/api/v1/guichet/applications", s.token(t, p), body, "Idempotency-Key", key)
	}
	// One agent who acts for two communes (a secrétaire de mairie shared by both).
	forParis := models.Principal{Subject: "agent-shared", Roles: []models.Role{models.RoleApplicant}, Siren: sirenParis}
	forLyon := forParis
	forLyon.Siren = sirenLyon

	t.Run("same key for another SIREN files anew", func(t *testing.T) {
		key := idemKey(t)
		r := post(forParis, app, key)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var first, second models.Dossier
		r.decode(t, &first)
		r = post(forLyon, app, key)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		r.decode(t, &second)
		require.NotEqual(t, first.ID, second.ID)
		require.Equal(t, sirenLyon, second.ApplicantSiren)
	})

	t.Run("same key with another body is 422", func(t *testing.T) {
		key := idemKey(t)
		api := models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_particulier", ProjectCostCents: 100_000,
			Checklist: completeChecklist(models.GuichetAPI)}
		r := post(forParis, api, key)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		same := post(forParis, api, key)
		require.Equal(t, http.StatusOK, same.Status, "the same request again gets its dossier")
		other := api
		other.ProjectCostCents = 200_000
		r = post(forParis, other, key)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, string(r.Body))
		code, _ := r.errorCode(t)
		require.Equal(t, models.EIdempotencyKeyReused, code)
	})

	t.Run("bad keys are 400", func(t *testing.T) {
		for name, key := range map[string]string{"not UTF-8": "k\xff\xfe", "256 bytes": strings.Repeat("é", 128)} {
			r := post(forParis, app, key)
			require.Equal(t, http.StatusBadRequest, r.Status, name+": "+string(r.Body))
			code, fields := r.errorCode(t)
			require.Equal(t, models.EMalformed, code)
			require.Contains(t, fields, "Idempotency-Key", name)
		}
		r := post(models.Principal{Subject: "agent-long-key", Roles: []models.Role{models.RoleApplicant}, Siren: sirenMarseille},
			app, strings.Repeat("k", 255))
		require.Equal(t, http.StatusCreated, r.Status, "255 bytes is fine: "+string(r.Body))
	})

	t.Run("closed guichet refuses with the date", func(t *testing.T) {
		closed := time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC)
		s.API.Filing.GuichetClosesAt = closed
		defer func() { s.API.Filing.GuichetClosesAt = time.Time{} }()
		r := post(applicantOf(sirenRennes), app, idemKey(t))
		require.Equal(t, http.StatusConflict, r.Status, string(r.Body))
		code, _ := r.errorCode(t)
		require.Equal(t, models.EConflict, code)
		require.Contains(t, string(r.Body), "2026-01-31T23:00:00Z")
		list, err := s.Store.ListDossiers(context.Background(), applicantOf(sirenRennes), store.DossierFilter{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, list)

		s.API.Filing.GuichetClosesAt = time.Now().Add(time.Hour)
		r = post(applicantOf(sirenRennes), app, idemKey(t))
		require.Equal(t, http.StatusCreated, r.Status, "open until its closing date: "+string(r.Body))
	})
}
