package idempotency

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/changes"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// sideEffect writes a changes row, so a test can count how often fn really ran (and whether its
// writes survived).
func sideEffect(body string) func(tx bun.Tx) (int, []byte, error) {
	return func(tx bun.Tx) (int, []byte, error) {
		if err := changes.Record(context.Background(), tx, nil, "tile", body, changes.OpUpsert, time.Now()); err != nil {
			return 0, nil, err
		}
		return 200, []byte(`{"id":"` + body + `"}`), nil
	}
}

func countChanges(t *testing.T, db *store.DB, objectID string) int {
	t.Helper()
	n, err := db.NewSelect().Model((*changes.Change)(nil)).Where("object_id = ?", objectID).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestDo(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	hashA := RequestHash("POST", "/api/v1/bookings/1/cancel", []byte(`{}`))
	hashB := RequestHash("POST", "/api/v1/bookings/2/cancel", []byte(`{}`))

	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Run("replay returns the stored answer and runs nothing", func(t *testing.T) {
			st, body, replayed, err := do(ctx, db, now, "citizen:a", "k1", hashA, sideEffect("r1"))
			if err != nil || st != 200 || replayed || string(body) != `{"id":"r1"}` {
				t.Fatalf("first: %d %s %v %v", st, body, replayed, err)
			}
			st, body, replayed, err = do(ctx, db, now.Add(time.Hour), "citizen:a", "k1", hashA, sideEffect("r1-again"))
			if err != nil || st != 200 || !replayed || string(body) != `{"id":"r1"}` {
				t.Fatalf("replay: %d %s %v %v", st, body, replayed, err)
			}
			if countChanges(t, db, "r1") != 1 || countChanges(t, db, "r1-again") != 0 {
				t.Fatal("the replay ran fn again")
			}
		})

		t.Run("same key with another request is refused with 422", func(t *testing.T) {
			if _, _, _, err := do(ctx, db, now, "citizen:a", "k2", hashA, sideEffect("r2")); err != nil {
				t.Fatal(err)
			}
			_, _, _, err := do(ctx, db, now, "citizen:a", "k2", hashB, sideEffect("r2-other"))
			if !apperr.Is(err, apperr.CodeInvalid) {
				t.Fatalf("want invalid, got %v", err)
			}
			if countChanges(t, db, "r2-other") != 0 {
				t.Fatal("a refused request changed something")
			}
		})

		t.Run("scopes are separate", func(t *testing.T) {
			for _, scope := range []string{"citizen:x", "citizen:y"} {
				_, _, replayed, err := do(ctx, db, now, scope, "shared", hashA, sideEffect("scoped-"+scope))
				if err != nil || replayed {
					t.Fatalf("%s: replayed=%v err=%v", scope, replayed, err)
				}
			}
		})

		t.Run("an error rolls back the claim and fn's writes; a retry runs", func(t *testing.T) {
			failing := func(tx bun.Tx) (int, []byte, error) {
				if err := changes.Record(ctx, tx, nil, "tile", "r3-failed", changes.OpUpsert, now); err != nil {
					return 0, nil, err
				}
				return 0, nil, apperr.New(apperr.CodeInvalid).WithDetail("error.detail.cancel_deadline_passed", nil)
			}
			if _, _, _, err := do(ctx, db, now, "citizen:a", "k3", hashA, failing); !apperr.Is(err, apperr.CodeInvalid) {
				t.Fatalf("want the apperr back, got %v", err)
			}
			if countChanges(t, db, "r3-failed") != 0 {
				t.Fatal("fn's writes survived its error")
			}
			_, _, replayed, err := do(ctx, db, now, "citizen:a", "k3", hashA, sideEffect("r3"))
			if err != nil || replayed || countChanges(t, db, "r3") != 1 {
				t.Fatalf("retry after an error did not run: replayed=%v err=%v", replayed, err)
			}
			plain := errors.New("database went away")
			_, _, _, err = do(ctx, db, now, "citizen:a", "k4", hashA, func(bun.Tx) (int, []byte, error) { return 0, nil, plain })
			if !errors.Is(err, plain) {
				t.Fatalf("a plain error was not passed through: %v", err)
			}
		})

		t.Run("a key older than the TTL starts a new request", func(t *testing.T) {
			if _, _, _, err := do(ctx, db, now, "citizen:a", "k5", hashA, sideEffect("r5")); err != nil {
				t.Fatal(err)
			}
			later := now.Add(TTL + time.Minute)
			_, body, replayed, err := do(ctx, db, later, "citizen:a", "k5", hashB, sideEffect("r5-new"))
			if err != nil || replayed || string(body) != `{"id":"r5-new"}` {
				t.Fatalf("expired key: %s %v %v", body, replayed, err)
			}
		})

		t.Run("no key runs every time", func(t *testing.T) {
			for range 2 {
				if _, _, replayed, err := do(ctx, db, now, "citizen:a", "", hashA, sideEffect("r6")); err != nil || replayed {
					t.Fatalf("replayed=%v err=%v", replayed, err)
				}
			}
			if countChanges(t, db, "r6") != 2 {
				t.Fatal("without a key fn must run each time")
			}
		})

		t.Run("a malformed key is refused", func(t *testing.T) {
			for _, key := range []string{"has space", string(make([]byte, MaxKeyLength+1)), "tab\t"} {
				if _, _, _, err := do(ctx, db, now, "citizen:a", key, hashA, sideEffect("bad")); !apperr.Is(err, apperr.CodeBadRequest) {
					t.Fatalf("key %q: want bad_request, got %v", key, err)
				}
			}
		})

		t.Run("concurrent requests with one key run fn once", func(t *testing.T) {
			const n = 25
			var wg sync.WaitGroup
			var mu sync.Mutex
			bodies := map[string]int{}
			fresh := 0
			for i := range n {
				wg.Go(func() {
					_, body, replayed, err := Do(ctx, db, "citizen:c", "same", hashA, sideEffect("concurrent"))
					if err != nil {
						t.Errorf("request %d: %v", i, err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					bodies[string(body)]++
					if !replayed {
						fresh++
					}
				})
			}
			wg.Wait()
			if fresh != 1 || len(bodies) != 1 || bodies[`{"id":"concurrent"}`] != n {
				t.Fatalf("fresh=%d bodies=%v", fresh, bodies)
			}
			if got := countChanges(t, db, "concurrent"); got != 1 {
				t.Fatalf("fn ran %d times", got)
			}
		})

		t.Run("purge and delete scope", func(t *testing.T) {
			if _, _, _, err := do(ctx, db, now.Add(-2*TTL), "citizen:old", "k", hashA, sideEffect("old")); err != nil {
				t.Fatal(err)
			}
			n, err := Purge(ctx, db, now)
			if err != nil || n != 1 {
				t.Fatalf("purge removed %d: %v", n, err)
			}
			if err := DeleteScope(ctx, db, "citizen:a"); err != nil {
				t.Fatal(err)
			}
			left, err := db.NewSelect().Model((*Record)(nil)).Where("scope = ?", "citizen:a").Count(ctx)
			if err != nil || left != 0 {
				t.Fatalf("%d keys left in the deleted scope (%v)", left, err)
			}
			all, err := db.NewSelect().Model((*Record)(nil)).Count(ctx)
			if err != nil || all == 0 {
				t.Fatal(fmt.Sprint("delete scope removed other scopes too: ", all, err))
			}
		})
	})
}

func TestRequestHashDiffers(t *testing.T) {
	cases := []struct{ m1, p1, b1, m2, p2, b2 string }{
		{"POST", "/a", "{}", "POST", "/b", "{}"},
		{"POST", "/a", `{"x":1}`, "POST", "/a", `{"x":2}`},
		{"POST", "/a", "", "DELETE", "/a", ""},
		{"POST", "/ab", "", "POST", "/a", "b"}, // separators keep fields apart
	}
	for _, c := range cases {
		if RequestHash(c.m1, c.p1, []byte(c.b1)) == RequestHash(c.m2, c.p2, []byte(c.b2)) {
			t.Errorf("%v: hashes collide", c)
		}
	}
	if RequestHash("POST", "/a", []byte("{}")) != RequestHash("POST", "/a", []byte("{}")) {
		t.Error("hash is not deterministic")
	}
}
