package outbox

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// During a burst a worker's claims on PostgreSQL start where its last full claim began, past the
// finished messages a claim from the head walks over. A message that ends up behind that start
// (here one with an earlier time, as a transaction that commits late leaves it) is still claimed:
// by the claim that comes back short, or by the claim from the head every headClaimEvery.
func TestAMessageBehindTheClaimsStartIsStillClaimed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, tc := range []struct {
			name    string
			advance time.Duration // on the clock after the first claim
			want    []int         // the order handled, on PostgreSQL
		}{
			{"found by the short claim", 0, []int{0, 1, 2, 3, 4, 5, 100}},
			{"found by the claim from the head", headClaimEvery, []int{0, 1, 100, 2, 3, 4, 5}},
		} {
			clk := newClock()
			topic := "burst-" + tc.name
			enqueue(t, db, topic, 6, clk.Now())
			var handled []int
			w := NewWorker(db, map[string]Handler{topic: func(_ context.Context, m Message) Result {
				var p struct{ N int }
				_ = json.Unmarshal(m.Payload, &p)
				handled = append(handled, p.N)
				return Done()
			}}, WorkerOptions{Now: clk.Now, Batch: 2, Concurrency: 1})
			if n, err := w.RunOnce(ctx); err != nil || n != 2 {
				t.Fatalf("%s: first claim took %d (%v)", tc.name, n, err)
			}
			if _, err := Enqueue(ctx, db, topic, map[string]int{"n": 100}, clk.Now().Add(-time.Minute), Options{}); err != nil {
				t.Fatal(err)
			}
			clk.Add(tc.advance)
			for range 10 {
				if n, err := w.RunOnce(ctx); err != nil || n == 0 {
					break
				}
			}
			want := tc.want
			if db.Kind == store.SQLite { // every claim reads from the head
				want = []int{0, 1, 100, 2, 3, 4, 5}
			}
			if !slices.Equal(handled, want) {
				t.Errorf("%s: handled %v, want %v", tc.name, handled, want)
			}
		}
	})
}
