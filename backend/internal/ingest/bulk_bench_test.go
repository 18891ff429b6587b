package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/citizens"
	"minside/backend/internal/ingest"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// benchLines builds n case lines for n/10 different people, the shape of an agency onboarding its
// open cases: a title in two languages, a next action, two events and a document each.
func benchLines(b *testing.B, n, offset int) []byte {
	b.Helper()
	var buf bytes.Buffer
	people := make([]string, max(n/10, 1))
	for i := range people {
		number, err := pid.Synthetic(time.Date(1960+i%40, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC), 100+i/480)
		if err != nil {
			b.Fatal(err)
		}
		people[i] = number
	}
	for i := range n {
		rec := map[string]any{
			"pid":        people[i%len(people)],
			"title":      map[string]string{"nb": "Byggesøknad", "en": "Building application"},
			"area":       "building",
			"status":     "in_progress",
			"kind":       "building_permit",
			"nextAction": map[string]any{"text": map[string]string{"nb": "Vent på svar"}},
			"events": []map[string]any{
				{"externalId": "e1", "occurredAt": "2026-01-02T10:00:00Z", "title": map[string]string{"nb": "Mottatt"}},
				{"externalId": "e2", "occurredAt": "2026-01-05T10:00:00Z", "title": map[string]string{"nb": "Under behandling"}},
			},
			"documents": []map[string]any{{"externalId": "d1", "name": "Søknad.pdf", "url": "https://sak.example.no/d/1"}},
			"deepLink":  "https://sak.example.no/s/1",
			"version":   1,
		}
		line, err := json.Marshal(map[string]any{"kind": "cases", "externalId": fmt.Sprintf("case-%d", offset+i), "record": rec})
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func benchBulk(b *testing.B, db *store.DB) {
	ctx := context.Background()
	p, err := pid.NewPseudonymizer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		b.Fatal(err)
	}
	svc := ingest.NewService(db.DB, citizens.NewDirectory(p, true), true, nil)
	a, _, _, err := agency.NewService(db.DB, nil).Create(ctx, "bench", "Bench", "")
	if err != nil {
		b.Fatal(err)
	}
	const perRequest = 1000
	statements := &statementCounter{}
	db.AddQueryHook(statements)
	b.ResetTimer()
	records := 0
	var cpu time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		body := benchLines(b, perRequest, i*perRequest)
		b.StartTimer()
		cpuBefore := processCPU(b)
		failed := 0
		if err := svc.Bulk(ctx, ingest.Request{AgencyID: a.ID}, bytes.NewReader(body), func(r ingest.LineResult) error {
			if r.Err != nil {
				failed++
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		cpu += processCPU(b) - cpuBefore
		if failed > 0 {
			b.Fatalf("%d lines failed", failed)
		}
		records += perRequest
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(statements.n.Load())/float64(records), "statements/record")
	// The machine is shared: the portal's own CPU per record (the database server's not included
	// on PostgreSQL) says what the rate would be on an idle core, whatever the load.
	b.ReportMetric(float64(cpu.Microseconds())/float64(records), "cpu-µs/record")
}

// processCPU is the user and system CPU time this process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// statementCounter counts every statement Bun sends, BEGIN and COMMIT included: on PostgreSQL each
// is a network round trip, the cost that bounds the bulk rate.
type statementCounter struct{ n atomic.Int64 }

func (c *statementCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *statementCounter) AfterQuery(context.Context, *bun.QueryEvent) {}

// BenchmarkBulk measures onboarding cases through the bulk path, on SQLite and (when
// MINSIDE_TEST_POSTGRES_DSN is set) on PostgreSQL. docs/performance.md has the numbers.
func BenchmarkBulk(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		benchBulk(b, openBench(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db")))
	})
	if dsn := os.Getenv(storetest.PostgresDSNEnv); dsn != "" {
		b.Run("postgres", func(b *testing.B) { benchBulk(b, openBench(b, benchSchema(b, dsn))) })
	}
}

func openBench(b *testing.B, url string) *store.DB {
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		b.Fatal(err)
	}
	return db
}

// benchSchema makes a throwaway PostgreSQL schema, as storetest does for tests.
func benchSchema(b *testing.B, dsn string) string {
	ctx := context.Background()
	admin, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = admin.Close() })
	schema := "bench_" + strings.ReplaceAll(store.NewID(), "-", "")[:16]
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
