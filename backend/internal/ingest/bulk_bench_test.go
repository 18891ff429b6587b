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
	"testing"
	"time"

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

func benchBulk(b *testing.B, db *store.DB, server *serverCPU) {
	ctx, statements := store.CountRoundTrips(context.Background())
	p, err := pid.NewPseudonymizer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		b.Fatal(err)
	}
	svc := ingest.NewService(db, citizens.NewDirectory(p, true), true, nil)
	a, _, _, err := agency.NewService(db, nil).Create(ctx, "bench", "Bench", "")
	if err != nil {
		b.Fatal(err)
	}
	const perRequest = 1000
	counted := statements.Count()
	b.ResetTimer()
	records := 0
	var cpu, serverTime time.Duration
	serverOK := server != nil
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		body := benchLines(b, perRequest, i*perRequest)
		b.StartTimer()
		cpuBefore := storetest.SelfCPU()
		var serverBefore map[int]time.Duration
		if serverOK {
			serverBefore, serverOK = server.now(ctx)
		}
		failed := 0
		if err := svc.Bulk(ctx, ingest.Request{AgencyID: a.ID}, bytes.NewReader(body), func(r ingest.LineResult) error {
			if r.Err != nil {
				failed++
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		cpu += storetest.SelfCPU() - cpuBefore
		if serverOK {
			var after map[int]time.Duration
			after, serverOK = server.now(ctx)
			for pid, t := range after {
				serverTime += t - serverBefore[pid]
			}
		}
		if failed > 0 {
			b.Fatalf("%d lines failed", failed)
		}
		records += perRequest
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(statements.Count()-counted)/float64(records), "statements/record")
	// The machine is shared: the portal's own CPU per record says what the rate would be on an
	// idle core, whatever the load; on PostgreSQL the server's backends' CPU is the other part.
	b.ReportMetric(float64(cpu.Microseconds())/float64(records), "cpu-µs/record")
	if serverOK {
		b.ReportMetric(float64(serverTime.Microseconds())/float64(records), "server-cpu-µs/record")
	}
}

// serverCPU reads the CPU time of the PostgreSQL backends serving the benchmark's connections
// (named by application_name), from /proc: only when the server runs on this machine.
type serverCPU struct {
	admin       *store.DB
	application string
}

// now is the CPU time so far of each backend; ok is false when it cannot be read here.
func (s *serverCPU) now(ctx context.Context) (map[int]time.Duration, bool) {
	var pids []int
	if err := s.admin.NewRaw("SELECT pid FROM pg_stat_activity WHERE application_name = ?", s.application).Scan(ctx, &pids); err != nil || len(pids) == 0 {
		return nil, false
	}
	out := make(map[int]time.Duration, len(pids))
	for _, pid := range pids {
		_, cpu, ok := storetest.ProcessCPU(pid)
		if !ok {
			return nil, false
		}
		out[pid] = cpu
	}
	return out, true
}

// BenchmarkBulk measures onboarding cases through the bulk path, on SQLite and (when
// MINSIDE_TEST_POSTGRES_DSN is set) on PostgreSQL. docs/performance.md has the numbers.
func BenchmarkBulk(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		benchBulk(b, openBench(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db")), nil)
	})
	if dsn := os.Getenv(storetest.PostgresDSNEnv); dsn != "" {
		b.Run("postgres", func(b *testing.B) {
			url, server := benchSchema(b, dsn)
			benchBulk(b, openBench(b, url), server)
		})
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

// benchSchema makes a throwaway PostgreSQL schema, as storetest does for tests, and returns the
// URL of a database whose search path is that schema, and the reader of its backends' CPU time.
func benchSchema(b *testing.B, dsn string) (string, *serverCPU) {
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
	q.Set("application_name", schema)
	u.RawQuery = q.Encode()
	return u.String(), &serverCPU{admin: admin, application: schema}
}
