package overviewbench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"minside/backend/internal/app"
	"minside/backend/internal/config"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// citizensWanted is the size of the synthetic city: MINSIDE_BENCH_CITIZENS, default 100000 (city
// scale; benchmarks run only in make bench, and the city is generated once and kept).
func citizensWanted() int {
	if n, err := strconv.Atoi(os.Getenv("MINSIDE_BENCH_CITIZENS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchDuration is how long each load phase runs: MINSIDE_BENCH_SECONDS, default 3.
func benchDuration() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("MINSIDE_BENCH_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 3 * time.Second
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Where each engine's benchmark runs: a migrated database named by these variables (e.g. one filled
// by `minside seed --citizens N`), else the cached synthetic city (SQLite always, PostgreSQL when
// MINSIDE_TEST_POSTGRES_DSN is set). MINSIDE_BENCH_DATABASE_URL, the older name, is PostgreSQL's.
var benchDatabaseEnv = map[store.Kind][]string{
	store.SQLite:   {"MINSIDE_BENCH_DATABASE_URL_SQLITE"},
	store.Postgres: {"MINSIDE_BENCH_DATABASE_URL_POSTGRES", "MINSIDE_BENCH_DATABASE_URL"},
}

// benchDatabase returns the URL of kind's benchmark database and how many citizens it holds; ok is
// false when the engine is not configured.
func benchDatabase(b *testing.B, kind store.Kind) (databaseURL string, citizens int, ok bool) {
	for _, name := range benchDatabaseEnv[kind] {
		if u := os.Getenv(name); u != "" {
			return u, prepareSeeded(b, u), true
		}
	}
	n := citizensWanted()
	switch {
	case kind == store.SQLite:
		return cachedSQLite(b, "overview", n, fill), n, true
	case os.Getenv(storetest.PostgresDSNEnv) != "":
		return cachedPostgres(b, "overview", n, fill), n, true
	}
	return "", 0, false
}

// prepareSeeded counts the citizens of a given database and, on PostgreSQL, refreshes the planner's
// statistics: right after a bulk COPY they are missing, and plans from empty tables time reads out.
func prepareSeeded(b *testing.B, databaseURL string) int {
	ctx := context.Background()
	db, err := store.Open(ctx, databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if db.Kind == store.Postgres {
		if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	n, err := db.NewSelect().Table("citizens").Count(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return int(n)
}

// filler writes a city of n citizens into a migrated-or-empty database.
type filler func(b testing.TB, databaseURL string, n int)

// cachedSQLite returns the URL of a generated SQLite city (name-n), generating it with fill on first use.
func cachedSQLite(b *testing.B, name string, n int, fill filler) string {
	dir := filepath.Join(os.TempDir(), "minside-bench")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.db", name, n))
	done := path + ".done"
	u := "sqlite:" + path
	if _, err := os.Stat(done); err == nil {
		return u
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(f)
	}
	fill(b, u, n)
	if err := os.WriteFile(done, nil, 0o640); err != nil {
		b.Fatal(err)
	}
	return u
}

// cachedPostgres returns the URL of a generated PostgreSQL city in schema bench_<name>_<n>, generating it with fill on first use.
func cachedPostgres(b *testing.B, name string, n int, fill filler) string {
	base := os.Getenv(storetest.PostgresDSNEnv)
	ctx := context.Background()
	admin, err := store.Open(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("bench_%s_%d", name, n)
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	var ready int
	if err := admin.NewRaw(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = 'bench_done'`, schema).
		Scan(ctx, &ready); err != nil {
		b.Fatal(err)
	}
	if ready == 1 {
		return u.String()
	}
	if _, err := admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
		b.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		b.Fatal(err)
	}
	fill(b, u.String(), n)
	if _, err := admin.ExecContext(ctx, "CREATE TABLE "+schema+".bench_done ()"); err != nil {
		b.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return u.String()
}

func fill(b testing.TB, databaseURL string, n int) {
	ctx := context.Background()
	db, err := store.Open(ctx, databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, quiet); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := generate(ctx, db, n, time.Now()); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d citizens on %s in %s", n, db.Kind, time.Since(start).Round(time.Second))
}

// portal runs the whole app on loopback on databaseURL, as the binary would, with logs discarded.
func portal(b testing.TB, databaseURL string) (*app.App, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := config.Default()
	cfg.Env = config.ModeDev
	cfg.DataDir = b.TempDir()
	cfg.DatabaseURL = databaseURL
	cfg.SeedDemo = false
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.PIDKey, cfg.OIDCClientSecret = secret(), secret()
	cfg.Addr, cfg.BaseURL, cfg.OIDCIssuer = ln.Addr().String(), base, base+"/dev-idp"
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})) // production's level and format
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln) }()
	b.Cleanup(func() {
		cancel()
		<-done
		_ = a.Close()
	})
	return a, base
}

// logIn picks k citizens spread over the database (by pid_hash, a pseudonym in a seeded database) and
// logs each in (a sessions row, as a login makes); it returns their session tokens.
func logIn(b testing.TB, a *app.App, k int) []string {
	return logInWhere(b, a, `SELECT id FROM citizens ORDER BY pid_hash LIMIT ?`, k)
}

// logInWhere logs in the citizens query picks (it takes k, the number wanted).
func logInWhere(b testing.TB, a *app.App, query string, k int) []string {
	ctx := context.Background()
	var ids []string
	if err := a.DB.NewRaw(query, k).Scan(ctx, &ids); err != nil {
		b.Fatal(err)
	}
	if len(ids) == 0 {
		b.Fatal("no citizens in the benchmark database")
	}
	tokens := make([]string, 0, len(ids))
	for _, id := range ids {
		token, _, err := a.Sessions.Create(ctx, sessions.Start{CitizenID: id, ACR: "idporten-loa-substantial"}, "")
		if err != nil {
			b.Fatal(err)
		}
		tokens = append(tokens, token)
	}
	return tokens
}

func secret() string {
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}
