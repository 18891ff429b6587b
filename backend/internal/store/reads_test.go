package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

type readAgency struct {
	ID        string    `bun:"id" json:"id"`
	Slug      string    `bun:"slug" json:"slug"`
	Hook      *string   `bun:"webhook_url" json:"webhook_url"`
	CreatedAt time.Time `bun:"created_at" json:"created_at"`
}

type readCount struct {
	N int `bun:"n" json:"n"`
}

// TestReadsAnswerEveryQueryInOneRoundTrip runs three queries and an insert together: the same rows as alone, in
// one round trip on PostgreSQL and one statement each on SQLite; the insert's text, with its
// question marks and quotes, is written as it was.
func TestReadsAnswerEveryQueryInOneRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := store.UTC(time.Date(2026, 12, 4, 16, 5, 6, 789123000, time.UTC))
		hook := "https://hooks.example.no/x"
		for i, slug := range []string{"plan", "helse", "bibliotek"} {
			a := &agency.Agency{ID: store.NewID(), Slug: slug, Name: slug, CreatedAt: now.Add(time.Duration(i) * time.Second), UpdatedAt: now}
			if i == 0 {
				a.WebhookURL = &hook
			}
			if _, err := db.NewInsert().Model(a).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var listed, none []readAgency
		var counted []readCount
		counting, trips := store.CountRoundTrips(ctx)
		reads := db.NewReads()
		reads.Add(&listed, `SELECT id, slug, webhook_url, created_at FROM agencies WHERE slug IN (?) ORDER BY created_at DESC`,
			bun.In([]string{"plan", "helse"}))
		reads.Add(&none, `SELECT id, slug, webhook_url, created_at FROM agencies WHERE slug = ?`, "nobody")
		reads.Add(&counted, `SELECT COUNT(*) AS n FROM agencies WHERE created_at >= ?`, now)
		odd := &agency.Agency{ID: store.NewID(), Slug: "odd", Name: "what? 'quoted' ?", CreatedAt: now, UpdatedAt: now}
		reads.AddWrite(db.NewInsert().Model(odd))
		if err := reads.Run(counting); err != nil {
			t.Fatal(err)
		}
		if len(listed) != 2 || listed[0].Slug != "helse" || listed[1].Slug != "plan" || listed[0].Hook != nil ||
			listed[1].Hook == nil || *listed[1].Hook != hook || !listed[1].CreatedAt.Equal(now) {
			t.Errorf("listed = %+v", listed)
		}
		if len(none) != 0 || len(counted) != 1 || counted[0].N != 3 {
			t.Errorf("none = %+v, counted = %+v", none, counted)
		}
		var name string
		if err := db.NewSelect().Model((*agency.Agency)(nil)).Column("name").Where("slug = 'odd'").Scan(ctx, &name); err != nil || name != odd.Name {
			t.Errorf("written name = %q, %v", name, err)
		}
		want := int64(4)
		if db.Kind == store.Postgres {
			want = 1
		}
		if trips.Count() != want {
			t.Errorf("%d round trips, want %d", trips.Count(), want)
		}
	})
}
