package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
)

// testStores returns a fresh, migrated SQLite store, and a fresh PostgreSQL one (in its
// own schema) when TEST_DATABASE_URL is set. CI sets it; without it the Postgres runs skip.
func testStores(t *testing.T) map[string]*Store {
	t.Helper()
	stores := map[string]*Store{"sqlite": openSQLite(t)}
	if pg := openPostgres(t); pg != nil {
		stores["postgres"] = pg
	}
	return stores
}

func openSQLite(t testing.TB) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "test.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	return st
}

func openPostgres(t *testing.T) *Store {
	t.Helper()
	dsn := testdb.PostgresURL(t)
	if dsn == "" {
		return nil
	}
	st, err := Open(dsn)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	return st
}

// forEachStore runs fn against SQLite and, when configured, PostgreSQL.
func forEachStore(t *testing.T, fn func(t *testing.T, st *Store)) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) { fn(t, st) })
	}
}

func newDossier(t *testing.T, st *Store, id, siren, dept string) models.Dossier {
	t.Helper()
	payload, _ := json.Marshal(models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100})
	d, created, err := st.CreateDossier(context.Background(), models.Dossier{ID: id, Kind: models.KindGuichet, Status: models.StatusSubmitted,
		ApplicantSiren: siren, Departement: dept, EnvelopeCode: models.EnvelopeGuichet, Payload: payload, CreatedBy: "test"}, IdempotencyKey{}, nil)
	require.NoError(t, err)
	require.True(t, created)
	return d
}

func TestRegistryImportAndSearch(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		all := []models.Collectivite{
			{Type: models.TypeRegion, Code: "11", Name: "Île-de-France", Population: 12_000_000},
			{Type: models.TypeDepartement, Code: "91", Name: "Essonne", Region: "11", Population: 1_300_000},
			{Type: models.TypeCommune, Code: "91228", Siren: "200058014", Name: "Évry-Courcouronnes", Departement: "91", Region: "11", Population: 66_000},
			{Type: models.TypeCommune, Code: "75056", Siren: "217500016", Name: "Paris", Departement: "75", Region: "11", Population: 2_100_000},
			{Type: models.TypeEPCI, Code: "200057859", Siren: "200057859", Name: "CA Grand Paris Sud", Departement: "91", Region: "11",
				Population: 350_000, Members: []string{"200058014"}},
		}
		var calls int
		require.NoError(t, st.ImportRegistry(ctx, all, func(done, total int) { calls++ }))
		require.NoError(t, st.ImportRegistry(ctx, all, nil), "importing again is idempotent")
		n, err := st.CountCollectivites(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 5, n)
		require.Equal(t, 1, calls)

		c, err := st.CollectiviteBySiren(ctx, "200057859")
		require.NoError(t, err)
		require.Equal(t, []string{"200058014"}, c.Members)
		_, err = st.CollectiviteBySiren(ctx, "123456782")
		require.Equal(t, models.ENotFound, models.ErrorCode(err))

		found, err := st.SearchCollectivites(ctx, CollectiviteFilter{Query: "evry", Limit: 10})
		require.NoError(t, err)
		require.Len(t, found, 1, "accents and case are folded")
		found, err = st.SearchCollectivites(ctx, CollectiviteFilter{Query: "paris", Type: models.TypeCommune, Limit: 10})
		require.NoError(t, err)
		require.Len(t, found, 1, "the type filter applies to every name match")
		found, err = st.SearchCollectivites(ctx, CollectiviteFilter{Departement: "91", Limit: 1})
		require.NoError(t, err)
		require.Equal(t, models.TypeCommune, found[0].Type)
		next, err := st.SearchCollectivites(ctx, CollectiviteFilter{Departement: "91", Limit: 10, AfterType: string(found[0].Type), AfterCode: found[0].Code})
		require.NoError(t, err)
		require.Len(t, next, 1)
		require.Equal(t, models.TypeEPCI, next[0].Type)
		found, err = st.SearchCollectivites(ctx, CollectiviteFilter{Query: "100%_", Limit: 10})
		require.NoError(t, err)
		require.Empty(t, found, "LIKE wildcards in the query are literal")
	})
}

