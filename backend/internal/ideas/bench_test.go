package ideas_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"minside/backend/internal/ideas"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// BenchmarkList reads the first page of a city's ideas (20,000, a tenth of them hidden) by newest
// and by most supported, for all areas and for one: the partial indexes on visible ideas serve
// both orders on both engines.
func BenchmarkList(b *testing.B) {
	const n = 20_000
	each := func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		w := newWorld(b, db)
		rows := make([]ideas.Idea, 0, n)
		for i := range n {
			at := t0.Add(-time.Duration(i) * time.Minute)
			idea := ideas.Idea{ID: store.NewID(), AuthorID: w.author, District: "Grünerløkka", Area: ideas.Areas[i%len(ideas.Areas)],
				Title: fmt.Sprintf("Idé %d", i), Body: "Tekst", Status: ideas.StatusReceived, SupportCount: int64(i * 7919 % 500),
				CreatedAt: at, UpdatedAt: at}
			if i%10 == 0 {
				idea.HiddenAt = &at
			}
			rows = append(rows, idea)
		}
		for i := 0; i < n; i += 1000 {
			if _, err := db.NewInsert().Model(ptr(rows[i : i+1000])).Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
		for _, q := range []ideas.Query{{Sort: ideas.SortNewest}, {Sort: ideas.SortSupported}, {Sort: ideas.SortSupported, Area: "transport"}} {
			b.Run(q.Sort+"/"+q.Area, func(b *testing.B) {
				for b.Loop() {
					list, _, err := w.svc.List(ctx, w.ann, q)
					if err != nil || len(list) != 20 {
						b.Fatalf("%d ideas, %v", len(list), err)
					}
				}
			})
		}
	}
	b.Run("sqlite", func(b *testing.B) { each(b, storetest.SQLite(b)) })
	if os.Getenv(storetest.PostgresDSNEnv) != "" {
		b.Run("postgres", func(b *testing.B) { each(b, storetest.Postgres(b)) })
	}
}

func ptr[T any](v []T) *[]T { return &v }
