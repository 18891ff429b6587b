package store

import (
	"context"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// RoundTrips counts the database round trips made with one context: every statement Bun sends is
// one, and a Batch sent as a PostgreSQL pipeline is one however many statements it holds. It is how
// a test (and the dev-mode X-DB-Round-Trips header) holds a request to its budget.
type RoundTrips struct{ n atomic.Int64 }

// Count is the number of round trips so far.
func (r *RoundTrips) Count() int64 { return r.n.Load() }

type roundTripsKey struct{}

// CountRoundTrips returns a context whose round trips are counted in the returned counter.
func CountRoundTrips(ctx context.Context) (context.Context, *RoundTrips) {
	r := &RoundTrips{}
	return context.WithValue(ctx, roundTripsKey{}, r), r
}

// countRoundTrip adds one round trip to ctx's counter, if it has one.
func countRoundTrip(ctx context.Context) {
	if r, ok := ctx.Value(roundTripsKey{}).(*RoundTrips); ok {
		r.n.Add(1)
	}
}

// roundTripHook counts every statement Bun runs (installed on every DB by Open).
type roundTripHook struct{}

func (roundTripHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	countRoundTrip(ctx)
	return ctx
}

func (roundTripHook) AfterQuery(context.Context, *bun.QueryEvent) {}
