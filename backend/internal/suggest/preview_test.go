package suggest_test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
)

// The preview counts the people a rule matches now, per district, and shows a few of their fact
// sets with nothing that points at anyone; an event rule is previewed as if its event happened.
func TestPreviewCountsAndAnonymises(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := day(2026, 3, 1)
		w := newWorld(t, db, now)
		kari := w.person("Kari", day(1990, 5, 5), "Grorud")
		jonas := w.person("Jonas", day(2025, 8, 14), "Grorud")
		lea := w.person("Lea", day(2024, 1, 2), "Grorud")
		w.guardian(kari, jonas)
		w.guardian(kari, lea)
		ola := w.person("Ola", day(1985, 1, 1), "Frogner")
		emma := w.person("Emma", day(2023, 6, 1), "Frogner")
		w.guardian(ola, emma)
		w.caseOf(ola, "building_permit", "decided")
		w.person("Per", day(1950, 2, 2), "Frogner")
		env, err := suggest.NewEnv()
		if err != nil {
			t.Fatal(err)
		}
		for _, events := range [][]string{nil, {"child.born"}} {
			p, err := suggest.PreviewRule(context.Background(), db, env, suggest.Definition{Subject: "child", Events: events,
				Condition: "child.guardian && child.age < 6", Why: map[string]string{"nb": "fordi {child.name} er {child.age} år"}}, now)
			if err != nil {
				t.Fatal(err)
			}
			if p.People != 2 || p.Matches != 3 || !maps.Equal(p.ByDistrict, map[string]int{"Grorud": 1, "Frogner": 1}) ||
				p.Scanned != 6 || !p.Complete || len(p.Sample) != 2 {
				t.Fatalf("events %v: preview = %+v", events, p)
			}
			b, err := json.Marshal(p.Sample)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"Kari", "Jonas", "Ola", "Emma", kari, jonas, ola, "2025", "1990", "birth", "name", "Date"} {
				if strings.Contains(string(b), secret) {
					t.Errorf("the sample shows %q: %s", secret, b)
				}
			}
			if !strings.Contains(string(b), `"cases":[{"kind":"building_permit","status":"decided"`) || !strings.Contains(string(b), `"age":35`) {
				t.Errorf("the sample lacks the facts a rule reads: %s", b)
			}
		}
		// A condition that does not compile is the compile error, as on publishing.
		if _, err := suggest.PreviewRule(context.Background(), db, env, suggest.Definition{Subject: "child", Condition: "child.nope"}, now); err == nil {
			t.Fatal("a bad condition was previewed")
		}
	})
}

// The stats count a rule's suggestions by state, shown and acted, and the dismissal reasons.
func TestRuleStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := day(2026, 3, 1)
		w := newWorld(t, db, now)
		e := newEngine(t, db, &now)
		rule := w.rule("voksen", "person", nil, "person.age >= 18", "fordi du er {person.age} år")
		var people []string
		for _, name := range []string{"A", "B", "C", "D", "E"} {
			id := w.person(name, day(1980, 1, 1), "Grorud")
			people = append(people, id)
			if _, err := e.Evaluate(ctx, id, suggest.Event{Kind: "sweep"}); err != nil {
				t.Fatal(err)
			}
		}
		set := func(citizen, expr string, args ...any) {
			t.Helper()
			if _, err := db.NewUpdate().Table("suggestions").Set(expr, args...).Where("citizen_id = ?", citizen).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range people[:4] {
			set(id, "shown_at = ?", now)
		}
		set(people[0], "state = 'dismissed', reason = 'not_relevant'")
		set(people[1], "state = 'dismissed', reason = 'not_relevant'")
		set(people[2], "state = 'dismissed', reason = ''")
		set(people[3], "state = 'done', acted_at = ?", now)
		s, err := suggest.RuleStats(ctx, db, rule)
		if err != nil {
			t.Fatal(err)
		}
		want := suggest.Stats{Made: 5, Shown: 4, Acted: 1, Active: 1, Dismissed: 3, Done: 1,
			Reasons: []suggest.Reason{{Reason: "not_relevant", Count: 2}, {Reason: "", Count: 1}}}
		if got, _ := json.Marshal(s); string(got) != string(must(json.Marshal(want))) {
			t.Fatalf("stats = %s", got)
		}
	})
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
