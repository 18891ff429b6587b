package suggest_test

import (
	"context"
	"encoding/json"
	"testing"

	"minside/backend/internal/citizens"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
)

// PostgreSQL reads a group's facts as one JSON document, SQLite one statement per kind: the same
// town gives the same facts on both, in the same order — children by birth, the person who turned
// suggestions off left out, an agency turned off remembered, a relation seen from both sides.
func TestFactsAreTheSameOnBothEngines(t *testing.T) {
	now := day(2026, 6, 1)
	loaded := map[string]string{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, now)
		kari := w.person("Kari", day(1988, 2, 29), "Grorud")
		older, younger := w.person("Jonas", day(2021, 8, 14), "Grorud"), w.person("Lea", day(2024, 1, 2), "Grorud")
		w.guardian(kari, younger)
		w.guardian(kari, older)
		w.caseOf(kari, "kindergarten_admission", "decided")
		w.caseOf(kari, "grant", "awaiting_citizen")
		off := w.person("Ola", day(1970, 1, 1), "Alna")
		w.caseOf(off, "grant", "received")
		w.insert(&citizens.Preferences{CitizenID: off, Timezone: "Europe/Oslo", QuietStart: "22:00", QuietEnd: "07:00",
			SuggestionsOff: true, SuggestionsOffAgencies: []string{}, UpdatedAt: now})
		w.insert(&citizens.Preferences{CitizenID: kari, Timezone: "Europe/Oslo", QuietStart: "22:00", QuietEnd: "07:00",
			SuggestionsOffAgencies: []string{"nav"}, UpdatedAt: now})

		people, err := suggest.LoadFacts(ctx, db, []string{kari, older, off}, now)
		if err != nil {
			t.Fatal(err)
		}
		type view struct {
			Facts *suggest.Facts
			Off   []string
		}
		var got []view
		for _, f := range people.Facts {
			got = append(got, view{f, people.OffAgencies(f.Person.ID)})
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		loaded[string(db.Kind)] = string(b)
		if len(people.Facts) != 2 || len(people.Facts[0].Children)+len(people.Facts[1].Children) != 2 {
			t.Fatalf("facts = %s; want Kari with two children and Jonas, not Ola", b)
		}
	})
	if pg, ok := loaded[string(store.Postgres)]; ok && pg != loaded[string(store.SQLite)] {
		t.Fatalf("the engines disagree:\nsqlite   %s\npostgres %s", loaded[string(store.SQLite)], pg)
	}
}
