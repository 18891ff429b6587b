package seed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/uptrace/bun"

	"minside/backend/internal/citizens"
	"minside/backend/internal/keys"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/tiles"
)

// ScaleOptions tunes the synthetic citizen generator.
type ScaleOptions struct {
	Batch int // citizens per transaction; default 1000
	Chunk int // rows per INSERT statement on SQLite (PostgreSQL uses COPY); default 2000
	// Writers is how many batches are generated and written at once on PostgreSQL, each writer in
	// its own connection and transaction; default 2. SQLite has one writer.
	Writers int
	Seed    uint64 // random seed; the same seed and database give the same citizens
}

// defaultWriters keeps both cores of a small machine busy: while one writer's batch is in the
// server, the other's is generated and encoded.
const defaultWriters = 2

// Per synthetic citizen: 3 cases of 3 events, 2 bookings, 1 key with 1 window, 4 notifications
// (2 unread), titles in nb and en; about 70 rows.
const (
	scaleCases         = 3
	scaleEvents        = 3
	scaleBookings      = 2
	scaleNotifications = 4
)

// Citizens adds n synthetic citizens with a realistic mix of items, plus the shared agencies,
// facilities and tiles when missing. Each batch is one transaction (COPY on PostgreSQL, multi-row
// INSERTs on SQLite); batches are generated while others are written.
func (s *Seeder) Citizens(ctx context.Context, n int, opts ScaleOptions, now time.Time) (Summary, error) {
	started := time.Now()
	now = store.UTC(now)
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.Chunk <= 0 {
		opts.Chunk = defaultChunk
	}
	if opts.Writers <= 0 {
		opts.Writers = defaultWriters
	}
	if s.db.Kind != store.Postgres {
		opts.Writers = 1 // SQLite takes one writer at a time
	}
	var sum Summary
	var b *base
	var first int
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if b, err = ensureBase(ctx, tx, now); err != nil {
			return err
		}
		if first, err = nextScaleIndex(ctx, tx); err != nil {
			return err
		}
		tileCount, err := tx.NewSelect().Model((*tiles.Tile)(nil)).Count(ctx)
		if err != nil || tileCount > 0 {
			return err
		}
		r := &rows{}
		addTiles(r, b, now)
		sum.add(r)
		return r.insert(ctx, tx, opts.Chunk)
	})
	if err != nil {
		return Summary{}, fmt.Errorf("seed: shared records: %w", err)
	}
	g := &generator{dir: s.dir, b: b, now: now, seed: opts.Seed, days: birthDays()}
	// A pass inserts fewer than asked only when numbers were already taken; the next pass tops up
	// with the numbers after it.
	for want := n; want > 0; {
		inserted, err := s.pass(ctx, g, first, want, opts, &sum, n, started)
		if err != nil {
			return sum, err
		}
		if inserted == 0 {
			return sum, errors.New("seed: every generated number is already taken")
		}
		first += want
		want -= inserted
	}
	sum.Agencies = len(b.agency)
	sum.Elapsed = time.Since(started)
	return sum, nil
}

// nextScaleIndex continues after the highest generated citizen, read from the zero-padded
// external ids of the scale keys, so repeated runs never generate the same number twice.
func nextScaleIndex(ctx context.Context, db bun.IDB) (int, error) {
	var last sql.NullString
	if err := db.NewSelect().Model((*keys.Key)(nil)).ColumnExpr("MAX(external_id)").
		Where("external_id LIKE ?", scalePrefix+"%").Scan(ctx, &last); err != nil {
		return 0, fmt.Errorf("seed: last synthetic citizen: %w", err)
	}
	if !last.Valid {
		return 0, nil
	}
	var i int
	if _, err := fmt.Sscanf(last.String, scalePrefix+"%d", &i); err != nil {
		return 0, fmt.Errorf("seed: last synthetic citizen %q: %w", last.String, err)
	}
	return i + 1, nil
}

// scalePrefix starts the external ids of generated records; "scale-%09d" sorts by index.
const scalePrefix = "scale-"

