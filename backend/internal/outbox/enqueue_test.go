package outbox_test

import (
	"context"
	"testing"
	"time"

	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestEnqueueIsDedupedByKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		for i, want := range []bool{true, false} {
			added, err := outbox.Enqueue(ctx, db, outbox.TopicPush, map[string]int{"try": i}, now, outbox.Options{DedupeKey: "reminder:b1:24h"})
			if err != nil {
				t.Fatal(err)
			}
			if added != want {
				t.Fatalf("enqueue %d added=%v, want %v", i, added, want)
			}
		}
		if _, err := outbox.Enqueue(ctx, db, outbox.TopicWebhook, map[string]string{"a": "b"}, now, outbox.Options{}); err != nil {
			t.Fatal(err)
		}
		n, err := db.NewSelect().Model((*outbox.Message)(nil)).Count(ctx)
		if err != nil || n != 2 {
			t.Fatalf("count = %d, %v; want 2", n, err)
		}
	})
}
