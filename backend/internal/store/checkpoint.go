package store

import (
	"context"
	"log/slog"
	"time"
)

// RunCheckpoints truncates the SQLite write-ahead log at every interval until ctx ends. Under a
// steady stream of readers SQLite's automatic checkpoints can starve and the WAL grows without
// bound; a periodic TRUNCATE checkpoint waits for readers and resets it. No-op on PostgreSQL.
func (db *DB) RunCheckpoints(ctx context.Context, interval time.Duration, log *slog.Logger) {
	if db.Kind != SQLite {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := db.Checkpoint(ctx); err != nil && ctx.Err() == nil {
				log.Warn("store: wal checkpoint", "err", err)
			}
		}
	}
}

// Checkpoint runs one TRUNCATE checkpoint and reports a busy result as an error-free no-op.
func (db *DB) Checkpoint(ctx context.Context) error {
	var busy, logFrames, checkpointed int
	return db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
}
