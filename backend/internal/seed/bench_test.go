package seed

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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

// BenchmarkCopyPerTable times each step of writing a batch of 1,000 citizens by COPY on
// PostgreSQL, once MINSIDE_SEED_BENCH_CITIZENS citizens (default 20,000) are there, so the
// indexes have some size: ms per batch for each table's COPY and for checking the agency records.
func BenchmarkCopyPerTable(b *testing.B) {
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		b.Log("MINSIDE_TEST_POSTGRES_DSN is not set: COPY is PostgreSQL's path")
		return
	}
	ctx := context.Background()
	db := openBench(b, store.Postgres)
	s, _ := newSeeder(b, db)
	already := 20000
	if v := os.Getenv("MINSIDE_SEED_BENCH_CITIZENS"); v != "" {
		var err error
		if already, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Citizens(ctx, already, ScaleOptions{Seed: 1}, testNow); err != nil {
		b.Fatal(err)
	}
	base, err := ensureBase(ctx, db, testNow)
	if err != nil {
		b.Fatal(err)
	}
	first, err := nextScaleIndex(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	g := &generator{dir: s.dir, b: base, now: testNow, seed: 1, days: birthDays()}
	total := map[string]time.Duration{}
	var order []string
	took := func(step string, d time.Duration) {
		if _, seen := total[step]; !seen {
			order = append(order, step)
		}
		total[step] += d
	}
	batches := 0
	for b.Loop() {
		b.StopTimer()
		r, err := g.batch(first, 1000)
		if err != nil {
			b.Fatal(err)
		}
		first += 1000
		b.StartTimer()
		if err := s.copyBatch(ctx, r, took); err != nil {
			b.Fatal(err)
		}
		batches++
	}
	for _, step := range order {
		b.ReportMetric(total[step].Seconds()*1000/float64(batches), strings.ReplaceAll(step, " ", "_")+"-ms/batch")
	}
}
