package overview_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/overview"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
	"minside/backend/internal/suggest/suggesttest"
	"minside/backend/internal/texts"
)

// suggestionWorld is Kari with suggestions of two agencies, and one of each kind she must not see.
type suggestionWorld struct {
	w                           *world
	kari, child, rep            string
	school, bydel               string
	schoolStart, kindergarten   string
	snoozed, dismissed, expired string
	draft, snoozeOver, childOwn string
}

func newSuggestionWorld(t *testing.T, db *store.DB) *suggestionWorld {
	w := newWorld(t, db)
	sw := &suggestionWorld{w: w}
	w.batch(func() {
		sw.school = w.agency("utdanning", "Utdanningsetaten")
		sw.bydel = w.agency("bydel-gamle-oslo", "Bydel Gamle Oslo")
		sw.kari = w.citizen("Kari Nordmann", date(1985, 3, 14), "Gamle Oslo")
		sw.child = w.citizen("Jonas Nordmann", date(2021, 8, 14), "Gamle Oslo")
		sw.rep = w.citizen("Per Hjelper", date(1960, 1, 1), "Frogner")
		w.relation(sw.school, represent.KindPowerOfAttorney, sw.rep, sw.kari, []string{"school"})
		tx := *w.cur
		born := date(2021, 8, 14)
		values := map[string]suggest.Value{"child.name": {Text: "Jonas"}, "child.birthDate": {Date: &born}}
		school := suggesttest.AddRule(t, tx, suggesttest.Rule{AgencyID: sw.school, Area: "school", Category: "school",
			Action: suggest.Action{Type: "link", Link: "https://skole.example.no/innskriving", Prefill: map[string]string{"barn": "{child.name}"}},
			Texts: texts.Fields{
				"title":        {"nb": "Skolestart for Jonas", "en": "School start for Jonas"},
				"body":         {"nb": "Meld på til skolestart."},
				"why":          {"nb": "Fordi {child.name} er født {child.birthDate}.", "en": "Because {child.name} was born on {child.birthDate}."},
				"legal_basis":  {"nb": "Opplæringslova § 2-1"},
				"action_label": {"nb": "Meld på", "en": "Enrol"},
			}}, w.now)
		kindergarten := suggesttest.AddRule(t, tx, suggesttest.Rule{AgencyID: sw.bydel, Area: "kindergarten",
			Texts: texts.Fields{"title": {"nb": "Søk barnehageplass"}, "why": {"nb": "Fordi du har et barn under 5 år."}}}, w.now)
		expired := suggesttest.AddRule(t, tx, suggesttest.Rule{AgencyID: sw.bydel, ExpiresAt: ptr(w.now.Add(-time.Hour)),
			Texts: texts.Fields{"title": {"nb": "Utløpt"}}}, w.now)
		draft := suggesttest.AddRule(t, tx, suggesttest.Rule{AgencyID: sw.bydel, Status: suggest.RuleDraft,
			Texts: texts.Fields{"title": {"nb": "Utkast"}}}, w.now)

		sw.schoolStart = suggesttest.AddSuggestion(t, tx, school, sw.kari, values, w.now)
		sw.kindergarten = suggesttest.AddSuggestion(t, tx, kindergarten, sw.kari, nil, w.now.Add(-time.Minute))
		sw.snoozed = suggesttest.AddSuggestion(t, tx, kindergarten, sw.kari, nil, w.now)
		sw.snoozeOver = suggesttest.AddSuggestion(t, tx, kindergarten, sw.kari, nil, w.now.Add(-2*time.Minute))
		sw.dismissed = suggesttest.AddSuggestion(t, tx, kindergarten, sw.kari, nil, w.now)
		sw.expired = suggesttest.AddSuggestion(t, tx, expired, sw.kari, nil, w.now)
		sw.draft = suggesttest.AddSuggestion(t, tx, draft, sw.kari, nil, w.now)
		sw.childOwn = suggesttest.AddSuggestion(t, tx, school, sw.child, nil, w.now)
		sw.set(tx, sw.snoozed, "snoozed_until = ?", w.now.Add(24*time.Hour))
		sw.set(tx, sw.snoozeOver, "snoozed_until = ?", w.now.Add(-time.Hour))
		sw.set(tx, sw.dismissed, "state = ?", suggest.StateDismissed)
	})
	return sw
}

func (sw *suggestionWorld) set(db bun.IDB, id, set string, arg any) {
	sw.w.t.Helper()
	if _, err := db.NewUpdate().Model((*suggest.Row)(nil)).Set(set, arg).Where("id = ?", id).Exec(context.Background()); err != nil {
		sw.w.t.Fatal(err)
	}
}

// prefer saves Kari's suggestion opt-outs as the preferences API does.
func (sw *suggestionWorld) prefer(off bool, agencies string) {
	sw.w.t.Helper()
	row := map[string]any{"citizen_id": sw.kari, "suggestions_off": off, "suggestions_off_agencies": agencies, "updated_at": sw.w.now}
	if _, err := sw.w.db.NewInsert().Table("preferences").Model(&row).
		On("CONFLICT (citizen_id) DO UPDATE").Set("suggestions_off = EXCLUDED.suggestions_off").
		Set("suggestions_off_agencies = EXCLUDED.suggestions_off_agencies").Exec(context.Background()); err != nil {
		sw.w.t.Fatal(err)
	}
}

