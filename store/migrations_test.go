package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
)

// emptyStores returns an unmigrated SQLite store and, when configured, an unmigrated
// PostgreSQL one in a schema of its own, with the URL each was opened with.
func emptyStores(t *testing.T) map[string]string {
	t.Helper()
	urls := map[string]string{"sqlite": filepath.Join(t.TempDir(), "test.db")}
	if pg := testdb.PostgresURL(t); pg != "" {
		urls["postgres"] = pg
	}
	return urls
}

func openEmpty(t *testing.T, url string) *Store {
	t.Helper()
	st, err := Open(url)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

// migrationFileCount is the number of versions shipped.
func migrationFileCount(t *testing.T) int { return len(migrationVersions(t)) }

// migrationVersions lists the shipped versions in order. They need not be contiguous:
// branches number theirs in their own ranges until they are merged.
func migrationVersions(t *testing.T) []int64 {
	t.Helper()
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	require.NoError(t, err)
	var versions []int64
	for _, f := range files {
		prefix, _, _ := strings.Cut(path.Base(f), "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		require.NoError(t, err, f)
		if !slices.Contains(versions, v) {
			versions = append(versions, v)
		}
	}
	require.NotEmpty(t, versions)
	slices.Sort(versions)
	return versions
}

// recordedVersions counts goose's records of each applied version.
func recordedVersions(t *testing.T, st *Store) map[int64]int {
	t.Helper()
	var rows []struct {
		VersionID int64
		N         int
	}
	require.NoError(t, st.db.Raw("SELECT version_id, COUNT(*) AS n FROM goose_db_version WHERE version_id > 0 AND is_applied GROUP BY version_id").Scan(&rows).Error)
	out := map[int64]int{}
	for _, r := range rows {
		out[r.VersionID] = r.N
	}
	return out
}

// requireAllAppliedOnce checks that goose recorded each shipped version exactly once.
func requireAllAppliedOnce(t *testing.T, st *Store) {
	t.Helper()
	want := map[int64]int{}
	for _, v := range migrationVersions(t) {
		want[v] = 1
	}
	require.Equal(t, want, recordedVersions(t, st))
}

func TestMigrateFromEmptyThenAgainIsANoOp(t *testing.T) {
	for name, url := range emptyStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := openEmpty(t, url)

			before, err := st.Migrations(ctx)
			require.NoError(t, err)
			versions := migrationVersions(t)
			require.Len(t, before, len(versions))
			for i, m := range before {
				require.Equal(t, versions[i], m.Version)
				require.False(t, m.Applied, "version %d on an empty database", m.Version)
				require.True(t, m.AppliedAt.IsZero())
			}
			require.Equal(t, "registry_envelopes_ledger", before[0].Name)

			require.NoError(t, st.Migrate(ctx))
			requireAllAppliedOnce(t, st)
			after, err := st.Migrations(ctx)
			require.NoError(t, err)
			for _, m := range after {
				require.True(t, m.Applied, "version %d", m.Version)
				require.WithinDuration(t, time.Now(), m.AppliedAt, 24*time.Hour, "version %d applied at", m.Version)
			}
			// The schema works: the dialect's types were substituted.
			require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
			var n int64
			require.NoError(t, st.db.Table("notifications").Count(&n).Error)

			require.NoError(t, st.Migrate(ctx))
			requireAllAppliedOnce(t, st)
		})
	}
}

// legacyMigrate does what the runner before goose did: record each version it applies,
// up to upTo, in schema_migrations, running the same SQL statement by statement.
func legacyMigrate(t *testing.T, st *Store, upTo int, appliedAt time.Time) {
	t.Helper()
	fsys, err := fs.Sub(migrationFiles, "migrations")
	require.NoError(t, err)
	require.NoError(t, st.db.Exec(st.dialectFS(fsys).types.Replace(`CREATE TABLE schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at {{ts}} NOT NULL)`)).Error)
	files, err := fs.Glob(st.dialectFS(fsys), "*.sql")
	require.NoError(t, err)
	for i, name := range files[:upTo] {
		b, err := fs.ReadFile(st.dialectFS(fsys), name)
		require.NoError(t, err)
		for stmt := range strings.SplitSeq(string(b), ";\n") {
			if strings.TrimSpace(stripSQLComments(stmt)) != "" {
				require.NoError(t, st.db.Exec(stmt).Error, "%s: %s", name, stmt)
			}
		}
		require.NoError(t, st.db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			migrationVersions(t)[i], name, appliedAt).Error)
	}
}

