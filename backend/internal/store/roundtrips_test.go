package store_test

import (
	"context"
	"testing"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestRoundTripsAreCountedPerContextAndPerDatabase: one hook feeds both kinds of counter. A
// context's counter sees only the statements run with it (a transaction's BEGIN and COMMIT
// included); the database's sees every statement, whatever its context, until it is taken.
func TestRoundTripsAreCountedPerContextAndPerDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		everything := db.CountRoundTrips()
		counted, mine := store.CountRoundTrips(context.Background())
		var n int
		if err := db.NewRaw("SELECT 1").Scan(counted, &n); err != nil {
			t.Fatal(err)
		}
		if err := db.NewRaw("SELECT 2").Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		if got := mine.Count(); got != 1 {
			t.Errorf("context counter: %d round trips, want 1", got)
		}
		if got := everything.Take(); got != 2 {
			t.Errorf("database counter: %d round trips, want 2", got)
		}
		tx, err := db.BeginTx(counted, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.NewRaw("SELECT 3").Scan(counted, &n); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := mine.Count(); got != 4 {
			t.Errorf("context counter after BEGIN, SELECT, COMMIT: %d round trips, want 4", got)
		}
		if got := everything.Count(); got != 3 {
			t.Errorf("database counter after Take and a transaction: %d round trips, want 3", got)
		}
	})
}
