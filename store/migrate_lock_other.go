//go:build !unix

package store

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3/lock"
)

// newFileLocker takes no lock where flock is missing: SQLite serves one process in
// development; two runners meeting on an empty file may fail, then pass when restarted.
func newFileLocker(string, string) lock.SessionLocker { return noLocker{} }

type noLocker struct{}

func (noLocker) SessionLock(context.Context, *sql.Conn) error   { return nil }
func (noLocker) SessionUnlock(context.Context, *sql.Conn) error { return nil }
