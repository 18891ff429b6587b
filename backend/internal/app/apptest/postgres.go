package apptest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// schemaPool hands out PostgreSQL schemas for portals. Migrating a fresh schema costs one to three
// seconds, emptying a used one a few milliseconds, so a test binary migrates one schema per portal
// running at the same time and reuses it, emptied, for the next test. It is process state on
// purpose: the pool lives as long as the test binary. Schemas are named apptest_<unix time>_<n>;
// ones left by an earlier binary (older than an hour) are dropped when the pool first opens.
type schemaPool struct {
	mu    sync.Mutex
	admin *store.DB
	free  []string
	n     int
}

var pool schemaPool

// PostgresURL returns a database URL on an empty, migrated-or-empty schema of its own for this test,
// emptied and returned to the pool when the test ends (after the portal has stopped). A test that
// needs the URL's parameters (a pool size) appends them to it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(storetest.PostgresDSNEnv)
	if base == "" {
		t.Fatalf("apptest: %s is not set", storetest.PostgresDSNEnv)
	}
	schema, err := pool.take(base)
	if err != nil {
		t.Fatalf("apptest: postgres schema: %v", err)
	}
	t.Cleanup(func() {
		if err := pool.give(schema); err != nil {
			t.Errorf("apptest: empty schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("apptest: parse %s: %v", storetest.PostgresDSNEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func (p *schemaPool) take(base string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ctx := context.Background()
	if p.admin == nil {
		admin, err := store.Open(ctx, base)
		if err != nil {
			return "", err
		}
		p.admin = admin
		p.dropStale(ctx)
	}
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		return s, nil
	}
	p.n++
	schema := fmt.Sprintf("apptest_%d_%d_%d", time.Now().Unix(), os.Getpid(), p.n)
	if _, err := p.admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", err
	}
	return schema, nil
}

// give empties every table of the schema (the migration bookkeeping stays, so the next portal
// finds it migrated) and returns it to the pool; a schema that cannot be emptied is dropped.
func (p *schemaPool) give(schema string) error {
	ctx := context.Background()
	p.mu.Lock()
	admin := p.admin
	p.mu.Unlock()
	var tables []string
	err := admin.NewSelect().TableExpr("pg_tables").Column("tablename").
		Where("schemaname = ?", schema).Where("tablename NOT LIKE 'bun_migration%'").Scan(ctx, &tables)
	if err == nil && len(tables) > 0 {
		for i, name := range tables {
			tables[i] = schema + "." + name
		}
		_, err = admin.ExecContext(ctx, "TRUNCATE "+strings.Join(tables, ", ")+" RESTART IDENTITY CASCADE")
	}
	if err != nil {
		_, _ = admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		return err
	}
	p.mu.Lock()
	p.free = append(p.free, schema)
	p.mu.Unlock()
	return nil
}

// dropStale removes schemas an earlier test binary left behind; callers hold p.mu.
func (p *schemaPool) dropStale(ctx context.Context) {
	var names []string
	if err := p.admin.NewSelect().TableExpr("pg_namespace").Column("nspname").
		Where("nspname LIKE 'apptest_%'").Scan(ctx, &names); err != nil {
		return
	}
	for _, name := range names {
		parts := strings.Split(name, "_")
		if len(parts) < 2 {
			continue
		}
		created, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || time.Since(time.Unix(created, 0)) < time.Hour {
			continue
		}
		_, _ = p.admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
	}
}
