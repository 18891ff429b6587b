package seed_test

import (
	"testing"

	"minside/backend/internal/seed"
	"minside/backend/internal/suggest"
)

// Every demo rule compiles against the fact model, in every language of its why-text, and has the
// texts a citizen needs.
func TestStoryRulesCompile(t *testing.T) {
	env, err := suggest.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range seed.StoryRules() {
		if seen[r.ID] {
			t.Errorf("%s twice", r.ID)
		}
		seen[r.ID] = true
		if _, err := env.Compile(suggest.Definition{ID: r.ID, Agency: r.Agency, Category: r.Category, Area: r.Area,
			Subject: r.AppliesTo, Events: r.Events, Condition: r.Condition, Why: r.Why, Prefill: r.Action.Prefill}); err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
		for field, values := range r.Fields() {
			if values["nb"] == "" || values["en"] == "" {
				t.Errorf("%s: %s has no nb or en text", r.ID, field)
			}
		}
	}
}
