package store_test

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestPostgresPoolSizeFromTheURL: pool_max_conns and worker_pool_max_conns in the URL bound the
// replica's two pools (requests, background work) and do not reach the server; a bad value is
// refused when the database is opened.
func TestPostgresPoolSizeFromTheURL(t *testing.T) {
	url, ok := storetest.URLs(t)[store.Postgres]
	if !ok {
		return // SQLite's pool is fixed: one writer, in process
	}
	ctx := context.Background()
	db, work := openPools(t, url+"&pool_max_conns=3&worker_pool_max_conns=5")
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	if got := db.DB.DB.Stats().MaxOpenConnections; got != 3 {
		t.Errorf("MaxOpenConnections = %d, want 3", got)
	}
	if got := work.DB.DB.Stats().MaxOpenConnections; got != 5 || work == db {
		t.Errorf("background pool: MaxOpenConnections = %d (same handle: %v), want a pool of its own of 5", got, work == db)
	}
	// Holding every request connection leaves background work its own.
	held := make([]bun.Conn, 0, 3)
	for range 3 {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	full, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	if err := db.PingContext(full); err == nil {
		t.Error("a fourth request connection was handed out from a pool of 3")
	}
	cancel()
	if err := work.PingContext(ctx); err != nil {
		t.Errorf("background work with every request connection held: %v", err)
	}
	for _, c := range held {
		_ = c.Close()
	}
	// A connection of its own (LISTEN) is configured from the same URL without the pool's setting.
	cfg, err := db.ConnConfig()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("a connection of its own: %v", err)
	}
	_ = conn.Close(ctx)
	for _, bad := range []string{"0", "many", "1001"} {
		for _, name := range []string{"pool_max_conns", "worker_pool_max_conns"} {
			if db, err := store.Open(ctx, url+"&"+name+"="+bad); err == nil {
				_ = db.Close()
				t.Errorf("%s=%s was accepted", name, bad)
			}
		}
	}
	// Unnamed, each pool is twice the cores, at least 4.
	plain, plainWork := openPools(t, url)
	want := max(4, 2*runtime.GOMAXPROCS(0))
	if a, b := plain.DB.DB.Stats().MaxOpenConnections, plainWork.DB.DB.Stats().MaxOpenConnections; a != want || b != want {
		t.Errorf("default pools: requests %d, background %d; want %d each", a, b, want)
	}
}

// TestBackgroundPoolIsConfiguredLikeTheRequestPool: the background pool's connections get the
// same settings as the request pool's (statement timeout, UTC for times inside JSON answers),
// not only the URL's.
func TestBackgroundPoolIsConfiguredLikeTheRequestPool(t *testing.T) {
	url, ok := storetest.URLs(t)[store.Postgres]
	if !ok {
		return // SQLite has one handle for both
	}
	ctx := context.Background()
	db, work := openPools(t, url, store.WithTimeout(2*time.Second))
	for name, pool := range map[string]*store.DB{"requests": db, "background": work} {
		var timeout, zone string
		if err := pool.QueryRowContext(ctx, "SELECT current_setting('statement_timeout'), current_setting('TimeZone')").Scan(&timeout, &zone); err != nil {
			t.Fatal(err)
		}
		if timeout != "20s" || zone != "UTC" {
			t.Errorf("%s pool: statement_timeout %q, TimeZone %q; want 20s (ten request deadlines) and UTC", name, timeout, zone)
		}
	}
}

// openPools opens the database at url and its background pool, both closed when the test ends.
func openPools(t *testing.T, url string, opts ...store.Option) (requests, background *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	work, err := db.Background(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if work != db {
		t.Cleanup(func() { _ = work.Close() })
	}
	return db, work
}

// TestSQLiteBackgroundWorkSharesTheHandle: one file has one writer; a second pool would only
// contend for its lock.
func TestSQLiteBackgroundWorkSharesTheHandle(t *testing.T) {
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "one.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	work, err := db.Background(context.Background())
	if err != nil || work != db {
		t.Errorf("Background on SQLite = %p, %v; want the same handle %p", work, err, db)
	}
}
