package idempotency

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestDoOutside(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	hashA := RequestHash("POST", "/api/v1/keys/1/open", []byte(`{"accessPointId":"a"}`))
	hashB := RequestHash("POST", "/api/v1/keys/1/open", []byte(`{"accessPointId":"b"}`))
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var runs atomic.Int32
		opener := func(context.Context) (int, []byte, error) { runs.Add(1); return 200, []byte(`{"opened":true}`), nil }

		t.Run("runs once, replays, refuses another body", func(t *testing.T) {
			runs.Store(0)
			for i := range 2 {
				st, body, replayed, err := doOutside(ctx, db, now, "citizen:a", "k1", hashA, opener)
				if err != nil || st != 200 || string(body) != `{"opened":true}` || replayed != (i == 1) {
					t.Fatalf("call %d: %d %s %v %v", i, st, body, replayed, err)
				}
			}
			if runs.Load() != 1 {
				t.Fatalf("ran %d times", runs.Load())
			}
			if _, _, _, err := doOutside(ctx, db, now, "citizen:a", "k1", hashB, opener); !apperr.Is(err, apperr.CodeInvalid) {
				t.Fatalf("reuse with another body: %v", err)
			}
		})

		t.Run("an error releases the key", func(t *testing.T) {
			failing := func(context.Context) (int, []byte, error) { return 0, nil, apperr.Unavailable(nil) }
			if _, _, _, err := doOutside(ctx, db, now, "citizen:a", "k2", hashA, failing); !apperr.Is(err, apperr.CodeUnavailable) {
				t.Fatalf("%v", err)
			}
			runs.Store(0)
			if _, _, replayed, err := doOutside(ctx, db, now, "citizen:a", "k2", hashA, opener); err != nil || replayed || runs.Load() != 1 {
				t.Fatalf("retry after an error: %v %v", replayed, err)
			}
		})

		t.Run("concurrent requests with one key: one runs, the others wait their turn or replay", func(t *testing.T) {
			runs.Store(0)
			release := make(chan struct{})
			slow := func(context.Context) (int, []byte, error) {
				runs.Add(1)
				<-release
				return 200, []byte(`{"opened":true}`), nil
			}
			var wg sync.WaitGroup
			var conflicts atomic.Int32
			started := make(chan struct{})
			wg.Go(func() {
				close(started)
				if _, _, _, err := doOutside(ctx, db, now, "citizen:c", "k", hashA, slow); err != nil {
					t.Error(err)
				}
			})
			<-started
			for runs.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			for range 5 {
				wg.Go(func() {
					_, _, _, err := doOutside(ctx, db, now, "citizen:c", "k", hashA, slow)
					if apperr.Is(err, apperr.CodeConflict) {
						conflicts.Add(1)
					} else {
						t.Errorf("want 409 while in progress, got %v", err)
					}
				})
			}
			for conflicts.Load() < 5 && !t.Failed() {
				time.Sleep(time.Millisecond)
			}
			close(release)
			wg.Wait()
			if runs.Load() != 1 {
				t.Fatalf("ran %d times", runs.Load())
			}
			if _, _, replayed, err := doOutside(ctx, db, now, "citizen:c", "k", hashA, slow); err != nil || !replayed {
				t.Fatalf("after it finished: %v %v", replayed, err)
			}
		})

		t.Run("an abandoned claim is taken over after a minute", func(t *testing.T) {
			if _, err := db.NewInsert().Model(&Record{Scope: "citizen:d", Key: "k", RequestHash: hashA, StatusCode: statusInProgress, CreatedAt: now}).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := doOutside(ctx, db, now.Add(30*time.Second), "citizen:d", "k", hashA, opener); !apperr.Is(err, apperr.CodeConflict) {
				t.Fatalf("within the minute: %v", err)
			}
			if _, _, replayed, err := doOutside(ctx, db, now.Add(2*time.Minute), "citizen:d", "k", hashA, opener); err != nil || replayed {
				t.Fatalf("after the minute: %v %v", replayed, err)
			}
		})
	})
}
