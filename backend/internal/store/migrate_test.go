package store

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"minside/migrations"
)

func TestMigrationFoldersMatch(t *testing.T) {
	names := func(dir string) []string {
		entries, err := fs.ReadDir(migrations.FS, dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	sqlite, postgres := names("sqlite"), names("postgres")
	if len(sqlite) == 0 {
		t.Fatal("no migrations embedded")
	}
	if !slices.Equal(sqlite, postgres) {
		t.Fatalf("migration folders differ:\nsqlite:   %v\npostgres: %v", sqlite, postgres)
	}
}

func TestBrokenMigrationFailsAndStaysUnapplied(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "broken.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	broken := fstest.MapFS{
		"sqlite/0001_good.tx.up.sql":   {Data: []byte("CREATE TABLE good (id INTEGER);")},
		"sqlite/0002_broken.tx.up.sql": {Data: []byte("CREATE TABLE half (id INTEGER);\n--bun:split\nCREATE TABLE oops (;")},
	}
	ms, err := loadMigrations(broken, "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.migrateWith(ctx, ms, quiet); err == nil {
		t.Fatal("a broken migration was reported as success")
	}
	applied, err := db.migrator(ms).AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range applied {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, []string{"0001"}) {
		t.Fatalf("applied = %v, want only [0001]", names)
	}
	// The transactional migration rolled back its first statement too.
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'half'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("the failed migration left a table behind")
	}
	// A second run fails the same way instead of skipping the broken migration.
	if err := db.migrateWith(ctx, ms, quiet); err == nil {
		t.Fatal("the broken migration was skipped on the second run")
	}
}

func TestReadyOnlyWhenMigrated(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "ready.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ready(ctx); err == nil {
		t.Fatal("ready before migrating")
	}
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("not ready after migrating: %v", err)
	}
}

func TestSQLitePragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Hold several connections at once so the pool must open new ones.
	for range 4 {
		conn, err := db.DB.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var fk int
		var mode string
		if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if fk != 1 || mode != "wal" {
			t.Fatalf("connection has foreign_keys=%d journal_mode=%s", fk, mode)
		}
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
}

func TestOpenRefusesUnknownScheme(t *testing.T) {
	if _, err := Open(context.Background(), "mysql://x"); err == nil {
		t.Fatal("mysql URL accepted")
	}
}
