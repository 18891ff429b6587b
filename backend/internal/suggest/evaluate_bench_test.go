package suggest_test

import (
	"context"
	"os"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
)

// BenchmarkEvaluateEvent times one change event for one person end to end, as the outbox worker
// runs it: 50 rules published, the person's facts loaded (two children, three cases), every rule
// evaluated, the outcome written, in one transaction. After the first event the suggestions exist,
// so this is the steady cost of an event that changes nothing.
func BenchmarkEvaluateEvent(b *testing.B) {
	engines := map[string]func(testing.TB) *store.DB{"sqlite": storetest.SQLite}
	if os.Getenv(storetest.PostgresDSNEnv) != "" {
		engines["postgres"] = storetest.Postgres
	}
	for _, name := range []string{"sqlite", "postgres"} {
		open, ok := engines[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			db := open(b)
			now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
			person, event := benchFamily(b, db, now)
			env, err := suggest.NewEnv()
			if err != nil {
				b.Fatal(err)
			}
			e := suggest.NewEngine(db, env, func() time.Time { return now }, nil, false)
			first, err := e.Evaluate(ctx, person, event)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := e.Evaluate(ctx, person, event); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/event")
			b.ReportMetric(float64(first.Made), "suggestions")
		})
	}
}

// benchFamily writes a parent with two children and three cases, and the 50 bench rules.
func benchFamily(b *testing.B, db *store.DB, now time.Time) (string, suggest.Event) {
	ctx := context.Background()
	insert := func(model any) {
		if _, err := db.NewInsert().Model(model).Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	ag := &agency.Agency{ID: store.NewID(), Slug: "oslo", Name: "Oslo kommune", CreatedAt: now, UpdatedAt: now}
	insert(ag)
	if err := agency.Grant(ctx, db, ag.ID, represent.KindGuardian, now); err != nil {
		b.Fatal(err)
	}
	person := func(name string, born time.Time) string {
		id := store.NewID()
		insert(&citizens.Citizen{ID: id, PIDHash: "hash-" + id, PIDMasked: "010101*****", BirthDate: born, Name: name,
			District: "Grorud", CreatedAt: now, UpdatedAt: now})
		return id
	}
	kari := person("Kari", time.Date(1990, 5, 5, 0, 0, 0, 0, time.UTC))
	for _, child := range []string{person("Jonas", time.Date(2021, 8, 14, 0, 0, 0, 0, time.UTC)), person("Lea", time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC))} {
		insert(&represent.Relation{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "rel-" + child, Version: 1, Kind: represent.KindGuardian,
			RepresentativeID: kari, SubjectID: child, ValidFrom: now.AddDate(-5, 0, 0), CreatedAt: now, UpdatedAt: now})
	}
	var permit string
	for i, c := range []struct{ kind, status string }{{"building_permit", "decided"}, {"kindergarten_admission", "in_progress"}, {"grant", "awaiting_citizen"}} {
		id := store.NewID()
		insert(&cases.Case{ID: id, AgencyID: ag.ID, ExternalID: "case-" + id, Version: 1, CitizenID: kari, Kind: c.kind,
			Area: "other", Status: c.status, CreatedAt: now.AddDate(0, -1, 0), UpdatedAt: now.AddDate(0, 0, -i)})
		if i == 0 {
			permit = id
		}
	}
	for _, d := range suggest.BenchRules(50) {
		events := d.Events
		if events == nil {
			events = []string{}
		}
		r := &suggest.RuleRow{ID: store.NewID(), AgencyID: ag.ID, ExternalID: d.ID, Version: 1, Status: suggest.RulePublished,
			Category: d.Category, Area: d.Area, AppliesTo: d.Subject, Events: events, Condition: d.Condition,
			Action: suggest.Action{Type: "link", Link: "https://www.example.kommune.no/"}, CreatedAt: now, UpdatedAt: now}
		insert(r)
		if err := texts.Save(ctx, db, "rule", r.ID, texts.Fields{"why": d.Why, "title": {"nb": d.ID}}); err != nil {
			b.Fatal(err)
		}
	}
	return kari, suggest.Event{Kind: "case.decided", ObjectID: permit, CaseKind: "building_permit", Status: "decided"}
}
