// Package testdb gives each test a PostgreSQL schema of its own, so store and end-to-end
// tests run against the real database without seeing each other's rows.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresURL returns a URL to a fresh schema in TEST_DATABASE_URL's database, dropped
// when the test ends, or "" when TEST_DATABASE_URL is unset. With REQUIRE_POSTGRES set, a
// missing TEST_DATABASE_URL fails the test instead: CI must not skip these silently.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("REQUIRE_POSTGRES") != "" {
			t.Fatal("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not: the PostgreSQL tests cannot be skipped")
		}
		t.Log("TEST_DATABASE_URL not set: PostgreSQL variant skipped")
		return ""
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to TEST_DATABASE_URL: %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		_ = conn.Close(context.Background())
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
