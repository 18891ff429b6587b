package seed

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// BenchmarkCitizens times the scale generator: each op adds 2,000 citizens with their items
// (about 140,000 rows), on SQLite and, when configured, PostgreSQL.
func BenchmarkCitizens(b *testing.B) {
	run := func(b *testing.B, db *store.DB) {
		s, _ := newSeeder(b, db)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Citizens(context.Background(), 2000, ScaleOptions{}, testNow); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("sqlite", func(b *testing.B) { run(b, openBench(b, store.SQLite)) })
	if os.Getenv(storetest.PostgresDSNEnv) != "" {
		b.Run("postgres", func(b *testing.B) { run(b, openBench(b, store.Postgres)) })
	}
}

// openBench opens a migrated database like storetest does (which takes a *testing.T): a temporary
// SQLite file, or a fresh PostgreSQL schema dropped afterwards.
func openBench(b *testing.B, kind store.Kind) *store.DB {
	ctx := context.Background()
	databaseURL := "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
	if kind == store.Postgres {
		base := os.Getenv(storetest.PostgresDSNEnv)
		admin, err := store.Open(ctx, base)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = admin.Close() })
		schema := "bench_" + rand.Text()[:12]
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
		u, err := url.Parse(base)
		if err != nil {
			b.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		databaseURL = u.String()
	}
	db, err := store.Open(ctx, databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		b.Fatal(err)
	}
	return db
}
