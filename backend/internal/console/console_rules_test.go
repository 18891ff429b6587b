package console_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/seed"
	"minside/backend/internal/suggest"
)

type ruleJSON struct {
	ID         string `json:"id"`
	ExternalID string `json:"externalId"`
	Status     string `json:"status"`
	Version    int64  `json:"version"`
	Condition  string `json:"condition"`
}

// elderRule is a rule for everyone 67 or older, as the console's form sends it.
func elderRule() map[string]any {
	return map[string]any{"category": "care", "area": "care", "appliesTo": "person", "condition": "person.age >= 67",
		"texts": map[string]any{
			"title": map[string]string{"nb": "Trygghetsalarm", "en": "Safety alarm"},
			"why":   map[string]string{"nb": "fordi du er {person.age} år"},
		},
		"action": map[string]any{"type": "link", "link": "https://kommune.no/trygghetsalarm"}}
}

// An editor checks a rule as they type, previews whom it reaches (a hand count, per district,
// with a sample that names no one), writes and publishes it, and sees its suggestions counted.
func TestConsoleRuleLifecycle(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		editor := p.LoginAs(t, demoEditor(t))
		now := p.Clock.Now()
		elders := handCount(t, p, func(b time.Time, _ string) bool { return !b.AddDate(67, 0, 0).After(now) })
		if elders == 0 {
			t.Fatal("the demo has no one over 67")
		}

		// The live check: every expression's problems with their positions; none for a good rule.
		var check struct {
			Problems []struct {
				Pointer      string
				Line, Column int
				Message      string
			} `json:"problems"`
		}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/rules/check", map[string]any{"appliesTo": "person",
			"condition": "person.age >=\n  person.shoeSize", "why": map[string]string{"nb": "fordi {person.navn}"}}).
			Status(t, http.StatusOK).JSON(t, &check)
		if len(check.Problems) != 2 || check.Problems[0].Pointer != "/condition" || check.Problems[0].Line != 2 ||
			check.Problems[0].Column != 9 || check.Problems[1].Pointer != "/texts/why/nb" || check.Problems[1].Message == "" {
			t.Fatalf("check = %+v", check.Problems)
		}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/rules/check", map[string]any{"appliesTo": "person",
			"condition": "person.age >= 67", "why": map[string]string{"nb": "fordi du er {person.age} år"}}).
			Status(t, http.StatusOK).JSON(t, &check)
		if len(check.Problems) != 0 {
			t.Fatalf("a good rule has problems: %+v", check.Problems)
		}

		// The preview: the hand count, per district, and a sample that names no one.
		var pv suggest.Preview
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/rules/preview", map[string]any{"appliesTo": "person",
			"condition": "person.age >= 67", "why": map[string]string{"nb": "fordi du er {person.age} år"}}).
			Status(t, http.StatusOK).JSON(t, &pv)
		sum := 0
		for _, n := range pv.ByDistrict {
			sum += n
		}
		if pv.People != elders || sum != elders || !pv.Complete || len(pv.Sample) != min(elders, 5) {
			t.Fatalf("preview = %+v; hand count %d", pv, elders)
		}
		sample, _ := json.Marshal(pv.Sample)
		for _, person := range seed.People() {
			if strings.Contains(string(sample), strings.Fields(person.Name)[0]) || strings.Contains(string(sample), person.PID) {
				t.Fatalf("the sample names %s: %s", person.Name, sample)
			}
		}
		r := editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/rules/preview", map[string]any{"appliesTo": "person",
			"condition": "person.age >= \"67\""}).Status(t, http.StatusUnprocessableEntity)
		if got := pointers(t, r); len(got) != 1 || got[0] != "/condition" {
			t.Fatalf("a bad preview: %v", got)
		}

		// A bad rule is refused with its position and nothing is written.
		before := count(t, p, `SELECT COUNT(*) FROM agency_records WHERE kind = 'rules'`)
		bad := elderRule()
		bad["condition"] = "person.age >= "
		r = editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/rules", bad).Status(t, http.StatusUnprocessableEntity)
		if got := pointers(t, r); len(got) != 1 || got[0] != "/condition" {
			t.Fatalf("a bad rule: %v", got)
		}
		if after := count(t, p, `SELECT COUNT(*) FROM agency_records WHERE kind = 'rules'`); after != before {
			t.Fatalf("a refused rule was written")
		}

		// Create (a draft), edit, a stale edit conflicts, publish, and the suggestions are made.
		var created, edited ruleJSON
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/rules", elderRule()).Status(t, http.StatusCreated).JSON(t, &created)
		if created.Status != "draft" || created.Version != 1 || !strings.HasPrefix(created.ExternalID, "console-") {
			t.Fatalf("created = %+v", created)
		}
		rule := elderRule()
		rule["version"] = 1
		rule["condition"] = "person.age >= 67 && person.district != \"\""
		editor.Send(t, http.MethodPut, "/api/v1/console/bibliotek/rules/"+created.ID, rule).Status(t, http.StatusOK).JSON(t, &edited)
		if edited.Version != 2 || edited.Status != "draft" || edited.Condition != rule["condition"] {
			t.Fatalf("edited = %+v", edited)
		}
		editor.Send(t, http.MethodPut, "/api/v1/console/bibliotek/rules/"+created.ID, rule).Status(t, http.StatusConflict).Problem(t)
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/rules/"+created.ID+"/publish", map[string]any{"version": 2}).Status(t, http.StatusOK)
		p.Drain(t)
		var stats suggest.Stats
		editor.Get(t, "/api/v1/console/bibliotek/rules/"+created.ID+"/stats").Status(t, http.StatusOK).JSON(t, &stats)
		withDistrict := handCount(t, p, func(b time.Time, d string) bool { return d != "" && !b.AddDate(67, 0, 0).After(now) })
		if stats.Made != withDistrict || stats.Active != withDistrict || stats.Shown != 0 || len(stats.Reasons) != 0 {
			t.Fatalf("stats after publishing = %+v; want %d active", stats, withDistrict)
		}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/rules/"+created.ID+"/unpublish", nil).Status(t, http.StatusOK)
		editor.Get(t, "/api/v1/console/bibliotek/rules/"+created.ID+"/stats").Status(t, http.StatusOK).JSON(t, &stats)
		if stats.Active != 0 || stats.Withdrawn != withDistrict {
			t.Fatalf("stats after unpublishing = %+v", stats)
		}
		var list struct{ Rules []ruleJSON }
		editor.Get(t, "/api/v1/console/bibliotek/rules").Status(t, http.StatusOK).JSON(t, &list)
		// The library's own demo rule is listed too; the one made here is a draft in its fourth version.
		i := slices.IndexFunc(list.Rules, func(r ruleJSON) bool { return r.ID == created.ID })
		if len(list.Rules) != 2 || i < 0 || list.Rules[i].Status != "draft" || list.Rules[i].Version != 4 {
			t.Fatalf("listed = %+v", list.Rules)
		}

		// Another agency's editor, or none, gets nothing; every write and read is audited.
		stranger := p.LoginAs(t, apptest.PID(t, 1985, 7))
		stranger.Get(t, "/api/v1/console/bibliotek/rules/"+created.ID+"/stats").Status(t, http.StatusForbidden).Problem(t)
		stranger.Send(t, http.MethodPost, "/api/v1/console/bibliotek/rules/check", map[string]any{"appliesTo": "person", "condition": "true"}).
			Status(t, http.StatusForbidden).Problem(t)
		if n := count(t, p, `SELECT COUNT(*) FROM audit_log WHERE action = 'console.rule.write' AND actor_kind = 'citizen' AND object_id = ?`, created.ID); n != 4 {
			t.Errorf("write audit rows = %d, want 4 (create, edit, publish, unpublish)", n)
		}
		if n := count(t, p, `SELECT COUNT(*) FROM audit_log WHERE action = 'console.rule.read' AND actor_kind = 'citizen'`); n != 3 {
			t.Errorf("read audit rows = %d, want 3 (a preview, two stats)", n)
		}
	}, withDemo)
}
