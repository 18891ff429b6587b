package translate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"minside/backend/internal/i18n"
)

// ReloadInterval is how often a replica looks for overrides published elsewhere. Polling one
// MAX(id) is cheap and works the same on SQLite and PostgreSQL.
const ReloadInterval = 2 * time.Second

// Reloader keeps a bundle's overrides in step with the database.
type Reloader struct {
	store    *Store
	bundle   *i18n.Bundle
	log      *slog.Logger
	interval time.Duration
	onReload func() // tells open sessions to fetch their messages again; may be nil

	mu      sync.Mutex
	version int64
}

// NewReloader returns a reloader; interval ≤ 0 means ReloadInterval. onReload (may be nil) runs
// after this replica swapped in overrides that changed since its last load: it is called by the
// replica that serves the new texts, so a client told by it cannot fetch the old ones.
func NewReloader(s *Store, b *i18n.Bundle, log *slog.Logger, interval time.Duration, onReload func()) *Reloader {
	if interval <= 0 {
		interval = ReloadInterval
	}
	return &Reloader{store: s, bundle: b, log: log, interval: interval, onReload: onReload, version: -1}
}

// Load reads every override and swaps them into the bundle. Overrides of ids the source no longer
// has (a release removed them) are skipped, so one stale row cannot stop every reload.
func (r *Reloader) Load(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := r.store.Version(ctx)
	if err != nil {
		return err
	}
	return r.load(ctx, v)
}

func (r *Reloader) load(ctx context.Context, version int64) error {
	all, err := r.store.Overrides(ctx)
	if err != nil {
		return err
	}
	for lang, msgs := range all {
		if !r.bundle.Has(lang) {
			delete(all, lang)
			continue
		}
		for id := range msgs {
			if !r.bundle.HasSource(id) {
				delete(msgs, id)
			}
		}
	}
	if err := r.bundle.SetOverrides(all); err != nil {
		return fmt.Errorf("translate: apply overrides: %w", err)
	}
	changed := r.version >= 0 && version != r.version
	r.version = version
	if changed && r.onReload != nil {
		r.onReload()
	}
	return nil
}

// Run polls the version until ctx ends and reloads when it changed. Errors are logged and retried
// on the next tick; the bundle keeps its current messages meanwhile.
func (r *Reloader) Run(ctx context.Context) {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := r.tick(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("translate: reload overrides", "err", err)
		}
	}
}

func (r *Reloader) tick(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := r.store.Version(ctx)
	if err != nil || v == r.version {
		return err
	}
	return r.load(ctx, v)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