func TestEnvelopeTreeAndReallocation(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		_, err := st.SetAllocation(ctx, models.EnvelopeGuichet, 1_000_000)
		require.NoError(t, err)
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()), "seeding again keeps an administrator's amounts")
		g, err := st.Envelope(ctx, models.EnvelopeGuichet)
		require.NoError(t, err)
		require.EqualValues(t, 1_000_000, g.AllocatedCents)

		d := newDossier(t, st, "d1", "217500016", "75")
		require.NoError(t, st.FundGuichet(ctx, d.ID, d.ApplicantSiren, models.GuichetFranceConnect, models.EnvelopeGuichet, 400_000))

		fund, err := st.Envelope(ctx, models.EnvelopeFund)
		require.NoError(t, err)
		require.EqualValues(t, 400_000, fund.ReservedCents, "a parent sums its descendants")
		require.EqualValues(t, models.Euros(88_000_000), fund.AllocatedCents)

		_, err = st.SetAllocation(ctx, models.EnvelopeGuichet, 399_999)
		require.Equal(t, models.EConflict, models.ErrorCode(err), "never below what is engaged")
		_, err = st.SetAllocation(ctx, models.EnvelopeGuichet, models.Euros(24_000_000))
		require.Equal(t, models.EConflict, models.ErrorCode(err), "siblings and the child would exceed the parent")
		_, err = st.SetAllocation(ctx, models.EnvelopeAxe2, models.Euros(1_000_000))
		require.Equal(t, models.EConflict, models.ErrorCode(err), "a parent never holds less than its children")
		_, err = st.SetAllocation(ctx, models.EnvelopeGuichet, -1)
		require.Equal(t, models.EInvalid, models.ErrorCode(err))
		_, err = st.SetAllocation(ctx, "nope", 1)
		require.Equal(t, models.ENotFound, models.ErrorCode(err))
		g, err = st.SetAllocation(ctx, models.EnvelopeGuichet, 400_000)
		require.NoError(t, err)
		require.EqualValues(t, 0, available(t, g))
	})
}

func TestFundAndPayAreIdempotent(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		d := newDossier(t, st, "d1", "217500016", "75")
		for range 3 {
			require.NoError(t, st.FundGuichet(ctx, d.ID, d.ApplicantSiren, models.GuichetAPI, models.EnvelopeGuichet, 500_000))
		}
		for range 2 {
			entry, err := st.Pay(ctx, d.ID, "VIR-1")
			require.NoError(t, err)
			require.EqualValues(t, 500_000, entry.AmountCents)
		}
		g, err := st.Envelope(ctx, models.EnvelopeGuichet)
		require.NoError(t, err)
		require.EqualValues(t, 0, g.ReservedCents)
		require.EqualValues(t, 500_000, g.PaidCents)
		ledger, err := st.Ledger(ctx, d.ID, "", 0, 10)
		require.NoError(t, err)
		require.Len(t, ledger, 2)

		other := newDossier(t, st, "d2", "217500016", "75")
		err = st.FundGuichet(ctx, other.ID, other.ApplicantSiren, models.GuichetAPI, models.EnvelopeGuichet, 500_000)
		require.ErrorIs(t, err, models.ErrCapReached)
		require.NoError(t, st.FundGuichet(ctx, other.ID, other.ApplicantSiren, models.GuichetFranceConnect, models.EnvelopeGuichet, 500_000),
			"the other kind has its own cap")

		_, err = st.Pay(ctx, "unknown", "VIR-2")
		require.Equal(t, models.ENotFound, models.ErrorCode(err))
	})
}

func TestEnvelopeExhausted(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		_, err := st.SetAllocation(ctx, models.EnvelopeGuichet, 700_000)
		require.NoError(t, err)
		a := newDossier(t, st, "a", "217500016", "75")
		b := newDossier(t, st, "b", "213502388", "35")
		require.NoError(t, st.FundGuichet(ctx, a.ID, a.ApplicantSiren, models.GuichetAPI, models.EnvelopeGuichet, 500_000))
		err = st.FundGuichet(ctx, b.ID, b.ApplicantSiren, models.GuichetAPI, models.EnvelopeGuichet, 500_000)
		require.ErrorIs(t, err, models.ErrEnvelopeExhausted)
		holder, err := st.GuichetGrantHolder(ctx, b.ApplicantSiren, models.GuichetAPI)
		require.NoError(t, err)
		require.Empty(t, holder, "a refused reservation leaves the cap slot free")
	})
}

