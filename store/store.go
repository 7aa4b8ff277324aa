// Package store keeps the case data and the money in a relational database through GORM:
// SQLite embedded by default, PostgreSQL in production. Every money movement is one
// conditional update keyed by dossier and step, so a retried call never moves money twice.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/relance/relance/models"
)

// Store is the application database.
type Store struct {
	db     *gorm.DB
	sqlite bool
	path   string // the SQLite file
	now    func() time.Time
}

// Open connects to databaseURL: a postgres:// URL, or a SQLite file path (created with
// its folder if missing).
func Open(databaseURL string) (*Store, error) {
	var (
		dialector gorm.Dialector
		isSQLite  bool
		path      string
	)
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		u, err := url.Parse(databaseURL)
		if err != nil {
			return nil, errors.New("DATABASE_URL is not a valid URL") // the error would quote the password
		}
		// Without a connect timeout, a database host that drops packets holds each request
		// for the kernel's TCP timeout (about two minutes), and one that accepts but never
		// answers holds it for ever, instead of answering 503.
		if q := u.Query(); q.Get("connect_timeout") == "" {
			q.Set("connect_timeout", "5")
			u.RawQuery = q.Encode()
		}
		dialector = postgres.Open(u.String())
	default:
		path = strings.TrimPrefix(databaseURL, "sqlite://")
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("create database folder: %w", err)
			}
		}
		// WAL lets readers go on while one writer writes; the busy timeout queues writers.
		dialector = sqlite.Open(path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate")
		isSQLite = true
	}
	config := &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		SkipDefaultTransaction: true,
		TranslateError:         true, // through classify, so that an outage is told from a bug
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	db, err := gorm.Open(classifyingDialector{dialector}, config)
	// Processes opening a new SQLite file together (migrate, api and worker started at once)
	// race to switch it to WAL, which the busy timeout does not cover: the losers try again.
	for deadline := time.Now().Add(10 * time.Second); isSQLite && err != nil && strings.Contains(err.Error(), "SQLITE_BUSY") &&
		time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		db, err = gorm.Open(classifyingDialector{dialector}, config)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if isSQLite {
		// SQLite has one writer: one connection avoids lock upgrades failing with SQLITE_BUSY.
		sqlDB.SetMaxOpenConns(1)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		// Connections broken by a restart or a failover are dropped when next used (pgx
		// pings one idle for over a second); these bound how long the pool keeps any, so
		// that it follows the database's address after a failover.
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	return &Store{db: db, sqlite: isSQLite, path: path, now: func() time.Time { return time.Now().UTC() }}, nil
}

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks the database answers; any failure is models.ErrDatabaseUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("%w: %w", models.ErrDatabaseUnavailable, err)
	}
	return nil
}

// Dialect names the database in use, for logs.
func (s *Store) Dialect() string {
	if s.sqlite {
		return "sqlite"
	}
	return "postgres"
}

// notFound turns GORM's record-not-found into the domain's not-found error.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Errorf(models.ENotFound, format, args...)
	}
	return err
}
