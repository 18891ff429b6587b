// Package seed fills a database with believable data: the demo municipality a developer sees on
// an empty dev database (with the persons the dev login page offers), and any number of synthetic
// citizens for scale tests. It writes rows directly with the domain models, with the same texts
// and change-feed rows the agency API would write, and registers each object as its agency's record
// (ingest.Register, with the body a PUT would store), so neither the portal nor the agency can
// tell seeded data apart: the agency reads, updates, deletes and lists it through its API.
package seed

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/citizens"
	"minside/backend/internal/store"
)

// Seeder writes demo and scale data into one database.
type Seeder struct {
	db  *store.DB
	dir *citizens.Directory
	log *slog.Logger
}

// New builds a seeder; dir turns the synthetic numbers into the pseudonyms the database stores,
// so it must use the portal's own key (or the seeded persons could not log in).
func New(db *store.DB, dir *citizens.Directory, log *slog.Logger) *Seeder {
	return &Seeder{db: db, dir: dir, log: log}
}

// Summary counts what a seeding step wrote.
type Summary struct {
	Agencies      int
	Citizens      int
	Relations     int
	Cases         int
	Bookings      int
	Keys          int
	Notifications int
	Tiles         int
	Rows          int // every row, texts and feed rows included
	Elapsed       time.Duration
}

// LogValue lets a summary be logged as one group.
func (s Summary) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("agencies", s.Agencies), slog.Int("citizens", s.Citizens),
		slog.Int("relations", s.Relations), slog.Int("cases", s.Cases), slog.Int("bookings", s.Bookings),
		slog.Int("keys", s.Keys), slog.Int("notifications", s.Notifications), slog.Int("tiles", s.Tiles),
		slog.Int("rows", s.Rows), slog.Duration("elapsed", s.Elapsed.Round(time.Millisecond)))
}

func (s *Summary) add(r *rows) {
	s.Citizens += len(r.citizens)
	s.Relations += len(r.relations)
	s.Cases += len(r.cases)
	s.Bookings += len(r.bookings)
	s.Keys += len(r.keys)
	s.Notifications += len(r.notifications)
	s.Tiles += len(r.tiles)
	s.Rows += r.count()
}

// Empty reports whether the database has no agencies, the sign that nothing was ever seeded or pushed.
func (s *Seeder) Empty(ctx context.Context) (bool, error) { return noAgencies(ctx, s.db) }

func noAgencies(ctx context.Context, db bun.IDB) (bool, error) {
	n, err := db.NewSelect().Model((*agency.Agency)(nil)).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("seed: count agencies: %w", err)
	}
	return n == 0, nil
}

// Demo seeds the demo municipality in one transaction when the database has no agencies and
// reports whether it did. Times are relative to now, so the demo looks alive whenever it starts:
// upcoming bookings are ahead of now, deadlines a few days away.
func (s *Seeder) Demo(ctx context.Context, now time.Time) (Summary, bool, error) {
	started := time.Now()
	var sum Summary
	seeded := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		empty, err := noAgencies(ctx, tx)
		if err != nil || !empty {
			return err
		}
		b, err := ensureBase(ctx, tx, now)
		if err != nil {
			return err
		}
		r, err := demoRows(s.dir, b, now)
		if err != nil {
			return err
		}
		if err := r.insert(ctx, tx, defaultChunk); err != nil {
			return err
		}
		sum.add(r)
		sum.Agencies = len(b.agency)
		seeded = true
		return nil
	})
	if err != nil {
		return Summary{}, false, err
	}
	sum.Elapsed = time.Since(started)
	if seeded && s.log != nil {
		s.log.Info("seeded the demo municipality", "summary", sum)
	}
	return sum, seeded, nil
}
