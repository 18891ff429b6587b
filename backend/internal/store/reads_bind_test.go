package store_test

import (
	"context"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestReadsSendArgumentsApartOnPostgres queues the same reads for different arguments: the answers
// are each set's own, and on PostgreSQL the statement's text is the same for both (its arguments
// travel apart, so the server keeps it prepared).
func TestReadsSendArgumentsApartOnPostgres(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := store.UTC(time.Date(2026, 12, 4, 16, 5, 6, 789123000, time.UTC))
		for i, slug := range []string{"plan", "helse", "bibliotek"} {
			a := &agency.Agency{ID: store.NewID(), Slug: slug, Name: "what", CreatedAt: now.Add(time.Duration(i) * time.Second), UpdatedAt: now}
			if _, err := db.NewInsert().Model(a).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		queue := func(slugs []string, since time.Time) (*store.Reads, *[]readAgency, *[]readCount) {
			var listed []readAgency
			var counted []readCount
			reads := db.NewReads()
			reads.Add(&listed, `SELECT id, slug, webhook_url, created_at FROM agencies WHERE name = 'what' AND slug IN (?) ORDER BY slug`,
				store.In(slugs))
			reads.Add(&counted, `SELECT COUNT(*) AS n FROM agencies WHERE created_at >= ? AND name <> ?`, since, "it's")
			return reads, &listed, &counted
		}
		first, listed, counted := queue([]string{"plan", "helse"}, now.Add(time.Second))
		second, listed2, counted2 := queue([]string{"bibliotek", "nobody"}, now)
		a, err := first.Statements()
		if err != nil {
			t.Fatal(err)
		}
		b, err := second.Statements()
		if err != nil {
			t.Fatal(err)
		}
		if db.Kind == store.Postgres && (len(a) != 1 || len(b) != 1 || a[0].SQL != b[0].SQL || len(a[0].Args) != 4) {
			t.Errorf("statements %+v and %+v: want one text, the same for both, with 4 arguments apart", a, b)
		}
		for _, reads := range []*store.Reads{first, second} {
			if err := reads.Run(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if len(*listed) != 2 || (*listed)[0].Slug != "helse" || (*listed)[1].Slug != "plan" || !(*listed)[1].CreatedAt.Equal(now) {
			t.Errorf("first listed %+v", *listed)
		}
		if len(*listed2) != 1 || (*listed2)[0].Slug != "bibliotek" {
			t.Errorf("second listed %+v", *listed2)
		}
		if (*counted)[0].N != 2 || (*counted2)[0].N != 3 {
			t.Errorf("counted %+v and %+v, want 2 and 3", *counted, *counted2)
		}
		var none []readAgency
		empty := db.NewReads()
		empty.Add(&none, `SELECT id, slug, webhook_url, created_at FROM agencies WHERE slug IN (?)`, store.In([]string{}))
		if err := empty.Run(ctx); err != nil || len(none) != 0 {
			t.Errorf("an empty list read %+v, %v", none, err)
		}
		if db.Kind != store.Postgres {
			return
		}
		// A DSN that names a query exec mode (for a pooler that cannot hold prepared statements)
		// gets Bun's inline text, which every mode can send.
		simple, err := store.Open(ctx, db.DSN+"&default_query_exec_mode=simple_protocol")
		if err != nil {
			t.Fatal(err)
		}
		defer simple.Close()
		var inline []readAgency
		reads := simple.NewReads()
		reads.Add(&inline, `SELECT id, slug, webhook_url, created_at FROM agencies WHERE slug IN (?)`, store.In([]string{"plan"}))
		sts, err := reads.Statements()
		if err != nil || len(sts) != 1 || len(sts[0].Args) != 0 {
			t.Errorf("with a named exec mode: %+v, %v; want one statement with its arguments in the text", sts, err)
		}
		if err := reads.Run(ctx); err != nil || len(inline) != 1 || inline[0].Slug != "plan" {
			t.Errorf("with a named exec mode read %+v, %v", inline, err)
		}
	})
}
