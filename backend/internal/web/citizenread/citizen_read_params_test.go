package citizenread_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
	"minside/backend/internal/config"
)

// problemFields is the part of a 422 these tests look at: which parameter it names.
type problemFields struct {
	Code   string
	Detail string
	Errors []struct{ Pointer, Code string }
}

func refused(t *testing.T, c *apptest.Client, path, pointer string) problemFields {
	t.Helper()
	res := c.Get(t, path)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("GET %s: %d %.200s, want 422 on %s", path, res.StatusCode, res.Body, pointer)
		return problemFields{}
	}
	res.Problem(t)
	var pr problemFields
	res.JSON(t, &pr)
	if pr.Code != "invalid" || len(pr.Errors) != 1 || pr.Errors[0].Pointer != pointer {
		t.Errorf("GET %s: problem %+v, want one error on %s", path, pr, pointer)
	}
	return pr
}

// longSessions keeps a login alive while the tests move the clock by days.
func longSessions(c *config.Config) {
	c.SessionIdle, c.SessionAbsolute = 2000*time.Hour, 2000*time.Hour
}

// TestListParametersAreCheckedOnEveryList asks every citizen list with each kind of bad limit,
// cursor and flag: each is a 422 naming the parameter, never a 500 or a silently used default.
func TestListParametersAreCheckedOnEveryList(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1981, 41)
		key := addKey(t, p, p.Agency(t, "renovasjon").ID, r.me.ID)
		lists := []string{"/api/v1/cases", "/api/v1/bookings", "/api/v1/keys", "/api/v1/notifications", "/api/v1/tiles",
			"/api/v1/me/deliveries", "/api/v1/me/access-log", "/api/v1/keys/" + key + "/uses"}
		for _, list := range lists {
			for _, ok := range []string{"", "?limit=1", "?limit=100"} {
				r.client.Get(t, list+ok).Status(t, http.StatusOK)
			}
			for _, bad := range []string{"-1", "0", "101", "abc", "1.5", "%00", "99999999999999999999"} {
				refused(t, r.client, list+"?limit="+bad, "/limit")
			}
			for _, bad := range []string{"garbage", "%00", "AAAA", "x%00y", strings.Repeat("A", 1000), "%%%"} {
				refused(t, r.client, list+"?cursor="+bad, "/cursor")
			}
		}
		for _, bad := range []string{"maybe", "2", "%00", "yes"} {
			refused(t, r.client, "/api/v1/notifications?unread="+bad, "/unread")
		}
		for _, good := range []string{"1", "0", "true", "false"} {
			r.client.Get(t, "/api/v1/notifications?unread="+good).Status(t, http.StatusOK)
		}
		for _, bad := range []string{"%00", "ab%00", "a%00b", "%FF%FEab", "ab%07"} {
			refused(t, r.client, "/api/v1/search?q="+bad, "/q")
		}
		for _, bad := range []string{"garbage", "%00", "AAAA", ""} {
			refused(t, r.client, "/api/v1/changes?cursor="+bad, "/cursor")
		}
	})
}

// TestCursorsAreSignedAndBound takes real cursors and shows that a changed, truncated or foreign
// one is refused, and that a list cursor lasts a day.
func TestCursorsAreSignedAndBound(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1982, 42)
		other := loginReader(t, p, 1983, 43)
		ag := p.Agency(t, "plan")
		for range 3 {
			addCase(t, p, ag.ID, r.me.ID, cases.StatusReceived, "Sak")
			addCase(t, p, ag.ID, other.me.ID, cases.StatusReceived, "Sak")
		}
		var page struct{ NextCursor *string }
		r.client.Get(t, "/api/v1/cases?limit=1").Status(t, http.StatusOK).JSON(t, &page)
		if page.NextCursor == nil {
			t.Fatal("no next cursor")
		}
		cursor := *page.NextCursor
		r.client.Get(t, "/api/v1/cases?limit=1&cursor="+url.QueryEscape(cursor)).Status(t, http.StatusOK)

		flipped := []byte(cursor)
		flipped[len(flipped)/2] ^= 0x01
		if flipped[len(flipped)/2] == '-' || flipped[len(flipped)/2] == '_' {
			flipped[len(flipped)/2] = 'A'
		}
		for _, bad := range []string{string(flipped), cursor[:len(cursor)-2], cursor + "AA"} {
			refused(t, r.client, "/api/v1/cases?cursor="+url.QueryEscape(bad), "/cursor")
		}
		refused(t, other.client, "/api/v1/cases?cursor="+url.QueryEscape(cursor), "/cursor")
		// A cursor of one list is no cursor of another.
		refused(t, r.client, "/api/v1/bookings?cursor="+url.QueryEscape(cursor), "/cursor")

		var o overviewBody
		r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &o)
		r.client.Get(t, "/api/v1/changes?cursor="+url.QueryEscape(o.Cursor)).Status(t, http.StatusOK)
		refused(t, other.client, "/api/v1/changes?cursor="+url.QueryEscape(o.Cursor), "/cursor")
		refused(t, r.client, "/api/v1/cases?cursor="+url.QueryEscape(o.Cursor), "/cursor")

		// A day later the list cursor has expired (the list may have changed a lot: start over);
		// the changes feed cursor lives as long as the feed keeps changes.
		p.Clock.Advance(25 * time.Hour)
		pr := refused(t, r.client, "/api/v1/cases?cursor="+url.QueryEscape(cursor), "/cursor")
		if pr.Detail == "" {
			t.Errorf("expired list cursor: no detail in %+v", pr)
		}
		r.client.Get(t, "/api/v1/changes?cursor="+url.QueryEscape(o.Cursor)).Status(t, http.StatusOK)
		p.Clock.Advance(30 * 24 * time.Hour)
		res := r.client.Get(t, "/api/v1/changes?cursor="+url.QueryEscape(o.Cursor)).Status(t, http.StatusGone)
		var gone problemFields
		res.JSON(t, &gone)
		if gone.Code != "gone" || gone.Detail == "" || len(gone.Errors) != 1 || gone.Errors[0].Pointer != "/cursor" {
			t.Errorf("expired feed cursor: %+v", gone)
		}
	}, apptest.WithConfig(longSessions))
}
