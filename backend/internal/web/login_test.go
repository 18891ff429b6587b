package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
)

// TestLoginThroughDevIdP logs in through /auth/login → /dev-idp → /auth/callback and reads /me.
func TestLoginThroughDevIdP(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		number := apptest.PID(t, 1985, 1)
		c := p.LoginAs(t, number)
		r := c.Get(t, "/api/v1/me").Status(t, http.StatusOK)
		var me struct {
			ID, Name, PIDMasked, BirthDate, CSRFToken string
		}
		r.JSON(t, &me)
		if me.PIDMasked != number[:6]+"*****" || me.BirthDate != "1985-06-01" || me.CSRFToken == "" || me.ID == "" {
			t.Errorf("me = %+v", me)
		}
		if strings.Contains(string(r.Body), number) || len(apptest.FindPIDs(string(r.Body))) > 0 {
			t.Errorf("the national id is in the body: %s", r.Body)
		}
	})
}

// The PWA tells a session it logged out of offline from a later login by when each began.
func TestMeNamesTheSessionByItsStart(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		number := apptest.PID(t, 1985, 2)
		startedAt := func(c *apptest.Client) time.Time {
			t.Helper()
			var me struct{ SessionStartedAt time.Time }
			c.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &me)
			return me.SessionStartedAt
		}
		before := p.Clock.Now()
		first := p.LoginAs(t, number)
		began := startedAt(first)
		if d := began.Sub(before); d < -time.Second || d > time.Minute {
			t.Fatalf("sessionStartedAt %v, logged in at %v", began, before)
		}
		p.Clock.Advance(2 * time.Second)
		if again := startedAt(first); !again.Equal(began) {
			t.Errorf("the same session reads as started at %v, then %v", began, again)
		}
		if later := startedAt(p.LoginAs(t, number)); !later.After(began) {
			t.Errorf("a later login of the same person started at %v, not after %v", later, began)
		}
	})
}