func TestDossiersIdempotencyVisibilityAndPages(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		payload := json.RawMessage(`{}`)
		first, created, err := st.CreateDossier(ctx, models.Dossier{ID: "0001", Kind: models.KindGuichet, Status: models.StatusSubmitted,
			ApplicantSiren: "217500016", Departement: "75", EnvelopeCode: models.EnvelopeGuichet, Payload: payload, CreatedBy: "u"}, IdempotencyKey{Scope: "u", Key: "key-1", RequestHash: "h1"}, nil)
		require.NoError(t, err)
		require.True(t, created)
		again, created, err := st.CreateDossier(ctx, models.Dossier{ID: "0002", Kind: models.KindGuichet, Status: models.StatusSubmitted,
			ApplicantSiren: "217500016", Departement: "75", EnvelopeCode: models.EnvelopeGuichet, Payload: payload, CreatedBy: "u"}, IdempotencyKey{Scope: "u", Key: "key-1", RequestHash: "h1"}, nil)
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, first.ID, again.ID)
		newDossier(t, st, "0003", "213502388", "35")
		newDossier(t, st, "0004", "213502388", "35")

		paris := models.Principal{Subject: "p", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"}
		admin := models.Principal{Subject: "a", Roles: []models.Role{models.RoleAdmin}}
		list, err := st.ListDossiers(ctx, paris, DossierFilter{Limit: 10})
		require.NoError(t, err)
		require.Len(t, list, 1)
		list, err = st.ListDossiers(ctx, models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}, DossierFilter{Limit: 10})
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.Equal(t, "0004", list[0].ID, "newest first")
		page, err := st.ListDossiers(ctx, admin, DossierFilter{Limit: 2})
		require.NoError(t, err)
		require.Equal(t, []string{"0004", "0003"}, []string{page[0].ID, page[1].ID})
		page, err = st.ListDossiers(ctx, admin, DossierFilter{Limit: 2, After: "0003"})
		require.NoError(t, err)
		require.Len(t, page, 1)
		list, err = st.ListDossiers(ctx, models.Principal{Subject: "j", Roles: []models.Role{models.RoleJury}}, DossierFilter{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, list, "no scope sees nothing")

		require.NoError(t, st.SetDossierStatus(ctx, "0003", StatusChange{Status: models.StatusIncomplete,
			MissingItems: []models.ChecklistItem{{Key: "k", Label: "l"}}}))
		list, err = st.ListDossiers(ctx, admin, DossierFilter{Status: string(models.StatusIncomplete), Limit: 10})
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, "k", list[0].MissingItems[0].Key)

		require.NoError(t, st.DeleteDossier(ctx, first.ID))
		_, err = st.Dossier(ctx, first.ID)
		require.Equal(t, models.ENotFound, models.ErrorCode(err))
		reused, created, err := st.CreateDossier(ctx, models.Dossier{ID: "0005", Kind: models.KindGuichet, Status: models.StatusSubmitted,
			ApplicantSiren: "217500016", EnvelopeCode: models.EnvelopeGuichet, Payload: payload, CreatedBy: "u"}, IdempotencyKey{Scope: "u", Key: "key-1", RequestHash: "h1"}, nil)
		require.NoError(t, err)
		require.True(t, created, "a deleted dossier frees its idempotency key")
		require.Equal(t, "0005", reused.ID)
	})
}

