package live

import (
	"context"
	"fmt"
	"time"

	"minside/backend/internal/store"
)

// pollBatch is how many change rows one poll reads at most.
const pollBatch = 1000

// follower reads the changes table in seq order without ever skipping a row. On PostgreSQL a
// transaction can take a seq and commit after a higher one is visible, so the follower keeps a
// floor (every seq at or below it was handled) and the seqs above it it has already delivered; a
// hole above the floor is waited for, and given up after gapWait (its transaction rolled back, or
// a sequence value was simply never used).
type follower struct {
	db      *store.DB
	gapWait time.Duration
	floor   int64
	seen    map[int64]bool
	holes   map[int64]time.Time
}

type changeRow struct {
	Seq       int64   `bun:"seq"`
	CitizenID *string `bun:"citizen_id"`
	Kind      string  `bun:"kind"`
	ObjectID  string  `bun:"object_id"`
}

func (f *follower) start(ctx context.Context) error {
	f.seen, f.holes = map[int64]bool{}, map[int64]time.Time{}
	if err := f.db.NewRaw(`SELECT COALESCE(MAX(seq), 0) FROM changes`).Scan(ctx, &f.floor); err != nil {
		return fmt.Errorf("live: start: %w", err)
	}
	return nil
}

// poll returns the events committed since the last poll; full means more are waiting.
func (f *follower) poll(ctx context.Context, now time.Time) ([]Event, bool, error) {
	var rows []changeRow
	if err := f.db.NewRaw(`SELECT seq, citizen_id, kind, object_id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`,
		f.floor, pollBatch).Scan(ctx, &rows); err != nil {
		return nil, false, fmt.Errorf("live: poll: %w", err)
	}
	var events []Event
	var top int64
	before := f.floor
	for _, r := range rows {
		top = r.Seq
		if f.seen[r.Seq] {
			continue
		}
		f.seen[r.Seq] = true
		ev := Event{Kind: r.Kind, ID: r.ObjectID}
		if r.CitizenID != nil {
			ev.CitizenID = *r.CitizenID
		}
		events = append(events, ev)
	}
	// Raise the floor over handled seqs and over holes that waited long enough.
	for next := f.floor + 1; next <= top; next++ {
		if f.seen[next] {
			delete(f.seen, next)
			delete(f.holes, next)
			f.floor = next
			continue
		}
		first, known := f.holes[next]
		if !known {
			f.holes[next] = now
			break
		}
		if now.Sub(first) < f.gapWait {
			break
		}
		delete(f.holes, next)
		f.floor = next
	}
	// A full batch above a hole would read the same rows again: wait for the next tick instead.
	return events, len(rows) == pollBatch && f.floor > before, nil
}
