package ratelimit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minside/backend/internal/ratelimit"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestAllow(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2026, 11, 23, 12, 0, 10, 0, time.UTC) // 10 s into a minute window
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Run("fixed window", func(t *testing.T) {
			steps := []struct {
				at        time.Duration
				allowed   bool
				retryLeft time.Duration
			}{
				{0, true, 0},
				{time.Second, true, 0},
				{2 * time.Second, true, 0},
				{3 * time.Second, false, 47 * time.Second}, // 4th in the window: refused until 12:01:00
				{40 * time.Second, false, 10 * time.Second},
				{50 * time.Second, true, 0}, // 12:01:00: a new window
			}
			for _, s := range steps {
				ok, retry, err := ratelimit.Allow(ctx, db, "door:a", 3, time.Minute, base.Add(s.at))
				if err != nil {
					t.Fatal(err)
				}
				if ok != s.allowed || retry != s.retryLeft {
					t.Fatalf("at +%s: allowed=%v retry=%s, want %v %s", s.at, ok, retry, s.allowed, s.retryLeft)
				}
			}
		})

		t.Run("buckets are separate", func(t *testing.T) {
			for _, b := range []string{"door:x", "door:y"} {
				if ok, _, err := ratelimit.Allow(ctx, db, b, 1, time.Minute, base); err != nil || !ok {
					t.Fatalf("%s: %v %v", b, ok, err)
				}
			}
			if ok, _, _ := ratelimit.Allow(ctx, db, "door:x", 1, time.Minute, base); ok {
				t.Fatal("second attempt on a limit of one was allowed")
			}
		})

		t.Run("a replica with a slower clock does not reset a newer window", func(t *testing.T) {
			later := base.Add(time.Minute)
			if ok, _, _ := ratelimit.Allow(ctx, db, "door:skew", 1, time.Minute, later); !ok {
				t.Fatal("first attempt refused")
			}
			if ok, _, _ := ratelimit.Allow(ctx, db, "door:skew", 1, time.Minute, base); ok {
				t.Fatal("an older window reset the counter")
			}
		})

		t.Run("concurrent attempts are all counted", func(t *testing.T) {
			var allowed atomic.Int32
			var wg sync.WaitGroup
			for range 30 {
				wg.Go(func() {
					ok, _, err := ratelimit.Allow(ctx, db, "door:busy", 10, time.Minute, base)
					if err != nil {
						t.Error(err)
					}
					if ok {
						allowed.Add(1)
					}
				})
			}
			wg.Wait()
			if allowed.Load() != 10 {
				t.Fatalf("%d of 30 allowed with a limit of 10", allowed.Load())
			}
		})

		t.Run("purge", func(t *testing.T) {
			n, err := ratelimit.Purge(ctx, db, base.Add(time.Hour))
			if err != nil || n == 0 {
				t.Fatalf("purged %d: %v", n, err)
			}
			if ok, _, _ := ratelimit.Allow(ctx, db, "door:busy", 10, time.Minute, base); !ok {
				t.Fatal("the purged bucket still counts")
			}
		})

		t.Run("bad arguments", func(t *testing.T) {
			if _, _, err := ratelimit.Allow(ctx, db, "b", 0, time.Minute, base); err == nil {
				t.Fatal("limit 0 accepted")
			}
		})
	})
}
