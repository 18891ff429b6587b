package idempotency_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/idempotency"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestDoRunsOncePerKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		s := idempotency.NewStore(db, func() time.Time { return now })
		runs := 0
		work := func() (idempotency.Response, error) {
			runs++
			return idempotency.Response{Status: 200, Body: []byte(`{"n":1}`)}, nil
		}
		hash := idempotency.HashRequest("POST", "/bulk", []byte("body"))
		for i, wantReplay := range []bool{false, true, true} {
			res, replayed, err := s.Do(ctx, "agency:a", "k1", hash, work)
			if err != nil || replayed != wantReplay || res.Status != 200 || string(res.Body) != `{"n":1}` {
				t.Fatalf("call %d: %+v %v %v", i, res, replayed, err)
			}
		}
		if runs != 1 {
			t.Fatalf("ran %d times", runs)
		}
		// The same key with another request is refused; another scope is another caller.
		if _, _, err := s.Do(ctx, "agency:a", "k1", idempotency.HashRequest("POST", "/bulk", []byte("other")), work); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("reused key: %v", err)
		}
		if _, replayed, err := s.Do(ctx, "agency:b", "k1", hash, work); err != nil || replayed || runs != 2 {
			t.Fatalf("other scope: %v %v %d", replayed, err, runs)
		}
		// A failed run is forgotten, so the client may retry with the same key.
		boom := errors.New("database down")
		if _, _, err := s.Do(ctx, "agency:a", "k2", hash, func() (idempotency.Response, error) { return idempotency.Response{}, boom }); !errors.Is(err, boom) {
			t.Fatalf("failure: %v", err)
		}
		if _, replayed, err := s.Do(ctx, "agency:a", "k2", hash, work); err != nil || replayed {
			t.Fatalf("retry after failure: %v %v", replayed, err)
		}
		// While a run is in progress, the same key is a conflict.
		var inner error
		_, _, err := s.Do(ctx, "agency:a", "k3", hash, func() (idempotency.Response, error) {
			_, _, inner = s.Do(ctx, "agency:a", "k3", hash, work)
			return idempotency.Response{Status: 200}, nil
		})
		if err != nil || !apperr.Is(inner, apperr.CodeConflict) {
			t.Fatalf("in progress: %v / %v", err, inner)
		}
	})
}

func TestValidKey(t *testing.T) {
	for key, want := range map[string]bool{"": false, "abc-123": true, "has space": false, string(make([]byte, 256)): false, "æøå": false} {
		if idempotency.ValidKey(key) != want {
			t.Errorf("ValidKey(%q) != %v", key, want)
		}
	}
}
