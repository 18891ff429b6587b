package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/audit"
	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
)

type meBody struct {
	ID         string
	ActingAs   *struct{ ID, Name string }
	Represents []struct {
		ID, Name, Relation string
		Scopes             []string
		ValidUntil         *time.Time
	}
}

// TestGuardianUntilEighteen: a parent acts for their child until the child turns 18; then the
// act-as choice ends on the next request, with nothing deleted.
func TestGuardianUntilEighteen(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		now := p.Clock.Now()
		parent := p.LoginAs(t, apptest.PID(t, 1980, 20))
		var me meBody
		parent.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &me)
		self, err := citizenByID(p, me.ID)
		if err != nil {
			t.Fatal(err)
		}
		birth := time.Date(now.Year()-18, now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 10)
		child := p.Citizen(t, apptest.PIDBorn(t, birth, 1), "Ola")
		p.Relation(t, represent.KindGuardian, self, child, nil, nil)

		parent.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &me)
		if len(me.Represents) != 1 || me.Represents[0].ID != child.ID || me.Represents[0].Relation != "guardian" ||
			me.Represents[0].Scopes != nil || me.Represents[0].ValidUntil == nil {
			t.Fatalf("represents = %+v", me.Represents)
		}
		parent.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": child.ID}).
			Status(t, http.StatusOK).JSON(t, &me)
		if me.ActingAs == nil || me.ActingAs.ID != child.ID || me.ID != self.ID {
			t.Fatalf("acting as = %+v", me.ActingAs)
		}

		p.Clock.Advance(11 * 24 * time.Hour) // the child is 18 now; keep the session alive below
		parent.Get(t, "/api/v1/me").Status(t, http.StatusUnauthorized)
		parent = p.LoginAs(t, apptest.PID(t, 1980, 20))
		parent.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &me)
		if me.ActingAs != nil || len(me.Represents) != 0 {
			t.Errorf("after 18: acting as %+v, represents %+v", me.ActingAs, me.Represents)
		}
		parent.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": child.ID}).Status(t, http.StatusNotFound)
		n, err := p.DB.NewSelect().Model((*represent.Relation)(nil)).Count(context.Background())
		if err != nil || n != 1 {
			t.Errorf("relations after 18: %d (%v); nothing is deleted", n, err)
		}
	})
}

// TestActAsRecheckedEveryRequest: a fullmakt that runs out mid-session ends the act-as choice.
func TestActAsRecheckedEveryRequest(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		rep := p.LoginAs(t, apptest.PID(t, 1970, 21))
		var me meBody
		rep.Get(t, "/api/v1/me").JSON(t, &me)
		self, err := citizenByID(p, me.ID)
		if err != nil {
			t.Fatal(err)
		}
		giver := p.Citizen(t, apptest.PID(t, 1940, 22), "Astrid")
		until := p.Clock.Now().Add(20 * time.Minute)
		p.Relation(t, represent.KindPowerOfAttorney, self, giver, []string{"health"}, &until)

		rep.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": giver.ID}).Status(t, http.StatusOK).JSON(t, &me)
		if me.ActingAs == nil || len(me.Represents) != 1 || len(me.Represents[0].Scopes) != 1 || me.Represents[0].Scopes[0] != "health" {
			t.Fatalf("me = %+v", me)
		}
		p.Clock.Advance(21 * time.Minute)
		rep.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &me)
		if me.ActingAs != nil || len(me.Represents) != 0 {
			t.Errorf("after the fullmakt ran out: %+v", me)
		}
		// Both people see the act-as in their audit trail.
		var entries []audit.Entry
		if err := p.DB.NewSelect().Model(&entries).Where("action = ?", "act_as_start").Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].ActorKind != audit.ActorRepresentative || *entries[0].ActorID != self.ID || *entries[0].SubjectID != giver.ID {
			t.Errorf("act_as_start audit: %+v", entries)
		}
	})
}

// TestActAsForeignIDIsNotFound: whoever the citizen may not act for is not found, whatever the id.
func TestActAsForeignIDIsNotFound(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.LoginAs(t, apptest.PID(t, 1975, 23))
		stranger := p.Citizen(t, apptest.PID(t, 1975, 24), "Per")
		for _, id := range []string{stranger.ID, store.NewID(), "not-a-uuid"} {
			pr := c.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": id}).
				Status(t, http.StatusNotFound).Problem(t)
			if pr.Code != "not_found" {
				t.Errorf("%s: %+v", id, pr)
			}
		}
		var me meBody
		c.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": nil}).Status(t, http.StatusOK).JSON(t, &me)
		if me.ActingAs != nil {
			t.Errorf("acting as %+v after choosing oneself", me.ActingAs)
		}
	})
}

func citizenByID(p *apptest.Portal, id string) (*citizens.Citizen, error) {
	return citizens.Get(context.Background(), p.DB, id)
}

// TestSavedLanguageWins: the citizen's saved language beats the browser's Accept-Language.
func TestSavedLanguageWins(t *testing.T) {
	t.Parallel()
	p := apptest.Start(t)
	c := p.LoginAs(t, apptest.PID(t, 1950, 25))
	c.Header.Set("Accept-Language", "nb")
	var me struct{ ID, Language string }
	c.Get(t, "/api/v1/me").JSON(t, &me)
	if me.Language != "nb" {
		t.Fatalf("language %q before saving one", me.Language)
	}
	prefs := &citizens.Preferences{CitizenID: me.ID, Language: "en", QuietStart: "22:00", QuietEnd: "07:00",
		Timezone: "Europe/Oslo", Channels: map[string]citizens.Channel{}, UpdatedAt: time.Now().UTC()}
	if _, err := p.DB.NewInsert().Model(prefs).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := c.Get(t, "/api/v1/me")
	r.JSON(t, &me)
	if me.Language != "en" {
		t.Errorf("language %q, want the saved en", me.Language)
	}
	// The PWA's first visit on a device asks for "my messages" and gets the saved language's.
	var msgs struct {
		Lang     string
		Messages map[string]any
	}
	c.Get(t, "/api/v1/me/messages").JSON(t, &msgs)
	if msgs.Lang != "en" || msgs.Messages["ui.nav.overview"] != "Overview" {
		t.Errorf("my messages in %q (overview = %v), want the saved en", msgs.Lang, msgs.Messages["ui.nav.overview"])
	}
}

// TestMyMessagesFollowTheBrowserUntilALanguageIsSaved: without a saved language "my messages"
// are those Accept-Language asks for, and without a session there are none.
func TestMyMessagesFollowTheBrowserUntilALanguageIsSaved(t *testing.T) {
	t.Parallel()
	p := apptest.Start(t)
	c := p.LoginAs(t, apptest.PID(t, 1951, 26))
	c.Header.Set("Accept-Language", "uk-UA,uk;q=0.9,en;q=0.5")
	r := c.Get(t, "/api/v1/me/messages")
	var msgs struct{ Lang, Dir string }
	r.JSON(t, &msgs)
	if msgs.Lang != "uk" || msgs.Dir != "ltr" {
		t.Fatalf("messages in %q/%q, want uk/ltr", msgs.Lang, msgs.Dir)
	}
	if vary := r.Header.Get("Vary"); !strings.Contains(vary, "Cookie") || !strings.Contains(vary, "Accept-Language") {
		t.Errorf("Vary = %q, want Cookie and Accept-Language", vary)
	}
	anon := p.Anonymous(t)
	if got := anon.Get(t, "/api/v1/me/messages").StatusCode; got != 401 {
		t.Errorf("without a session: %d, want 401", got)
	}
}
