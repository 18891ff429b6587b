package notify

import (
	"strings"
	"testing"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/citizens"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest/suggesttest"
	"minside/backend/internal/texts"
)

// A push about a new suggestion goes only to someone who switched the category on, waits out
// quiet hours like the others, and names nothing of the suggestion on the lock screen.
func TestSuggestionPushIsAskedForNeutralAndQuiet(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		e.setLanguage(who, "en")
		sub, _ := e.device(who)
		agencyID := e.agency("Utdanningsetaten")
		rule := suggesttest.AddRule(t, db, suggesttest.Rule{AgencyID: agencyID,
			Texts: texts.Fields{"title": {"nb": "Skolestart for Jonas", "en": "School start for Jonas"}}}, e.clock.Now())
		suggestion := func() string { return suggesttest.AddSuggestion(t, db, rule, who, nil, store.UTC(e.clock.Now())) }
		event := func(id string) outbox.NotifyEvent {
			return outbox.NotifyEvent{CitizenID: who, Kind: "suggestion", ObjectID: id, Reason: "new"}
		}

		if st, err := e.notifier.FanOut(e.ctx, 1, e.clock.Now(), event(suggestion())); err != nil || st.Pushes != 0 {
			t.Fatalf("off by default: %+v %v", st, err)
		}
		if _, err := e.prefs.Put(e.ctx, who, PrefsInput{Channels: map[string]citizens.Channel{CategorySuggestions: {Push: true, InApp: true}}}, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		e.enqueue(event(suggestion()))
		e.drain()
		msgs, err := e.srv.WaitMessages(e.ctx, sub, 1)
		if err != nil {
			t.Fatal(err)
		}
		var p push.Payload
		if err := msgs[0].Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Title != "A new suggestion from Min side" || p.Category != "suggestion" || p.URL != pushableLink("/suggestions") ||
			strings.Contains(p.Title, "Jonas") || strings.Contains(p.Title, "Utdanningsetaten") {
			t.Errorf("payload = %+v", p)
		}
		e.noRejections()

		oslo, _ := time.LoadLocation(Timezone)
		e.clock.Set(time.Date(2026, 1, 14, 23, 30, 0, 0, oslo))
		if st, err := e.notifier.FanOut(e.ctx, 3, e.clock.Now(), event(suggestion())); err != nil || st.Pushes != 1 || st.Delayed != 1 {
			t.Fatalf("at night: %+v %v", st, err)
		}

		dismissed := suggestion()
		if _, err := db.NewUpdate().Table("suggestions").Set("state = 'dismissed'").Where("id = ?", dismissed).Exec(e.ctx); err != nil {
			t.Fatal(err)
		}
		if st, err := e.notifier.FanOut(e.ctx, 4, e.clock.Now(), event(dismissed)); err != nil || st.Pushes != 0 {
			t.Errorf("a dismissed suggestion: %+v %v", st, err)
		}
		off := true
		if _, err := e.prefs.Put(e.ctx, who, PrefsInput{Suggestions: &SuggestionPrefsInput{Off: &off}}, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if st, err := e.notifier.FanOut(e.ctx, 5, e.clock.Now(), event(suggestion())); err != nil || st.Pushes != 0 {
			t.Errorf("suggestions turned off: %+v %v", st, err)
		}
	})
}

func TestSuggestionPreferences(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		got, err := e.prefs.Get(e.ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		if got.Suggestions.Off || len(got.Suggestions.OffAgencies) != 0 || got.Channels[CategorySuggestions].Push || !got.Channels["cases"].Push {
			t.Errorf("defaults = %+v", got)
		}
		agencyID := e.agency("Bydel Gamle Oslo")
		var slug string
		if err := db.NewSelect().Table("agencies").Column("slug").Where("id = ?", agencyID).Scan(e.ctx, &slug); err != nil {
			t.Fatal(err)
		}
		rule := suggesttest.AddRule(t, db, suggesttest.Rule{AgencyID: agencyID, Texts: texts.Fields{"title": {"nb": "Forslag"}}}, e.clock.Now())
		id := suggesttest.AddSuggestion(t, db, rule, who, nil, store.UTC(e.clock.Now()))

		agencies := []string{slug, slug}
		got, err = e.prefs.Put(e.ctx, who, PrefsInput{Suggestions: &SuggestionPrefsInput{OffAgencies: &agencies}}, e.clock.Now())
		if err != nil || got.Suggestions.Off || len(got.Suggestions.OffAgencies) != 1 || got.Suggestions.OffAgencies[0] != slug {
			t.Fatalf("put = %+v, %v", got.Suggestions, err)
		}
		if saved, _ := e.prefs.Get(e.ctx, who); len(saved.Suggestions.OffAgencies) != 1 {
			t.Errorf("saved = %+v", saved.Suggestions)
		}
		// Other devices learn of it: the person's suggestion is put on the changes feed again.
		if n, err := db.NewSelect().Table("changes").Where("object_id = ? AND kind = 'suggestion'", id).Count(e.ctx); err != nil || n != 2 {
			t.Errorf("%d change rows (%v), want the suggestion's own and one for the new preference", n, err)
		}

		unknown := []string{"no-such-agency"}
		_, err = e.prefs.Put(e.ctx, who, PrefsInput{Suggestions: &SuggestionPrefsInput{OffAgencies: &unknown}}, e.clock.Now())
		if !hasField(err, "/suggestions/offAgencies/0") {
			t.Errorf("an unknown agency: %v", err)
		}
		if _, err := DecodePrefsInput([]byte(`{"suggestions":{"of":true}}`)); !hasField(err, "/suggestions/of") {
			t.Errorf("an unknown member: %v", err)
		}
		if _, err := DecodePrefsInput([]byte(`{"suggestions":{"offAgencies":"x"}}`)); !hasField(err, "/suggestions/offAgencies") {
			t.Errorf("not a list: %v", err)
		}
	})
}

// hasField reports whether err is a 422 naming pointer.
func hasField(err error, pointer string) bool {
	ae, ok := apperr.As(err)
	if !ok || ae.Code != apperr.CodeInvalid {
		return false
	}
	for _, f := range ae.Fields {
		if f.Pointer == pointer {
			return true
		}
	}
	return false
}
