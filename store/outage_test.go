package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
)

// sqliteError stands for the SQLite driver's error, which carries the result code.
type sqliteError int

func (e sqliteError) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e sqliteError) Code() int     { return int(e) }

func TestClassifyTellsAnOutageFromARefusal(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead.Close()
	_, connectErr := pgconn.Connect(context.Background(), "postgres://nobody:secret@"+dead.Addr().String()+"/db?connect_timeout=2")
	var ce *pgconn.ConnectError
	require.ErrorAs(t, connectErr, &ce)
	for _, c := range []struct {
		name   string
		err    error
		outage bool
	}{
		{"connection refused", refused, true},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{"pgx connect error", connectErr, true},
		{"EOF on a broken connection", fmt.Errorf("failed to receive message: %w", io.ErrUnexpectedEOF), true},
		{"EOF", io.EOF, true},
		{"connection closed", pgconn.ErrConnClosed, true},
		{"bad connection", driver.ErrBadConn, true},
		{"no connection in time", fmt.Errorf("acquire: %w", context.DeadlineExceeded), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, true},
		{"cannot connect now", &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"SQLite busy", sqliteError(5), true},
		{"SQLite busy snapshot", sqliteError(517), true},
		{"SQLite locked", sqliteError(6), true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"wrong password", &pgconn.PgError{Code: "28P01"}, false},
		{"SQLite constraint", sqliteError(2067), false},
		{"not found", gorm.ErrRecordNotFound, false},
		{"client gone", context.Canceled, false},
		{"domain error", models.Errorf(models.EConflict, "no"), false},
		{"a bug", errors.New("sql: converting argument"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := classify(c.err)
			require.ErrorIs(t, got, c.err, "the cause is kept")
			if !c.outage {
				require.Equal(t, c.err, got)
				return
			}
			require.ErrorIs(t, got, models.ErrDatabaseUnavailable)
			require.Equal(t, models.EUnavailable, models.ErrorCode(got))
			require.Equal(t, got, classify(got), "classifying twice wraps once")
		})
	}
}

// TestPostgresOutageIsUnavailableThenRecovers cuts the store off PostgreSQL with a TCP
// proxy: every kind of call answers ErrDatabaseUnavailable during the cut, nothing is
// half-written, and the same *Store works again once the proxy is restored.
func TestPostgresOutageIsUnavailableThenRecovers(t *testing.T) {
	dsn := testdb.PostgresURL(t)
	if dsn == "" {
		t.Skip("needs PostgreSQL")
	}
	proxy, viaProxy := testdb.ThroughProxy(t, dsn)
	st, err := Open(viaProxy)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	require.NoError(t, st.Migrate(ctx))
	d := newDossier(t, st, "d-outage", "217500016", "75")
	dossiers := func() int {
		list, err := st.ListDossiers(ctx, models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}, DossierFilter{Limit: 100})
		require.NoError(t, err)
		return len(list)
	}

	calls := []struct {
		name string
		call func(attempt int) error
	}{
		{"ping", func(int) error { return st.Ping(ctx) }},
		{"read", func(int) error { _, err := st.Dossier(ctx, d.ID); return err }},
		{"sign-in read", func(int) error { _, err := st.Access(ctx, "agent-1"); return err }},
		{"list", func(int) error {
			_, err := st.ListDossiers(ctx, models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}, DossierFilter{Limit: 10})
			return err
		}},
		{"write", func(int) error { return st.SetDossierStatus(ctx, d.ID, StatusChange{Status: models.StatusChecking}) }},
		{"transaction", func(attempt int) error {
			_, created, err := st.CreateDossier(ctx, models.Dossier{ID: fmt.Sprintf("d-tx-%d", attempt), Kind: models.KindGuichet,
				Status: models.StatusSubmitted, ApplicantSiren: "213502388", EnvelopeCode: models.EnvelopeGuichet, CreatedBy: "test"}, IdempotencyKey{Scope: "test", Key: "key-during-cut"}, nil)
			if err == nil && !created {
				return errors.New("the key was recorded during the cut")
			}
			return err
		}},
	}

	proxy.Cut()
	for i, c := range calls {
		start := time.Now()
		err := c.call(i)
		took := time.Since(start)
		require.ErrorIs(t, err, models.ErrDatabaseUnavailable, "%s: %v", c.name, err)
		require.Equal(t, "the database is unavailable, retry shortly", models.ErrorMessage(err))
		require.NotContains(t, models.ErrorMessage(err), proxy.Addr(), "the message names no host")
		t.Logf("%s during the cut, answered in %v: %v", c.name, took.Round(time.Millisecond), err)
	}

	require.NoError(t, proxy.Restore())
	restored := time.Now()
	attempts := 0
	require.Eventually(t, func() bool { attempts++; return st.Ping(ctx) == nil }, 10*time.Second, 10*time.Millisecond)
	t.Logf("the same store answered %v after the restore (%d attempts)", time.Since(restored).Round(time.Millisecond), attempts)
	for i, c := range calls {
		require.NoError(t, c.call(len(calls)+i), c.name)
	}
	require.Equal(t, 2, dossiers(), "one dossier before the cut, one filed after: the cut one left nothing")

	t.Run("cut inside a transaction", func(t *testing.T) {
		err := st.inTx(ctx, func(tx *gorm.DB) error {
			if err := tx.Create(&dossierRow{ID: "d-half", Kind: string(models.KindGuichet), Status: string(models.StatusSubmitted)}).Error; err != nil {
				return err
			}
			proxy.Cut()
			return tx.Model(&dossierRow{}).Where("id = ?", "d-half").Update("status", string(models.StatusChecking)).Error
		})
		require.ErrorIs(t, err, models.ErrDatabaseUnavailable)
		t.Logf("cut between two statements of a transaction: %v", err)
		require.NoError(t, proxy.Restore())
		_, err = st.Dossier(ctx, "d-half")
		require.Equal(t, models.ENotFound, models.ErrorCode(err), "the first statement was rolled back: %v", err)
		require.Equal(t, 2, dossiers())
	})

	t.Run("backend terminated by the server", func(t *testing.T) {
		err := st.db.WithContext(ctx).Exec("SELECT pg_terminate_backend(pg_backend_pid())").Error
		require.ErrorIs(t, err, models.ErrDatabaseUnavailable)
		var pgErr *pgconn.PgError
		require.ErrorAs(t, err, &pgErr)
		require.Equal(t, "57P01", pgErr.Code)
		_, err = st.Dossier(ctx, d.ID)
		require.NoError(t, err, "the pool dropped the terminated connection")
	})
}