func TestTasksInboxAndAudit(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		d := newDossier(t, st, "d1", "217500016", "75")
		task := models.Task{ID: models.TaskID(d.ID, models.TaskDisbursement, 0), DossierID: d.ID, Type: models.TaskDisbursement,
			Role: models.RoleFinance, Scope: models.ScopeNational}
		require.NoError(t, st.CreateTask(ctx, task))
		require.NoError(t, st.CreateTask(ctx, task), "a retried creation changes nothing")

		fin := models.Principal{Subject: "f", Roles: []models.Role{models.RoleFinance}}
		inst := models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"75"}}
		inbox, err := st.Inbox(ctx, fin, TaskFilter{Limit: 10})
		require.NoError(t, err)
		require.Len(t, inbox, 1)
		inbox, err = st.Inbox(ctx, inst, TaskFilter{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, inbox, "an instructor does not see finance tasks")

		require.NoError(t, st.CloseTask(ctx, task.ID, "f", "paid", "", json.RawMessage(`{"reference":"VIR"}`)))
		require.NoError(t, st.CloseTask(ctx, task.ID, "f", "paid", "", nil), "closing again is harmless")
		got, err := st.Task(ctx, task.ID)
		require.NoError(t, err)
		require.Equal(t, models.TaskDone, got.Status)
		require.JSONEq(t, `{"reference":"VIR"}`, string(got.Data), "the first closing wins")
		require.Equal(t, models.ENotFound, models.ErrorCode(st.CloseTask(ctx, "missing", "f", "paid", "", nil)))
		inbox, err = st.Inbox(ctx, fin, TaskFilter{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, inbox)

		for range 2 {
			require.NoError(t, st.Audit(ctx, "d1/paid", models.AuditEvent{DossierID: d.ID, Actor: "f", Action: "paid"}))
		}
		trail, err := st.AuditTrail(ctx, d.ID)
		require.NoError(t, err)
		require.Len(t, trail, 1)
	})
}

func TestIdempotencyKeyWithAnotherRequest(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		d := models.Dossier{ID: "0001", Kind: models.KindGuichet, Status: models.StatusSubmitted, ApplicantSiren: "217500016",
			EnvelopeCode: models.EnvelopeGuichet, Payload: json.RawMessage(`{}`), CreatedBy: "u"}
		_, created, err := st.CreateDossier(ctx, d, IdempotencyKey{Scope: "u 217500016", Key: "k", RequestHash: "h1"}, nil)
		require.NoError(t, err)
		require.True(t, created)
		d.ID = "0002"
		_, _, err = st.CreateDossier(ctx, d, IdempotencyKey{Scope: "u 217500016", Key: "k", RequestHash: "h2"}, nil)
		require.Equal(t, models.EIdempotencyKeyReused, models.ErrorCode(err))
		require.Contains(t, err.Error(), `"k"`)
		other, created, err := st.CreateDossier(ctx, d, IdempotencyKey{Scope: "u 213502388", Key: "k", RequestHash: "h2"}, nil)
		require.NoError(t, err)
		require.True(t, created, "the same key in another scope files anew")
		require.Equal(t, "0002", other.ID)
	})
}

func TestUnstartedDossiers(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		clock := t0
		st.now = func() time.Time { return clock }
		newDossier(t, st, "old", "217500016", "75")
		newDossier(t, st, "started", "217500016", "75")
		require.NoError(t, st.MarkProcessStarted(ctx, "started"))
		require.NoError(t, st.MarkProcessStarted(ctx, "started"), "marking twice is harmless")
		_, _, err := st.CreateDossier(ctx, models.Dossier{ID: "draft", Kind: models.KindAAP, Status: models.StatusDraft, ApplicantSiren: "217500016",
			EnvelopeCode: models.EnvelopeGuichet, Payload: json.RawMessage(`{}`), CreatedBy: "u"}, IdempotencyKey{}, nil)
		require.NoError(t, err)
		clock = t0.Add(time.Minute)
		newDossier(t, st, "recent", "217500016", "75")

		ids := func(before time.Time, limit int) []string {
			list, err := st.UnstartedDossiers(ctx, before, limit)
			require.NoError(t, err)
			out := []string{}
			for _, d := range list {
				require.Nil(t, d.ProcessStartedAt)
				out = append(out, d.ID)
			}
			return out
		}
		require.Equal(t, []string{"old"}, ids(t0.Add(30*time.Second), 10), "neither started, nor a draft, nor within the grace period")
		require.Equal(t, []string{"old", "recent"}, ids(t0.Add(2*time.Minute), 10), "oldest first")
		require.Equal(t, []string{"old"}, ids(t0.Add(2*time.Minute), 1), "a bounded batch")

		d, err := st.Dossier(ctx, "started")
		require.NoError(t, err)
		require.Equal(t, t0, d.ProcessStartedAt.UTC())
		// A submitted draft waits its grace period from its submission.
		clock = t0.Add(time.Hour)
		_, err = st.SubmitDraft(ctx, "draft")
		require.NoError(t, err)
		require.NotContains(t, ids(t0.Add(time.Hour), 10), "draft")
		require.Contains(t, ids(t0.Add(time.Hour+time.Second), 10), "draft")
	})
}
