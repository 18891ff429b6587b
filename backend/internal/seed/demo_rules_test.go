package seed

import (
	"context"
	"testing"
	"time"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
)

// The demo's suggestions are the ones the engine would make: evaluating Kari with the real engine
// keeps her seeded suggestion (same row, nothing made, nothing withdrawn).
func TestDemoSuggestionsAreTheEnginesOwn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newSeeder(t, db)
		if _, _, err := s.Demo(ctx, testNow); err != nil {
			t.Fatal(err)
		}
		var kari, jonas string
		if err := db.NewSelect().Table("citizens").Column("id").Where("name = 'Kari Nordmann'").Scan(ctx, &kari); err != nil {
			t.Fatal(err)
		}
		if err := db.NewSelect().Table("citizens").Column("id").Where("name = 'Jonas Nordmann'").Scan(ctx, &jonas); err != nil {
			t.Fatal(err)
		}
		var before []suggest.Row
		if err := db.NewSelect().Model(&before).Where("citizen_id = ?", kari).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(before) != 1 || before[0].Occurrence != jonas || before[0].State != suggest.StateActive {
			t.Fatalf("Kari's seeded suggestions = %+v", before)
		}
		env, err := suggest.NewEnv()
		if err != nil {
			t.Fatal(err)
		}
		out, err := suggest.NewEngine(db, env, func() time.Time { return testNow }, nil, false).Evaluate(ctx, kari, suggest.Event{Kind: "sweep"})
		if err != nil || out.Failed != 0 || out.Made != 0 || out.Withdrawn != 0 {
			t.Fatalf("engine on the demo: %+v, %v (the demo rule must compile and hold)", out, err)
		}
		var after []suggest.Row
		if err := db.NewSelect().Model(&after).Where("citizen_id = ?", kari).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(after) != 1 || after[0].ID != before[0].ID || after[0].State != suggest.StateActive {
			t.Errorf("after the engine: %+v", after)
		}
	})
}