// pass generates citizens first to first+want-1 in batches and writes them, opts.Writers batches
// at a time, and returns how many were inserted. Batch k always holds the same citizens (first +
// k×Batch onwards, its ends on household boundaries: batchBounds), whichever goroutine takes it;
// the batches commit in any order.
func (s *Seeder) pass(ctx context.Context, g *generator, first, want int, opts ScaleOptions, sum *Summary, total int, started time.Time) (int, error) {
	work, ctx := errgroup.WithContext(ctx)
	batches := make(chan *rows, opts.Writers)
	var next atomic.Int64
	var generators sync.WaitGroup
	for range opts.Writers {
		generators.Go(func() {
			for {
				lo, hi := batchBounds(first, want, opts.Batch, int(next.Add(1)-1))
				if lo >= first+want || ctx.Err() != nil {
					return
				}
				if lo == hi {
					continue
				}
				r, err := g.batch(lo, hi-lo)
				if err != nil {
					work.Go(func() error { return err })
					return
				}
				select {
				case batches <- r:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		generators.Wait()
		close(batches)
	}()
	var mu sync.Mutex
	inserted := 0
	for range opts.Writers {
		work.Go(func() error {
			for r := range batches {
				if err := s.writeBatch(ctx, r, opts.Chunk); err != nil {
					for range batches { // let the generators finish
					}
					return err
				}
				mu.Lock()
				inserted += len(r.citizens)
				before := sum.Citizens
				sum.add(r)
				if s.log != nil && sum.Citizens/10000 > before/10000 {
					s.log.Info("seeding citizens", "done", sum.Citizens, "of", total, "elapsed", time.Since(started).Round(time.Millisecond))
				}
				mu.Unlock()
			}
			return nil
		})
	}
	err := work.Wait()
	return inserted, err
}

// writeBatch writes one batch in one transaction, first dropping citizens whose number the
// database already holds (someone logged in with it), with everything that belongs to them.
// PostgreSQL takes the batch by COPY; SQLite, in process, by multi-row INSERTs.
func (s *Seeder) writeBatch(ctx context.Context, r *rows, chunk int) error {
	if s.db.Kind == store.Postgres {
		return s.copyBatch(ctx, r, nil)
	}
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		hashes := make([]string, len(r.citizens))
		for i, c := range r.citizens {
			hashes[i] = c.PIDHash
		}
		var taken []string
		if err := tx.NewSelect().Model((*citizens.Citizen)(nil)).Column("pid_hash").
			Where("pid_hash IN (?)", bun.In(hashes)).Scan(ctx, &taken); err != nil {
			return fmt.Errorf("seed: check numbers: %w", err)
		}
		if len(taken) > 0 {
			r.dropCitizens(taken)
		}
		return r.insert(ctx, tx, chunk)
	})
}

// Birth dates of synthetic citizens: ages 1 to 95 in 2026.
var (
	dateRangeStart = date(1931, time.January, 1)
	dateRangeEnd   = date(2025, time.December, 31)
)

// birthDays is the length of the birth date range; the index → date map multiplies by 7919, a
// prime that does not divide it, so it visits every date once per round.
func birthDays() int { return int(dateRangeEnd.Sub(dateRangeStart)/day) + 1 }

// generator makes synthetic citizens; citizen number i always gets the same identity number, so
// runs that continue after the citizens already present never collide with each other.
type generator struct {
	dir  *citizens.Directory
	b    *base
	now  time.Time
	seed uint64
	days int
}

// syntheticPID maps a citizen index to a distinct synthetic number: the index picks a birth date
// (spread over the range by a multiplier prime to its length) and the k-th issuable individual
// number of that date, counted from the bottom of the century's range (demo persons use the top).
func (g *generator) syntheticPID(i int) (string, error) {
	born := dateRangeStart.AddDate(0, 0, (i*7919)%g.days)
	k := i / g.days
	low := 0
	if born.Year() >= 2000 {
		low = 500
	}
	for individual := low; individual < low+500; individual++ {
		n, err := pid.Synthetic(born, individual)
		if err != nil {
			continue
		}
		if k == 0 {
			return n, nil
		}
		k--
	}
	return "", fmt.Errorf("seed: synthetic numbers for %s are used up", born.Format(time.DateOnly))
}
