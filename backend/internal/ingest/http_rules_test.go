package ingest_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"minside/backend/internal/audit"
	"minside/backend/internal/represent"
	"minside/backend/internal/suggest"
	"minside/backend/internal/web"
)

// kindergartenRule is the OpenAPI example's rule, at a version and status.
func kindergartenRule(version int, status string) map[string]any {
	return map[string]any{
		"status": status, "category": "family", "area": "kindergarten", "appliesTo": "child",
		"condition": `child.guardian && child.age < 6 && !cases.exists(c, c.kind == "kindergarten" && c.status in ["received","in_progress","awaiting_citizen","decided"])`,
		"texts": map[string]any{
			"title":      map[string]string{"nb": "Søk barnehageplass"},
			"why":        map[string]string{"nb": "fordi {child.name} er {child.age} år og du er foresatt"},
			"legalBasis": map[string]string{"nb": "Barnehageloven § 16"},
		},
		"action":  map[string]any{"type": "link", "link": "https://kommune.no/barnehage/sok", "prefill": map[string]string{"alder": "{child.age}"}},
		"version": version,
	}
}

// A rule that does not compile is refused with the field, line and column of the first error,
// localized, and nothing is written.
func TestRuleThatDoesNotCompileIsRefusedWithItsPosition(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("barnehage")
		before := api.snapshot()
		tests := []struct {
			name         string
			edit         func(r map[string]any)
			pointer      string
			line, column int
		}{
			{"unknown fact", func(r map[string]any) { r["condition"] = "child.guardian &&\n  child.shoeSize > 30" }, "/condition", 2, 8},
			{"not a bool", func(r map[string]any) { r["condition"] = "child.age" }, "/condition", 1, 1},
			{"placeholder", func(r map[string]any) {
				r["texts"].(map[string]any)["why"] = map[string]string{"nb": "fordi {child.navn} er liten"}
			}, "/texts/why/nb", 1, 13},
			{"prefill", func(r map[string]any) {
				r["action"].(map[string]any)["prefill"] = map[string]string{"x": "{person.nope}"}
			}, "/action/prefill/x", 1, 8},
		}
		for _, tc := range tests {
			rule := kindergartenRule(1, "published")
			tc.edit(rule)
			r := api.call(http.MethodPut, "/rules/barnehage", key, "application/json", mustJSON(t, rule), "Accept-Language", "nb")
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("%s: %d %s", tc.name, r.Status, r.Body)
			}
			var p web.Problem
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Errors) != 1 || p.Errors[0].Pointer != tc.pointer || p.Errors[0].Code != "field.expression" ||
				p.Errors[0].Line != tc.line || p.Errors[0].Column != tc.column {
				t.Fatalf("%s: errors %+v; want %s at %d:%d", tc.name, p.Errors, tc.pointer, tc.line, tc.column)
			}
			if d := p.Errors[0].Detail; d == "" || d == "field.expression" || r.Header.Get("Content-Language") != "nb" {
				t.Errorf("%s: detail %q is not localized", tc.name, d)
			}
		}
		// The texts a citizen needs, in bokmål.
		rule := kindergartenRule(1, "published")
		rule["texts"] = map[string]any{"title": map[string]string{"en": "Apply"}, "why": map[string]string{"en": "because"}}
		got := api.put("/rules/barnehage", key, rule).pointers(t)
		if len(got) != 2 || got[0] != "/texts/title/nb field.required" || got[1] != "/texts/why/nb field.required" {
			t.Errorf("without nb: %v", got)
		}
		if after := api.snapshot(); !mapsEqual(before, after) {
			t.Errorf("a refused rule changed the database:\n%v\n%v", before, after)
		}
	})
}

// Publishing a rule evaluates it for everyone; a new version that changes only its wording
// touches no suggestion; unpublishing and deleting withdraw its suggestions, audited.
func TestPublishingARuleMakesAndWithdrawsItsSuggestions(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		register := api.newAgency("folkeregister", represent.KindGuardian)
		parent := demoPID(t, born, 431)
		child := demoPID(t, time.Now().AddDate(-2, 0, 0).UTC().Truncate(24*time.Hour), 532)
		if r := api.put("/relations/rel-1", register, relationRecord(represent.KindGuardian, parent, child, nil)); r.Status != http.StatusCreated {
			t.Fatalf("guardian: %d %s", r.Status, r.Body)
		}

		api.portal.Drain(t)
		key := api.newAgency("barnehage")
		states := func() (active, withdrawn int) {
			return api.count("suggestions", "state = ?", suggest.StateActive), api.count("suggestions", "state = ?", suggest.StateWithdrawn)
		}
		step := func(name string, r reply, status, active, withdrawn int) {
			t.Helper()
			if r.Status != status {
				t.Fatalf("%s: %d %s", name, r.Status, r.Body)
			}
			api.portal.Drain(t)
			if a, w := states(); a != active || w != withdrawn {
				t.Fatalf("%s: %d active, %d withdrawn; want %d, %d", name, a, w, active, withdrawn)
			}
		}

		step("draft", api.put("/rules/barnehage", key, kindergartenRule(1, "draft")), http.StatusCreated, 0, 0)
		step("published", api.put("/rules/barnehage", key, kindergartenRule(2, "published")), http.StatusOK, 1, 0)
		step("published again", api.put("/rules/barnehage", key, kindergartenRule(2, "published")), http.StatusOK, 1, 0)
		sweeps := api.count("outbox", "topic = ?", suggest.TopicSweep)
		retitled := kindergartenRule(3, "published")
		retitled["texts"].(map[string]any)["title"] = map[string]string{"nb": "Søk plass i barnehage"}
		step("retitled", api.put("/rules/barnehage", key, retitled), http.StatusOK, 1, 0)
		if n := api.count("outbox", "topic = ?", suggest.TopicSweep); n != sweeps {
			t.Errorf("a new title swept everyone again (%d sweeps, was %d)", n, sweeps)
		}
		if n := api.count("changes", "kind = 'suggestion' AND op = 'upsert'"); n != 2 {
			t.Errorf("suggestion upserts on the feed = %d; want 2 (made, retitled)", n)
		}
		step("unpublished", api.put("/rules/barnehage", key, kindergartenRule(4, "draft")), http.StatusOK, 0, 1)
		step("republished", api.put("/rules/barnehage", key, kindergartenRule(5, "published")), http.StatusOK, 1, 0)
		changed := kindergartenRule(6, "published")
		changed["condition"] = "child.guardian && child.age < 1"
		step("no longer holds", api.put("/rules/barnehage", key, changed), http.StatusOK, 0, 1)
		step("holds again", api.put("/rules/barnehage", key, kindergartenRule(7, "published")), http.StatusOK, 1, 0)
		step("deleted", api.del("/rules/barnehage", key), http.StatusNoContent, 0, 0)

		if n := api.count("audit_log", "action = ?", audit.ActionSuggestionWithdrawn); n != 3 {
			t.Errorf("withdrawal audit rows = %d; want 3 (unpublished, changed, deleted)", n)
		}
		if n := api.count("changes", "kind = 'suggestion' AND op = 'delete'"); n != 3 {
			t.Errorf("withdrawal feed rows = %d; want 3", n)
		}
		if n := api.count("rules", "") + api.count("texts", "owner_kind = 'rule'"); n != 0 {
			t.Errorf("%d rows of the deleted rule remain", n)
		}
	})
}
