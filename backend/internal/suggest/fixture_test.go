package suggest_test

import (
	"context"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
)

// world is a small town written straight into the tables the engine reads.
type world struct {
	t      *testing.T
	db     *store.DB
	now    time.Time
	agency string
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func newWorld(t *testing.T, db *store.DB, now time.Time) *world {
	w := &world{t: t, db: db, now: now, agency: store.NewID()}
	w.insert(&agency.Agency{ID: w.agency, Slug: "oslo", Name: "Oslo kommune", CreatedAt: now, UpdatedAt: now})
	if _, err := db.NewInsert().Table("agency_authorities").Model(&map[string]any{"agency_id": w.agency, "kind": "guardian", "granted_at": now}).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) insert(model any) {
	w.t.Helper()
	if _, err := w.db.NewInsert().Model(model).Exec(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) person(name string, born time.Time, district string) string {
	id := store.NewID()
	w.insert(&citizens.Citizen{ID: id, PIDHash: "hash-" + id, PIDMasked: "010101*****", BirthDate: born, Name: name,
		District: district, CreatedAt: w.now, UpdatedAt: w.now})
	return id
}

func (w *world) guardian(parent, child string) {
	w.insert(&represent.Relation{ID: store.NewID(), AgencyID: w.agency, ExternalID: "rel-" + child, Version: 1, Kind: "guardian",
		RepresentativeID: parent, SubjectID: child, ValidFrom: day(2000, 1, 1), CreatedAt: w.now, UpdatedAt: w.now})
}

func (w *world) caseOf(citizen, kind, status string) string {
	id := store.NewID()
	w.insert(&cases.Case{ID: id, AgencyID: w.agency, ExternalID: "case-" + id, Version: 1, CitizenID: citizen, Kind: kind,
		Area: "kindergarten", Status: status, CreatedAt: w.now, UpdatedAt: w.now})
	return id
}

func (w *world) setCase(id, status string) {
	if _, err := w.db.NewUpdate().Model((*cases.Case)(nil)).Set("status = ?", status).Where("id = ?", id).Exec(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// rule publishes a rule with a Norwegian why-text.
func (w *world) rule(ext, subject string, events []string, condition, why string) string {
	id := store.NewID()
	w.insert(&suggest.RuleRow{ID: id, AgencyID: w.agency, ExternalID: ext, Version: 1, Status: suggest.RulePublished,
		Category: "family", Area: "kindergarten", AppliesTo: subject, Events: events, Condition: condition,
		Action: suggest.Action{Type: "link", Link: "https://oslo.kommune.no/" + ext}, CreatedAt: w.now, UpdatedAt: w.now})
	if err := texts.Save(context.Background(), w.db, "rule", id, texts.Fields{"title": {"nb": ext}, "why": {"nb": why}}); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// suggestions lists the person's suggestions as "rule-external-id:state:why".
func (w *world) suggestions(citizen string) map[string]string {
	w.t.Helper()
	var rows []struct {
		suggest.Row `bun:",extend"`
		Ext         string `bun:"ext"`
	}
	if err := w.db.NewSelect().TableExpr("suggestions AS s").ColumnExpr("s.*, r.external_id AS ext").
		Join("JOIN rules AS r ON r.id = s.rule_id").Where("s.citizen_id = ?", citizen).Scan(context.Background(), &rows); err != nil {
		w.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		var why string
		if err := w.db.NewSelect().Table("texts").Column("value").Where("owner_kind = 'rule' AND owner_id = ? AND field = 'why' AND lang = 'nb'", r.RuleID).Scan(context.Background(), &why); err != nil {
			w.t.Fatal(err)
		}
		out[r.Ext+"/"+r.Occurrence] = r.State + ": " + suggest.Plain(suggest.Fill(why, r.Facts))
	}
	return out
}
