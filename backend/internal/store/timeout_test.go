package store_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestWithTimeoutBoundsTheDatabaseToo: a database opened for a request deadline keeps to it on the
// server side as well (PostgreSQL's statement_timeout, SQLite's wait for the write lock), migrates
// regardless, and what such a bound answers counts as "unavailable".
func TestWithTimeoutBoundsTheDatabaseToo(t *testing.T) {
	const deadline = 300 * time.Millisecond
	for kind, url := range storetest.URLs(t) {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, url, store.WithTimeout(deadline))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = db.Close() }()
			if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if kind == store.Postgres {
				var setting string
				if err := db.QueryRowContext(ctx, "SHOW statement_timeout").Scan(&setting); err != nil || setting != "3s" {
					t.Fatalf("statement_timeout %q (%v), want 3s", setting, err)
				}
				_, err = db.ExecContext(ctx, "SELECT pg_sleep(5)")
			} else {
				holder, herr := db.DB.DB.Conn(ctx)
				if herr != nil {
					t.Fatal(herr)
				}
				defer func() { _ = holder.Close() }()
				if _, herr := holder.ExecContext(ctx, "BEGIN IMMEDIATE"); herr != nil {
					t.Fatal(herr)
				}
				defer func() { _, _ = holder.ExecContext(ctx, "ROLLBACK") }()
				_, err = db.ExecContext(ctx, "INSERT INTO rate_limits (bucket, window_start, count) VALUES ('k', '2026-01-01', 1)")
			}
			took := time.Since(start)
			if err == nil || !store.Unavailable(err) {
				t.Fatalf("after %s: %v, want an unavailable error", took, err)
			}
			t.Logf("%s: %v after %s", kind, err, took.Round(time.Millisecond))
		})
	}
}
