package suggest

import (
	"testing"
	"time"
)

// BenchmarkEvaluate50Rules times what one change event for one person costs in the engine: the
// 50 rules evaluated over a parent's facts (two children, three cases, two bookings, a key), the
// facts already loaded.
func BenchmarkEvaluate50Rules(b *testing.B) {
	env, err := NewEnv()
	if err != nil {
		b.Fatal(err)
	}
	var rules []*Rule
	for _, d := range BenchRules(50) {
		r, err := env.Compile(d)
		if err != nil {
			b.Fatal(err)
		}
		rules = append(rules, r)
	}
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	f := &Facts{Now: now, Person: Person{Name: "Kari", Age: 36, BirthDate: time.Date(1990, 5, 5, 0, 0, 0, 0, time.UTC), District: "Grorud"},
		Children: []Child{{ID: "c1", Name: "Jonas", Age: 5, BirthDate: time.Date(2021, 8, 14, 0, 0, 0, 0, time.UTC), Guardian: true},
			{ID: "c2", Name: "Lea", Age: 2, BirthDate: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), Guardian: true}},
		Cases: []Case{{ID: "k1", Kind: "building_permit", Status: "decided", Decided: true, UpdatedAt: now.AddDate(0, 0, -3), DecidedAt: now.AddDate(0, 0, -3)},
			{ID: "k2", Kind: "kindergarten_admission", Status: "in_progress", UpdatedAt: now.AddDate(0, -1, 0)},
			{ID: "k3", Kind: "grant", Status: "awaiting_citizen", UpdatedAt: now.AddDate(0, 0, -20)}},
		Bookings: []Booking{{ID: "b1", Resource: "Møterom", Status: "confirmed", StartsAt: now.AddDate(0, 0, -2), EndsAt: now.AddDate(0, 0, -2).Add(2 * time.Hour)},
			{ID: "b2", Resource: "Hall", Status: "confirmed", StartsAt: now.AddDate(0, 0, 3), EndsAt: now.AddDate(0, 0, 3).Add(time.Hour)}},
		Keys:  []Key{{ID: "key1", Facility: "Grorud bibliotek", Status: "active", ValidUntil: now.AddDate(0, 0, 10)}},
		Event: Event{Kind: "case.decided", ObjectID: "k1"}}
	vars := env.Activation(f)
	matches := 0
	b.ReportAllocs()
	for b.Loop() {
		matches = 0
		for _, r := range rules {
			ms, err := r.Holds(f, vars)
			if err != nil {
				b.Fatal(err)
			}
			matches += len(ms)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/event")
	b.ReportMetric(float64(matches), "matches")
}
