package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/suggest/suggesttest"
	"minside/backend/internal/texts"
)

// suggestionItem is a suggestion as the citizen API answers it.
type suggestionItem struct {
	ID     string
	Title  string
	Action struct{ Type, Label, Link string }
	Why    struct {
		Parts      []map[string]any
		LegalBasis string
	}
}

func TestSuggestionsThroughTheCitizenAPI(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.LoginAs(t, apptest.PID(t, 1985, 61))
		c.Header.Set("Accept-Language", "en")
		var me struct{ ID string }
		c.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &me)
		now := store.UTC(p.Clock.Now())
		school := p.Agency(t, "utdanning")
		born := time.Date(2021, 8, 14, 0, 0, 0, 0, time.UTC)
		rule := suggesttest.AddRule(t, p.DB, suggesttest.Rule{AgencyID: school.ID, Area: "school",
			Action: suggest.Action{Type: "link", Link: "https://skole.example.no/innskriving", Prefill: map[string]string{"barn": "{child.name}"}},
			Texts: texts.Fields{"title": {"nb": "Skolestart", "en": "School start"}, "why": {"nb": "Fordi {child.name} er født {child.birthDate}."},
				"legal_basis": {"nb": "Opplæringslova § 2-1"}, "action_label": {"nb": "Meld på"}}}, now)
		values := map[string]suggest.Value{"child.name": {Text: "Jonas"}, "child.birthDate": {Date: &born}}
		first := suggesttest.AddSuggestion(t, p.DB, rule, me.ID, values, now)
		second := suggesttest.AddSuggestion(t, p.DB, rule, me.ID, values, now.Add(-time.Minute))

		var overview struct{ Suggestions []suggestionItem }
		c.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &overview)
		if len(overview.Suggestions) != 2 || overview.Suggestions[0].ID != first {
			t.Fatalf("overview suggestions = %+v", overview.Suggestions)
		}
		sg := overview.Suggestions[0]
		if sg.Title != "School start" || sg.Action.Label != "Meld på" || sg.Action.Link != "https://skole.example.no/innskriving?barn=Jonas" ||
			sg.Why.LegalBasis != "Opplæringslova § 2-1" || len(sg.Why.Parts) != 5 || sg.Why.Parts[3]["d"] != "2021-08-14" {
			t.Errorf("suggestion = %+v", sg)
		}

		// Bad input is a localized 422 naming the field; nothing changes.
		for _, bad := range []struct {
			path    string
			body    any
			pointer string
		}{
			{"/snooze", map[string]any{}, "/until"},
			{"/snooze", map[string]any{"until": "tomorrow"}, "/until"},
			{"/snooze", map[string]any{"until": now.AddDate(2, 0, 0).Format(time.RFC3339)}, "/until"},
			{"/dismiss", map[string]any{"reason": strings.Repeat("x", 501)}, "/reason"},
			{"/dismiss", map[string]any{"why": "x"}, "/why"},
		} {
			res := c.Send(t, http.MethodPost, "/api/v1/me/suggestions/"+first+bad.path, bad.body).Status(t, http.StatusUnprocessableEntity)
			res.Problem(t)
			var pr struct {
				Errors []struct{ Pointer, Detail string }
			}
			res.JSON(t, &pr)
			if len(pr.Errors) != 1 || pr.Errors[0].Pointer != bad.pointer || pr.Errors[0].Detail == "" || strings.HasPrefix(pr.Errors[0].Detail, "field.") {
				t.Errorf("%s %v: %s", bad.path, bad.body, res.Body)
			}
		}
		c.Send(t, http.MethodPost, "/api/v1/me/suggestions/"+store.NewID()+"/done", nil).Status(t, http.StatusNotFound).Problem(t)

		c.Send(t, http.MethodPost, "/api/v1/me/suggestions/shown", map[string]any{"ids": []string{first, second}}).Status(t, http.StatusOK)
		var dismissed struct{ State string }
		c.Send(t, http.MethodPost, "/api/v1/me/suggestions/"+first+"/dismiss", map[string]any{"reason": "Not for us"}).
			Status(t, http.StatusOK).JSON(t, &dismissed)
		var acted struct {
			State, Link string
			ActedAt     *time.Time
		}
		c.Send(t, http.MethodPost, "/api/v1/me/suggestions/"+second+"/act", nil).Status(t, http.StatusOK).JSON(t, &acted)
		if dismissed.State != "dismissed" || acted.State != "done" || acted.ActedAt == nil || acted.Link != "https://skole.example.no/innskriving?barn=Jonas" {
			t.Errorf("dismissed %+v, acted %+v", dismissed, acted)
		}
		var page struct{ Items []suggestionItem }
		c.Get(t, "/api/v1/me/suggestions").Status(t, http.StatusOK).JSON(t, &page)
		if len(page.Items) != 0 {
			t.Errorf("after dismiss and act the page still shows %+v", page.Items)
		}

		// The access log tells the person's own choices in words.
		var log struct {
			Items []struct{ Action, Text string }
		}
		c.Get(t, "/api/v1/me/access-log").Status(t, http.StatusOK).JSON(t, &log)
		words := map[string]string{}
		for _, e := range log.Items {
			words[e.Action] = e.Text
		}
		if words["suggestion.dismiss"] != "You dismissed a suggestion" || words["suggestion.act"] != "You followed a suggestion" {
			t.Errorf("access log = %+v", log.Items)
		}
	})
}
