package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// classifyingDialector passes every error GORM records through classify: gorm.DB.AddError
// hands each one (statements, Begin, Commit) to the dialector's Translate when the
// TranslateError option is set, so no store method has to classify its own errors.
type classifyingDialector struct{ gorm.Dialector }

// Translate replaces the wrapped dialector's translation, which the store never relied on.
func (d classifyingDialector) Translate(err error) error { return classify(err) }

// Apply forwards the wrapped dialector's configuration defaults (PostgreSQL's identifier length).
func (d classifyingDialector) Apply(c *gorm.Config) error {
	if a, ok := d.Dialector.(interface{ Apply(*gorm.Config) error }); ok {
		return a.Apply(c)
	}
	return nil
}

// SavePoint and RollbackTo forward nested transactions to the wrapped dialector.
func (d classifyingDialector) SavePoint(tx *gorm.DB, name string) error {
	if sp, ok := d.Dialector.(gorm.SavePointerDialectorInterface); ok {
		return sp.SavePoint(tx, name)
	}
	return gorm.ErrUnsupportedDriver
}

func (d classifyingDialector) RollbackTo(tx *gorm.DB, name string) error {
	if sp, ok := d.Dialector.(gorm.SavePointerDialectorInterface); ok {
		return sp.RollbackTo(tx, name)
	}
	return gorm.ErrUnsupportedDriver
}

// classify wraps the errors that say the database cannot be reached right now in
// models.ErrDatabaseUnavailable, keeping the cause for the logs: the API answers them 503
// and activities retry them. Any other error is returned as is.
func classify(err error) error {
	if err == nil || errors.Is(err, models.ErrDatabaseUnavailable) || !isOutage(err) {
		return err
	}
	return fmt.Errorf("%w: %w", models.ErrDatabaseUnavailable, err)
}

// SQLite result codes (the primary code is the low byte of an extended one).
const (
	sqliteBusy   = 5 // another connection holds the lock the statement needs
	sqliteLocked = 6 // a table is locked by the same connection's other statement
)

// isOutage tells a database that is down, restarting, unreachable or locked (which a
// retry may get past) from one that refused this statement (which it will refuse again).
func isOutage(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", // admin_shutdown: the server is stopping or the backend was terminated
			"57P02", // crash_shutdown
			"57P03", // cannot_connect_now: starting up, shutting down, in recovery
			"53300": // too_many_connections: clients reconnecting all at once after a restart
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08") // connection exception
	}
	// The glebarez/modernc SQLite driver's error carries the SQLite result code.
	var sqliteErr interface{ Code() int }
	if errors.As(err, &sqliteErr) {
		code := sqliteErr.Code() & 0xff
		return code == sqliteBusy || code == sqliteLocked
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || // no connection could be opened
		errors.As(err, &netErr) || // refused, reset, unreachable, timed out
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || // the server closed the connection
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, driver.ErrBadConn) ||
		// No connection in time: the pool is waiting on a database that does not answer.
		// A request whose client went away (context.Canceled) is not an outage.
		errors.Is(err, context.DeadlineExceeded)
}
