package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles are the schema's versions, NNNNN_name.sql, applied in order by goose. Each
// is written once for SQLite and PostgreSQL: {{id}} and {{ts}} stand for the types that
// differ, and are replaced for the dialect in use when goose reads the file. A version
// whose SQL must differ further comes as two files, NNNNN_name.postgres.sql and
// NNNNN_name.sqlite.sql, and each dialect sees its own. Never edit one that has shipped:
// add another.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// legacyTable is where the runner before goose recorded the versions it applied.
const legacyTable = "schema_migrations"

// lockWait bounds how long a runner waits for a lock another holds.
const lockWait = 10 * time.Minute

// Migration is one version of the schema and whether this database has it.
type Migration struct {
	Version   int64
	Name      string // the file's name without its version and extension
	Applied   bool
	AppliedAt time.Time // zero while pending
}

// Migrate applies every pending migration, each in its own transaction (except those
// marked "-- +goose NO TRANSACTION", which build indexes CONCURRENTLY on PostgreSQL),
// holding the migration lock (on PostgreSQL a session-level advisory lock, on SQLite an
// flock on a file next to the database): runners started together take turns, and the
// later ones find nothing left to do. A database migrated by the runner before goose has
// its versions adopted first, so they are not applied again; a schema holding an index
// left INVALID by a failed concurrent build is refused, naming it.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.migrationProvider(ctx)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Migrations lists every migration with its state in this database, taking the migration
// lock like Migrate (and adopting the versions of the runner before goose likewise).
func (s *Store) Migrations(ctx context.Context) ([]Migration, error) {
	p, err := s.migrationProvider(ctx)
	if err != nil {
		return nil, err
	}
	return migrationList(ctx, p)
}

func migrationList(ctx context.Context, p *goose.Provider) ([]Migration, error) {
	status, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]Migration, len(status))
	for i, m := range status {
		_, name, _ := strings.Cut(strings.TrimSuffix(path.Base(m.Source.Path), ".sql"), "_")
		name = strings.TrimSuffix(strings.TrimSuffix(name, ".postgres"), ".sqlite")
		out[i] = Migration{Version: m.Source.Version, Name: name, Applied: m.State == goose.StateApplied, AppliedAt: m.AppliedAt}
	}
	return out, nil
}

func (s *Store) migrationProvider(ctx context.Context) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return s.provider(ctx, fsys)
}

// provider runs the migrations of fsys on this database under the migration lock.
func (s *Store) provider(ctx context.Context, fsys fs.FS) (*goose.Provider, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	locker, err := s.locker(ctx, "migrations")
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectPostgres
	if s.sqlite {
		dialect = goose.DialectSQLite3
	}
	// The provider is not closed: Close would close the store's pool.
	return goose.NewProvider(dialect, sqlDB, s.dialectFS(fsys),
		goose.WithSessionLocker(preparingLocker{SessionLocker: locker, prepare: s.underMigrationLock}),
		goose.WithDisableGlobalRegistry(true))
}

// Exclusively runs fn holding the lock called name in this database, which every process
// and store using the database takes in turn (waiting up to 10 minutes for it).
func (s *Store) Exclusively(ctx context.Context, name string, fn func(context.Context) error) error {
	locker, err := s.locker(ctx, name)
	if err != nil {
		return err
	}
	var conn *sql.Conn // a PostgreSQL session lock belongs to one connection
	if !s.sqlite {
		sqlDB, err := s.db.DB()
		if err != nil {
			return err
		}
		if conn, err = sqlDB.Conn(ctx); err != nil {
			return err
		}
		defer conn.Close()
	}
	if err := locker.SessionLock(ctx, conn); err != nil {
		return fmt.Errorf("take the %s lock: %w", name, err)
	}
	err = fn(ctx)
	return errors.Join(err, locker.SessionUnlock(context.WithoutCancel(ctx), conn))
}

// locker returns the lock called name in this database. On PostgreSQL it is a
// session-level advisory lock named after the database and the schema (the search_path),
// so that each schema has its own: the tests give each test a schema in one database.
func (s *Store) locker(ctx context.Context, name string) (lock.SessionLocker, error) {
	if s.sqlite {
		return newFileLocker(s.path, name), nil
	}
	var where string
	if err := s.db.WithContext(ctx).Raw("SELECT current_database() || '.' || current_schema()").Scan(&where).Error; err != nil {
		return nil, fmt.Errorf("name the %s lock: %w", name, err)
	}
	h := fnv.New64a()
	h.Write([]byte("relance " + name + " " + where))
	return lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64())),
		lock.WithLockTimeout(1, uint64(lockWait/time.Second)))
}

// dialectFS shows goose the migration files of fsys as this database's dialect reads them.
func (s *Store) dialectFS(fsys fs.FS) dialectFS {
	id, ts, other := "BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ", "sqlite"
	if s.sqlite {
		// TIMESTAMP (not TIMESTAMPTZ) is the declared type the SQLite driver reads back as time.
		id, ts, other = "INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMP", "postgres"
	}
	return dialectFS{fsys: fsys, types: strings.NewReplacer("{{id}}", id, "{{ts}}", ts), hidden: "." + other + ".sql"}
}