// TestSQLiteBusyIsUnavailable holds SQLite's write lock from another connection: the
// store's writes answer ErrDatabaseUnavailable once its busy timeout runs out, and work
// again when the lock is released.
func TestSQLiteBusyIsUnavailable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	st, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	d := newDossier(t, st, "d-busy", "217500016", "75")
	// The store has one connection: make it wait 100 ms for a lock rather than 10 s.
	require.NoError(t, st.db.Exec("PRAGMA busy_timeout = 100").Error)

	other, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { other.Close() })
	sqlDB, err := other.db.DB()
	require.NoError(t, err)
	holder, err := sqlDB.Conn(ctx)
	require.NoError(t, err)
	defer holder.Close()
	_, err = holder.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)

	err = st.SetDossierStatus(ctx, d.ID, StatusChange{Status: models.StatusChecking})
	require.ErrorIs(t, err, models.ErrDatabaseUnavailable, "a statement: %v", err)
	require.True(t, strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy"), err.Error())
	_, _, err = st.CreateDossier(ctx, models.Dossier{ID: "d-busy-2", Kind: models.KindGuichet, Status: models.StatusSubmitted,
		ApplicantSiren: "213502388", EnvelopeCode: models.EnvelopeGuichet, CreatedBy: "test"}, IdempotencyKey{Scope: "test", Key: "k"}, nil)
	require.ErrorIs(t, err, models.ErrDatabaseUnavailable, "a transaction: %v", err)
	t.Logf("while another connection holds the write lock: %v", err)

	_, err = holder.ExecContext(ctx, "ROLLBACK")
	require.NoError(t, err)
	require.NoError(t, st.SetDossierStatus(ctx, d.ID, StatusChange{Status: models.StatusChecking}))
}

// TestSilentDatabaseTimesOut points the store at a server that accepts connections and
// never answers, as a host behind a dropped route or a hung PostgreSQL would: connecting
// gives up after the default connect timeout instead of waiting for ever.
func TestSilentDatabaseTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		st, err := Open("postgres://relance:secret@" + ln.Addr().String() + "/relance?sslmode=disable")
		if err == nil {
			st.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
		require.NotContains(t, err.Error(), "secret")
		t.Logf("a silent database was given up after %v: %v", time.Since(start).Round(100*time.Millisecond), err)
	case <-time.After(30 * time.Second):
		t.Fatal("connecting to a silent database hangs")
	}
}