func suggestionIDs(ss []overview.Suggestion) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

func TestOverviewShowsTheVisibleSuggestionsWithTheirWhy(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sw := newSuggestionWorld(t, db)
		s := sw.w.service()
		o := build(t, s, overview.Viewer{CitizenID: sw.kari, SubjectID: sw.kari, Lang: "en"})
		// Newest first; not the snoozed, dismissed, expired, draft one, nor the child's own.
		want := []string{sw.schoolStart, sw.kindergarten, sw.snoozeOver}
		if got := suggestionIDs(o.Suggestions); !slices.Equal(got, want) {
			t.Fatalf("suggestions = %v, want %v", got, want)
		}
		sg := o.Suggestions[0]
		if sg.Title != "School start for Jonas" || sg.Body != "Meld på til skolestart." || sg.Category != "school" ||
			sg.Agency != (overview.Agency{Slug: "utdanning", Name: "Utdanningsetaten"}) {
			t.Errorf("suggestion = %+v (English title, bokmål body by fallback)", sg)
		}
		if sg.Action != (overview.SuggestionAction{Type: "link", Label: "Enrol", Link: "https://skole.example.no/innskriving?barn=Jonas"}) {
			t.Errorf("action = %+v", sg.Action)
		}
		if got := suggest.Plain(sg.Why.Parts); got != "Because Jonas was born on 2021-08-14." || sg.Why.LegalBasis != "Opplæringslova § 2-1" {
			t.Errorf("why = %q, legal basis %q", got, sg.Why.LegalBasis)
		}
		if !slices.ContainsFunc(sg.Why.Parts, func(p suggest.WhyPart) bool { return p.Date == "2021-08-14" }) {
			t.Errorf("the date is not left for the reader's language: %+v", sg.Why.Parts)
		}

		page, err := s.Suggestions(t.Context(), overview.Viewer{CitizenID: sw.kari, SubjectID: sw.kari, Lang: "nb"})
		if err != nil {
			t.Fatal(err)
		}
		if got := suggestionIDs(page); !slices.Equal(got, want) || page[0].Title != "Skolestart for Jonas" {
			t.Errorf("page = %v (%q), want %v", got, page[0].Title, want)
		}

		sw.prefer(false, `["bydel-gamle-oslo"]`)
		o = build(t, s, overview.Viewer{CitizenID: sw.kari, SubjectID: sw.kari, Lang: "nb"})
		if got := suggestionIDs(o.Suggestions); !slices.Equal(got, []string{sw.schoolStart}) {
			t.Errorf("with the district turned off: %v", got)
		}
		sw.prefer(true, `[]`)
		o = build(t, s, overview.Viewer{CitizenID: sw.kari, SubjectID: sw.kari, Lang: "nb"})
		if len(o.Suggestions) != 0 {
			t.Errorf("with suggestions turned off: %v", suggestionIDs(o.Suggestions))
		}
	})
}

func TestRepresentativeSeesSuggestionsOnlyWithinTheirScope(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sw := newSuggestionWorld(t, db)
		s := sw.w.service()
		v := overview.Viewer{CitizenID: sw.rep, SubjectID: sw.kari, Lang: "nb"}
		o := build(t, s, v)
		if got := suggestionIDs(o.Suggestions); !slices.Equal(got, []string{sw.schoolStart}) {
			t.Errorf("a fullmakt for school sees %v, want only the school suggestion", got)
		}
		page, err := s.Suggestions(t.Context(), v)
		if err != nil || !slices.Equal(suggestionIDs(page), []string{sw.schoolStart}) {
			t.Errorf("page = %v, %v", suggestionIDs(page), err)
		}
		own := build(t, s, overview.Viewer{CitizenID: sw.rep, SubjectID: sw.rep, Lang: "nb"})
		if len(own.Suggestions) != 0 {
			t.Errorf("Kari's suggestions show in the representative's own overview: %v", suggestionIDs(own.Suggestions))
		}
	})
}

func TestChangesFeedCarriesSuggestions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sw := newSuggestionWorld(t, db)
		s := sw.w.service()
		v := overview.Viewer{CitizenID: sw.kari, SubjectID: sw.kari, Lang: "nb"}
		o := build(t, s, v)
		id := suggesttest.AddSuggestion(t, db, suggesttest.AddRule(t, db, suggesttest.Rule{AgencyID: sw.bydel,
			Texts: texts.Fields{"title": {"nb": "Ny"}}}, sw.w.now), sw.kari, nil, sw.w.now)
		sw.set(db, sw.kindergarten, "state = ?", suggest.StateDismissed)
		if err := sw.w.record(db, &sw.kari, "suggestion", sw.kindergarten, "upsert"); err != nil {
			t.Fatal(err)
		}
		d, err := s.Changes(t.Context(), v, o.Cursor)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range d.Changes {
			if c.Kind == "suggestion" {
				got[c.ID] = c.Op
				if c.ID == id && c.Data.(overview.Suggestion).Title != "Ny" {
					t.Errorf("upsert data = %+v", c.Data)
				}
			}
		}
		// The cursor may replay changes the overview already held (PostgreSQL): only these two matter.
		if got[id] != "upsert" || got[sw.kindergarten] != "delete" {
			t.Errorf("feed = %v, want the new one upserted and the dismissed one deleted", got)
		}
	})
}
