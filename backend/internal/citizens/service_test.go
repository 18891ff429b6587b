package citizens_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/citizens"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestEnsureStoresOnlyThePseudonym(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p, err := pid.NewPseudonymizer([]byte(strings.Repeat("k", 32)))
		if err != nil {
			t.Fatal(err)
		}
		dir := citizens.NewDirectory(p, true)
		number, err := pid.Synthetic(time.Date(2012, 5, 17, 0, 0, 0, 0, time.UTC), 512)
		if err != nil {
			t.Fatal(err)
		}
		n, err := dir.Parse(number)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		first, err := dir.Ensure(ctx, db, n, "Ola", now)
		if err != nil {
			t.Fatal(err)
		}
		again, err := dir.Ensure(ctx, db, n, "Ola Nordmann", now)
		if err != nil {
			t.Fatal(err)
		}
		if first.ID != again.ID || again.Name != "Ola Nordmann" {
			t.Fatalf("ensure created a second citizen or kept the old name: %+v %+v", first, again)
		}
		if !again.IsMinor(now) || again.IsMinor(now.AddDate(6, 0, 0)) {
			t.Fatal("minor status wrong around the 18th birthday")
		}
		leaked, err := db.NewSelect().Model((*citizens.Citizen)(nil)).Where("pid_hash = ? OR pid_masked = ?", number, number).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if leaked != 0 || strings.Contains(again.PIDMasked, number[6:]) {
			t.Fatal("the national identity number is stored in clear text")
		}
	})
}

// TestEnsureAllFindsAndCreatesInOneGo: the bulk form returns known and new people alike, once
// each, and creates only the new ones.
func TestEnsureAllFindsAndCreatesInOneGo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p, err := pid.NewPseudonymizer([]byte(strings.Repeat("k", 32)))
		if err != nil {
			t.Fatal(err)
		}
		dir := citizens.NewDirectory(p, true)
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		var numbers []pid.Number
		for i := range 3 {
			raw, err := pid.Synthetic(time.Date(1980+i, 5, 17, 0, 0, 0, 0, time.UTC), 212)
			if err != nil {
				t.Fatal(err)
			}
			n, err := dir.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			numbers = append(numbers, n)
		}
		known, err := dir.Ensure(ctx, db, numbers[0], "Kari", now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dir.EnsureAll(ctx, db, append(numbers, numbers[1]), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("%d people for 3 numbers", len(got))
		}
		if c := got[dir.Pseudonym(numbers[0])]; c == nil || c.ID != known.ID || c.Name != "Kari" {
			t.Fatalf("the known person was not found as stored: %+v", c)
		}
		for _, n := range numbers[1:] {
			c := got[dir.Pseudonym(n)]
			if c == nil || c.PIDMasked != n.String() || !c.BirthDate.Equal(n.BirthDate) {
				t.Fatalf("a new person: %+v", c)
			}
		}
		if count, err := db.NewSelect().Model((*citizens.Citizen)(nil)).Count(ctx); err != nil || count != 3 {
			t.Fatalf("%d citizens stored (%v), want 3", count, err)
		}
	})
}