func stripSQLComments(stmt string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(stmt, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// TestMigrateAdoptsTheOldRunner upgrades databases that the runner before goose migrated:
// what it applied is not applied again (it would fail: the tables exist), the rows are
// kept, and the later versions are applied.
func TestMigrateAdoptsTheOldRunner(t *testing.T) {
	appliedAt := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	for name, url := range emptyStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := openEmpty(t, url)
			legacyMigrate(t, st, 2, appliedAt)
			require.NoError(t, st.db.Exec("INSERT INTO envelopes (code, label, allocated_cents, updated_at) VALUES ('fund', 'Fonds', 100, ?)", appliedAt).Error)

			status, err := st.Migrations(ctx)
			require.NoError(t, err)
			for _, m := range status {
				require.Equal(t, m.Version <= 2, m.Applied, "version %d", m.Version)
				if m.Applied {
					require.True(t, appliedAt.Equal(m.AppliedAt), "version %d applied at %v, the old runner said %v", m.Version, m.AppliedAt, appliedAt)
				}
			}

			require.NoError(t, st.Migrate(ctx))
			requireAllAppliedOnce(t, st)
			var label string
			require.NoError(t, st.db.Raw("SELECT label FROM envelopes WHERE code = 'fund'").Scan(&label).Error)
			require.Equal(t, "Fonds", label)
			var n int64
			require.NoError(t, st.db.Table("calls").Count(&n).Error, "version 3 applied")
			require.NoError(t, st.Migrate(ctx))
			requireAllAppliedOnce(t, st)
		})
	}
}

func TestMigrateAdoptsAFullyMigratedOldDatabase(t *testing.T) {
	for name, url := range emptyStores(t) {
		t.Run(name, func(t *testing.T) {
			st := openEmpty(t, url)
			legacyMigrate(t, st, migrationFileCount(t), time.Now().UTC())
			require.NoError(t, st.Migrate(context.Background()))
			requireAllAppliedOnce(t, st)
		})
	}
}

// TestConcurrentMigrationsTakeTurns opens many stores on one empty database and migrates
// them all at once, as api and worker replicas starting together do: every one succeeds
// and each version is applied once. Without the migration lock they fail on the tables
// and types another runner is creating.
func TestConcurrentMigrationsTakeTurns(t *testing.T) {
	const runners = 8
	for name, url := range emptyStores(t) {
		t.Run(name, func(t *testing.T) {
			stores := make([]*Store, runners)
			for i := range stores {
				stores[i] = openEmpty(t, url)
			}
			errs := make([]error, runners)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, st := range stores {
				wg.Go(func() {
					<-start
					errs[i] = st.Migrate(context.Background())
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				require.NoError(t, err, fmt.Sprintf("runner %d", i))
			}
			requireAllAppliedOnce(t, stores[0])
		})
	}
}

// TestExclusivelyTakesTurns runs work under one named lock from many stores at once:
// never two at a time.
func TestExclusivelyTakesTurns(t *testing.T) {
	const runners = 6
	for name, url := range emptyStores(t) {
		t.Run(name, func(t *testing.T) {
			var (
				mu           sync.Mutex
				inside, most int
				wg           sync.WaitGroup
				errs         = make([]error, runners)
				stores       = make([]*Store, runners)
				start        = make(chan struct{})
				holdFor      = 30 * time.Millisecond
			)
			for i := range stores {
				stores[i] = openEmpty(t, url)
			}
			for i, st := range stores {
				wg.Go(func() {
					<-start
					errs[i] = st.Exclusively(context.Background(), "test", func(context.Context) error {
						mu.Lock()
						inside++
						most = max(most, inside)
						mu.Unlock()
						time.Sleep(holdFor)
						mu.Lock()
						inside--
						mu.Unlock()
						return nil
					})
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				require.NoError(t, err, "runner %d", i)
			}
			require.Equal(t, 1, most, "runners inside the lock at once")
		})
	}
}

// TestDialectFiles runs a version written once with the type placeholders and a version
// written per dialect: each database gets the common one and its own.
func TestDialectFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"00001_common.sql":           {Data: []byte("-- +goose Up\nCREATE TABLE common (id {{id}}, at {{ts}} NOT NULL);\n")},
		"00002_differs.postgres.sql": {Data: []byte("-- +goose Up\nCREATE TABLE only_postgres (x INTEGER);\n")},
		"00002_differs.sqlite.sql":   {Data: []byte("-- +goose Up\nCREATE TABLE only_sqlite (x INTEGER);\n")},
	}
	for name, url := range emptyStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := openEmpty(t, url)
			p, err := st.provider(ctx, fsys)
			require.NoError(t, err)
			results, err := p.Up(ctx)
			require.NoError(t, err)
			require.Len(t, results, 2)
			require.Equal(t, "00002_differs."+st.Dialect()+".sql", results[1].Source.Path)
			list, err := migrationList(ctx, p)
			require.NoError(t, err)
			require.Len(t, list, 2)
			require.Equal(t, []string{"common", "differs"}, []string{list[0].Name, list[1].Name})
			require.True(t, list[0].Applied && list[1].Applied)

			require.NoError(t, st.db.Exec("INSERT INTO common (at) VALUES (?)", time.Now()).Error)
			var at time.Time
			require.NoError(t, st.db.Raw("SELECT at FROM common WHERE id = 1").Scan(&at).Error, "an id and a time column")
			require.WithinDuration(t, time.Now(), at, time.Minute)
			var n int64
			require.NoError(t, st.db.Table("only_"+st.Dialect()).Count(&n).Error)
			other := map[string]string{"sqlite": "only_postgres", "postgres": "only_sqlite"}[st.Dialect()]
			require.Error(t, st.db.Table(other).Count(&n).Error, "the other dialect's file is not applied")
		})
	}
}

