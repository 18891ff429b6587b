package files

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Owner is a table whose rows point at files: the file of the row with id X is stored under
// Prefix+X and named in the row's KeyColumn (empty when the row has no file). The domains that
// store files declare theirs; the files package knows no domain.
type Owner struct {
	Prefix    string // "ideas/"
	Table     string
	IDColumn  string
	KeyColumn string
}

// OrphanGrace is how old a file no row names must be before it is deleted. Bytes are stored
// before the transaction that writes their row commits (a row never points at missing bytes),
// so a young file may belong to a write still in flight.
const OrphanGrace = time.Hour

// orphanBatch is how many keys one lookup asks the database about.
const orphanBatch = 500

// Orphans deletes files that no row points at: the bytes of a write whose transaction failed
// or was cut off after they were stored (a crash, a lost connection, a refused commit). Every
// replica may run it; deleting is idempotent. It lists every key under each owner's prefix, so it
// is meant to run rarely (the portal: daily).
type Orphans struct {
	db     bun.IDB
	store  Store
	owners []Owner
	now    func() time.Time
	log    *slog.Logger
}

// NewOrphans sweeps store for owners' files, reading db.
func NewOrphans(db bun.IDB, store Store, owners []Owner, now func() time.Time, log *slog.Logger) *Orphans {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Orphans{db: db, store: store, owners: owners, now: now, log: log}
}

// Run sweeps every interval until ctx ends.
func (o *Orphans) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := o.Sweep(ctx); err != nil {
			if ctx.Err() == nil {
				o.log.Warn("files: orphan sweep", "error", err)
			}
		} else if n > 0 {
			o.log.Info("files: orphans deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep deletes each owner's files older than OrphanGrace that no row names, and says how many.
func (o *Orphans) Sweep(ctx context.Context) (int, error) {
	deleted := 0
	for _, owner := range o.owners {
		n, err := o.sweepOwner(ctx, owner)
		deleted += n
		if err != nil {
			return deleted, fmt.Errorf("files: orphans of %s: %w", owner.Table, err)
		}
	}
	return deleted, nil
}

func (o *Orphans) sweepOwner(ctx context.Context, owner Owner) (int, error) {
	cutoff := o.now().Add(-OrphanGrace)
	deleted := 0
	var batch []string
	flush := func() error {
		n, err := o.deleteUnnamed(ctx, owner, batch)
		deleted += n
		batch = batch[:0]
		return err
	}
	err := o.store.List(ctx, owner.Prefix, func(key string, modified time.Time) error {
		if !modified.Before(cutoff) || !strings.HasPrefix(key, owner.Prefix) {
			return nil
		}
		batch = append(batch, key)
		if len(batch) == orphanBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return deleted, err
}

// deleteUnnamed deletes those of keys that no row of owner names. It looks rows up by their
// primary key (the key's last part), so no index on the key column is needed. Row ids are
// UUIDs (store.NewID): a key whose last part is none was never a row's (and PostgreSQL would
// refuse it as a uuid).
func (o *Orphans) deleteUnnamed(ctx context.Context, owner Owner, keys []string) (int, error) {
	var ids []string
	for _, k := range keys {
		if id := strings.TrimPrefix(k, owner.Prefix); uuid.Validate(id) == nil {
			ids = append(ids, id)
		}
	}
	var named []string
	if len(ids) > 0 {
		if err := o.db.NewSelect().Table(owner.Table).Column(owner.KeyColumn).
			Where("? IN (?)", bun.Ident(owner.IDColumn), bun.In(ids)).
			Where("? IS NOT NULL", bun.Ident(owner.KeyColumn)).
			Scan(ctx, &named); err != nil {
			return 0, err
		}
	}
	keep := make(map[string]bool, len(named))
	for _, k := range named {
		keep[k] = true
	}
	deleted := 0
	for _, k := range keys {
		if keep[k] {
			continue
		}
		if err := o.store.Delete(ctx, k); err != nil {
			return deleted, err
		}
		deleted++
	}
	return deleted, nil
}
