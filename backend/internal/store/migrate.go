package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/uptrace/bun/migrate"

	"minside/migrations"
)

// Migrations returns the embedded migrations of the dialect in use.
func (db *DB) Migrations() (*migrate.Migrations, error) {
	return loadMigrations(migrations.FS, string(db.Kind))
}

func loadMigrations(fsys fs.FS, dir string) (*migrate.Migrations, error) {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations %s: %w", dir, err)
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, fmt.Errorf("store: discover migrations %s: %w", dir, err)
	}
	return ms, nil
}

func (db *DB) migrator(ms *migrate.Migrations) *migrate.Migrator {
	// Marked applied only after success: a failing migration stays unapplied and is retried.
	return migrate.NewMigrator(db.DB, ms, migrate.WithMarkAppliedOnSuccess(true))
}

// Migrate applies every pending migration, each in its own transaction.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	ms, err := db.Migrations()
	if err != nil {
		return err
	}
	return db.migrateWith(ctx, ms, log)
}

func (db *DB) migrateWith(ctx context.Context, ms *migrate.Migrations, log *slog.Logger) error {
	m := db.migrator(ms)
	if db.Kind == Postgres && db.Timeout > 0 {
		// A migration may rightly take longer than a request's statement (an index on a big
		// table): it runs on a connection of its own without the statement_timeout.
		own, err := openPostgres(ctx, db.DSN, 0)
		if err != nil {
			return err
		}
		defer func() { _ = own.Close() }()
		m = own.migrator(ms)
	}
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("store: init migrations: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return fmt.Errorf("store: migration lock (a crashed run may have left it; see README): %w", err)
	}
	defer func() {
		if err := m.Unlock(context.WithoutCancel(ctx)); err != nil {
			log.Error("store: release migration lock", "err", err)
		}
	}()
	group, err := m.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if !group.IsZero() {
		log.Info("migrated", "group", group.ID, "migrations", group.Migrations.String())
	}
	return nil
}

// ErrNotMigrated is returned by Ready while migrations are pending.
var ErrNotMigrated = errors.New("store: database has pending migrations")

// Ready reports whether the database answers and every embedded migration is applied.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	ms, err := db.Migrations()
	if err != nil {
		return err
	}
	applied, err := db.migrator(ms).AppliedMigrations(ctx)
	if err != nil {
		return fmt.Errorf("store: applied migrations: %w", err)
	}
	if len(applied) < len(ms.Sorted()) {
		return ErrNotMigrated
	}
	return nil
}
