package store

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/uptrace/bun"
)

// RoundTrips counts database round trips: every statement Bun sends is one (BEGIN and COMMIT
// included), and a set of Reads sent as one PostgreSQL statement is one however many queries it
// holds. A counter covers either one context (a request: tests and the dev-mode X-DB-Round-Trips
// header hold it to its budget) or a whole database (tests and benchmarks of work that runs on
// contexts of its own); both are fed by the one hook Open installs.
type RoundTrips struct{ n atomic.Int64 }

// Count is the number of round trips so far.
func (r *RoundTrips) Count() int64 { return r.n.Load() }

// Take returns the count so far and starts again from zero.
func (r *RoundTrips) Take() int64 { return r.n.Swap(0) }

type roundTripsKey struct{}

// CountRoundTrips returns a context whose round trips are counted in the returned counter.
func CountRoundTrips(ctx context.Context) (context.Context, *RoundTrips) {
	r := &RoundTrips{}
	return context.WithValue(ctx, roundTripsKey{}, r), r
}

// CountRoundTrips starts counting every round trip db makes from now on, whatever its context.
func (db *DB) CountRoundTrips() *RoundTrips {
	r := &RoundTrips{}
	h := db.roundTrips
	h.mu.Lock()
	defer h.mu.Unlock()
	counters := []*RoundTrips{r}
	if old := h.everything.Load(); old != nil {
		counters = append(counters, *old...)
	}
	h.everything.Store(&counters)
	return r
}

// roundTripHook counts every statement Bun runs into the context's counter and the database's
// (installed on every DB by Open).
type roundTripHook struct {
	mu         sync.Mutex                    // serializes additions to everything
	everything atomic.Pointer[[]*RoundTrips] // the database-wide counters; none outside tests
}

func (h *roundTripHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	h.count(ctx)
	return ctx
}

// count adds one round trip; statements sent past Bun (QueryStatement) call it themselves.
func (h *roundTripHook) count(ctx context.Context) {
	countInContext(ctx)
	if counters := h.everything.Load(); counters != nil {
		for _, r := range *counters {
			r.n.Add(1)
		}
	}
}

func (*roundTripHook) AfterQuery(context.Context, *bun.QueryEvent) {}

// countInContext adds one round trip to the context's counter only: CopyModels, which holds a Bun
// handle rather than a DB, counts its COPY this way (a database-wide counter does not see it).
func countInContext(ctx context.Context) {
	if r, ok := ctx.Value(roundTripsKey{}).(*RoundTrips); ok {
		r.n.Add(1)
	}
}