// TestMigrateRebuildsAnIndexWhoseConcurrentBuildFailed plays a CREATE INDEX CONCURRENTLY
// that failed on PostgreSQL: its version is not recorded and the index is left INVALID.
// Migrate refuses, naming it (IF NOT EXISTS would keep the broken index); once it is
// dropped, Migrate builds it again, valid, and the inbox plans on it.
func TestMigrateRebuildsAnIndexWhoseConcurrentBuildFailed(t *testing.T) {
	url := testdb.PostgresURL(t)
	if url == "" {
		return
	}
	ctx := context.Background()
	st := openEmpty(t, url)
	require.NoError(t, st.Migrate(ctx))
	all, err := st.Migrations(ctx)
	require.NoError(t, err)
	var version int64
	for _, m := range all {
		if m.Name == "inbox_newest_covers_due" {
			version = m.Version
		}
	}
	require.NotZero(t, version)

	// The build fails as a unique index over duplicates does, and leaves the index INVALID.
	require.NoError(t, st.db.Exec("DROP INDEX tasks_open_newest_due").Error)
	require.NoError(t, st.db.Exec("DELETE FROM "+goose.DefaultTablename+" WHERE version_id >= ?", version).Error)
	newDossier(t, st, "d", "217500016", "75")
	for i := range 2 {
		require.NoError(t, st.CreateTask(ctx, models.Task{ID: fmt.Sprintf("d.t%d", i), DossierID: "d", Type: models.TaskDisbursement,
			Role: models.RoleFinance, Scope: models.ScopeNational}))
	}
	require.Error(t, st.db.Exec("CREATE UNIQUE INDEX CONCURRENTLY tasks_open_newest_due ON tasks (role)").Error)

	err = st.Migrate(ctx)
	require.ErrorContains(t, err, "index tasks_open_newest_due is INVALID")
	require.ErrorContains(t, err, "DROP INDEX CONCURRENTLY tasks_open_newest_due")

	require.NoError(t, st.db.Exec("DROP INDEX CONCURRENTLY tasks_open_newest_due").Error)
	require.NoError(t, st.Migrate(ctx))
	requireAllAppliedOnce(t, st)
	var valid bool
	require.NoError(t, st.db.Raw(`SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relname = 'tasks_open_newest_due' AND c.relnamespace = current_schema()::regnamespace`).Scan(&valid).Error)
	require.True(t, valid, "tasks_open_newest_due built again")
}

// migrateUpToBefore applies every migration before the one named name, so that a test can
// put rows there as an earlier relance left them; it returns that migration's version.
func migrateUpToBefore(t *testing.T, st *Store, name string) int64 {
	t.Helper()
	ctx := context.Background()
	p, err := st.migrationProvider(ctx)
	require.NoError(t, err)
	all, err := st.Migrations(ctx)
	require.NoError(t, err)
	var before int64
	for _, m := range all {
		if m.Name == name {
			_, err = p.UpTo(ctx, before)
			require.NoError(t, err)
			return m.Version
		}
		before = m.Version
	}
	t.Fatalf("no migration named %s", name)
	return 0
}