// dialectFS serves the migration files with their placeholders replaced, and hides the
// files written for the other dialect.
type dialectFS struct {
	fsys   fs.FS
	types  *strings.Replacer
	hidden string // the other dialect's file suffix
}

func (d dialectFS) Open(name string) (fs.File, error) {
	if strings.HasSuffix(name, d.hidden) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := d.fsys.Open(name)
	if err != nil || !strings.HasSuffix(name, ".sql") {
		return f, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return &renderedFile{Reader: strings.NewReader(d.types.Replace(string(b))), info: info}, nil
}

func (d dialectFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(d.fsys, name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return strings.HasSuffix(e.Name(), d.hidden) }), err
}

type renderedFile struct {
	*strings.Reader
	info fs.FileInfo
}

func (f *renderedFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *renderedFile) Close() error               { return nil }

// preparingLocker takes the migration lock, then runs prepare while holding it, before goose
// reads its own version table.
type preparingLocker struct {
	lock.SessionLocker
	prepare func(ctx context.Context, conn *sql.Conn) error
}

func (l preparingLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if err := l.SessionLocker.SessionLock(ctx, conn); err != nil {
		return err
	}
	if err := l.prepare(ctx, conn); err != nil {
		// goose does not unlock when locking fails, and the pool would keep the lock.
		return errors.Join(err, l.SessionUnlock(context.WithoutCancel(ctx), conn))
	}
	return nil
}

// underMigrationLock runs, holding the migration lock and before goose reads its version
// table, what must be settled first: the versions of the runner before goose are adopted,
// and an index left INVALID by a failed build is refused (see invalidIndexes).
func (s *Store) underMigrationLock(ctx context.Context, conn *sql.Conn) error {
	if err := s.adoptLegacyVersions(ctx, conn); err != nil {
		return fmt.Errorf("adopt the versions of %s: %w", legacyTable, err)
	}
	return s.invalidIndexes(ctx, conn)
}

// invalidIndexes fails naming the indexes of this schema that PostgreSQL marks INVALID. A
// migration that builds an index CONCURRENTLY (outside a transaction, so that writes go on)
// and fails or is interrupted leaves the index there, INVALID: never used, yet still
// updated by every write. Its migration is not recorded, so it runs again, but CREATE
// INDEX CONCURRENTLY IF NOT EXISTS would find the name taken and keep the broken index.
// Held under the migration lock, no other runner is building one at the time.
func (s *Store) invalidIndexes(ctx context.Context, conn *sql.Conn) error {
	if s.sqlite {
		return nil
	}
	rows, err := conn.QueryContext(ctx, `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname`)
	if err != nil {
		return fmt.Errorf("look for invalid indexes: %w", err)
	}
	var invalid []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		invalid = append(invalid, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	if len(invalid) > 0 {
		return fmt.Errorf("index %s is INVALID, left by a CREATE INDEX CONCURRENTLY that failed or was interrupted: "+
			"drop it (DROP INDEX CONCURRENTLY %s) and migrate again, which builds it again",
			strings.Join(invalid, ", "), strings.Join(invalid, ", "))
	}
	return nil
}

// adoptLegacyVersions records in goose's version table the versions that the runner before
// goose applied (with the time it applied them), once: when schema_migrations exists and
// goose has recorded no version yet. The old table is left as it was.
func (s *Store) adoptLegacyVersions(ctx context.Context, conn *sql.Conn) error {
	legacy, err := s.tableExists(ctx, conn, legacyTable)
	if err != nil || !legacy {
		return err
	}
	versioned, err := s.tableExists(ctx, conn, goose.DefaultTablename)
	if err != nil {
		return err
	}
	if versioned {
		var latest sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT MAX(version_id) FROM "+goose.DefaultTablename).Scan(&latest); err != nil {
			return err
		}
		if latest.Int64 > 0 {
			return nil
		}
	}
	dialect, insert := database.DialectSQLite3, "INSERT INTO "+goose.DefaultTablename+" (version_id, is_applied, tstamp) VALUES (?, ?, ?)"
	if !s.sqlite {
		dialect, insert = database.DialectPostgres, "INSERT INTO "+goose.DefaultTablename+" (version_id, is_applied, tstamp) VALUES ($1, $2, $3)"
	}
	versions, err := database.NewStore(dialect, goose.DefaultTablename)
	if err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if !versioned {
		if err := versions.CreateVersionTable(ctx, tx); err != nil {
			return err
		}
		if err := versions.Insert(ctx, tx, database.InsertRequest{Version: 0}); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, "SELECT version, applied_at FROM "+legacyTable+" ORDER BY version")
	if err != nil {
		return err
	}
	type applied struct {
		version int64
		at      time.Time
	}
	var done []applied
	for rows.Next() {
		var a applied
		if err := rows.Scan(&a.version, &a.at); err != nil {
			rows.Close()
			return err
		}
		done = append(done, a)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, a := range done {
		if _, err := tx.ExecContext(ctx, insert, a.version, true, a.at.UTC()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (s *Store) tableExists(ctx context.Context, conn *sql.Conn, table string) (bool, error) {
	q := "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)"
	if !s.sqlite {
		q = "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1)"
	}
	var exists bool
	err := conn.QueryRowContext(ctx, q, table).Scan(&exists)
	return exists, err
}
