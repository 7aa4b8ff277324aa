//go:build unix

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/pressly/goose/v3/lock"
)

// fileLocker is a lock on a SQLite database: SQLite has no advisory locks, so runners on
// one machine (the only ones that share a SQLite file) take an exclusive flock on a file
// next to the database. The system drops it if the process dies.
type fileLocker struct {
	path string
	f    *os.File
}

func newFileLocker(dbPath, name string) lock.SessionLocker {
	if dbPath == "" || strings.Contains(dbPath, ":memory:") {
		// An in-memory database belongs to one process: nobody to wait for.
		return noLocker{}
	}
	return &fileLocker{path: dbPath + "." + name + "-lock"}
}

func (l *fileLocker) SessionLock(ctx context.Context, _ *sql.Conn) error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("open the lock file: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			l.f = f
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return fmt.Errorf("lock %s: %w", l.path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return fmt.Errorf("wait for the lock %s: %w", l.path, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (l *fileLocker) SessionUnlock(context.Context, *sql.Conn) error {
	if l.f == nil {
		return nil
	}
	// Closing the file releases the lock.
	err := l.f.Close()
	l.f = nil
	return err
}

type noLocker struct{}

func (noLocker) SessionLock(context.Context, *sql.Conn) error   { return nil }
func (noLocker) SessionUnlock(context.Context, *sql.Conn) error { return nil }
