// Package suggesttest writes rules and suggestions straight into their tables, for tests of the
// packages that read and act on suggestions without running the engine.
package suggesttest

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/changes"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
)

// Rule is a rule to publish; empty fields get a published family rule in the kindergarten area.
// Its condition never holds and it waits for an event no test sends, so an engine running beside
// the test (the app's) neither makes nor withdraws its suggestions: the test's rows stay as written.
type Rule struct {
	AgencyID  string
	Ext       string
	Area      string
	Category  string
	Status    string
	Action    suggest.Action
	ExpiresAt *time.Time
	Texts     texts.Fields // title, body, why, legal_basis, action_label by language
}

// AddRule writes r and its texts and returns the rule's id.
func AddRule(t testing.TB, db bun.IDB, r Rule, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	row := &suggest.RuleRow{ID: store.NewID(), AgencyID: r.AgencyID, ExternalID: r.Ext, Version: 1, Status: or(r.Status, suggest.RulePublished),
		Category: or(r.Category, "family"), Area: or(r.Area, "kindergarten"), AppliesTo: "person", Events: []string{"child.born"},
		Condition: "false", Action: r.Action, ExpiresAt: r.ExpiresAt, CreatedAt: now, UpdatedAt: now}
	if row.ExternalID == "" {
		row.ExternalID = "rule-" + row.ID
	}
	if row.Action.Type == "" {
		row.Action = suggest.Action{Type: "link", Link: "https://kommune.example.no/" + row.ExternalID}
	}
	if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := texts.Save(ctx, db, "rule", row.ID, r.Texts); err != nil {
		t.Fatal(err)
	}
	return row.ID
}

// AddSuggestion writes an active suggestion of ruleID for citizenID with the why-text's values,
// and its changes-feed row, and returns its id.
func AddSuggestion(t testing.TB, db bun.IDB, ruleID, citizenID string, values map[string]suggest.Value, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	if values == nil {
		values = map[string]suggest.Value{}
	}
	row := &suggest.Row{ID: store.NewID(), RuleID: ruleID, CitizenID: citizenID, Occurrence: store.NewID(), State: suggest.StateActive,
		Facts: values, CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// No event, not the JSON null a nil RawMessage is written as: the engine re-checks an event
	// suggestion on its stored event and would withdraw this one.
	if _, err := db.NewUpdate().Model((*suggest.Row)(nil)).Set("event = NULL").Where("id = ?", row.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := changes.Record(ctx, db, &citizenID, "suggestion", row.ID, changes.OpUpsert, now); err != nil {
		t.Fatal(err)
	}
	return row.ID
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
