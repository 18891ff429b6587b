// Package storetest gives tests real, migrated databases: a fresh SQLite file always, and a fresh
// PostgreSQL schema whenever MINSIDE_TEST_POSTGRES_DSN is set (CI sets it), so the same test
// proves the same behaviour on both engines.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"minside/backend/internal/store"
)

// PostgresDSNEnv names the variable holding a PostgreSQL URL for tests.
const PostgresDSNEnv = "MINSIDE_TEST_POSTGRES_DSN"

// Each runs fn as a subtest named "sqlite", and as one named "postgres" when PostgreSQL is
// configured, each on a fresh migrated database. The subtest names let `make test` count how many
// store tests ran on each engine.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if os.Getenv(PostgresDSNEnv) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// URLs returns a fresh MINSIDE_DATABASE_URL per configured engine, unmigrated, for tests that
// start the whole server.
func URLs(t *testing.T) map[store.Kind]string {
	t.Helper()
	urls := map[store.Kind]string{store.SQLite: "sqlite:" + filepath.Join(t.TempDir(), "minside.db")}
	if os.Getenv(PostgresDSNEnv) != "" {
		urls[store.Postgres] = PostgresURL(t)
	}
	return urls
}

// SQLite opens a migrated database in a temporary folder.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "minside.db"))
}

// Postgres opens a migrated database in a new schema that is dropped when the test ends.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, PostgresURL(t))
}

// PostgresURL creates an empty schema and returns a URL whose search_path points at it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresDSNEnv)
	if base == "" {
		t.Fatalf("storetest: %s is not set", PostgresDSNEnv)
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, base)
	if err != nil {
		t.Fatalf("storetest: connect to postgres: %v", err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	schema := "test_" + randomHex(t, 8)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("storetest: drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: parse %s: %v", PostgresDSNEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, databaseURL string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, databaseURL)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return db
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("storetest: random: %v", err)
	}
	return hex.EncodeToString(b)
}
