// Package store keeps the case data and the money in a relational database through GORM:
// SQLite embedded by default, PostgreSQL in production. Every money movement is one
// conditional update keyed by dossier and step, so a retried call never moves money twice.
package store

import (
	"context"
	"errors"
	"fmt"
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
		dialector = postgres.Open(databaseURL)
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
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
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

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
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
