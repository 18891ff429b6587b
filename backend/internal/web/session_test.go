package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/audit"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
)

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		steps []time.Duration // clock jumps, each followed by GET /api/v1/me
		last  int             // the status of the last request
	}{
		{"used within the idle time", []time.Duration{29 * time.Minute}, http.StatusOK},
		{"idle too long", []time.Duration{31 * time.Minute}, http.StatusUnauthorized},
		{"sliding: used every 25 minutes", []time.Duration{25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute}, http.StatusOK},
		{"absolute limit despite use", []time.Duration{25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 21 * time.Minute}, http.StatusUnauthorized},
	}
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := p.LoginAs(t, apptest.PID(t, 1970, 2))
				var r *apptest.Response
				for _, d := range tc.steps {
					p.Clock.Advance(d)
					r = c.Get(t, "/api/v1/me")
				}
				r.Status(t, tc.last)
				if tc.last == http.StatusUnauthorized {
					if pr := r.Problem(t); pr.Code != "unauthorized" {
						t.Errorf("problem %+v", pr)
					}
				}
			})
		}
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.LoginAs(t, apptest.PID(t, 1980, 3))
		var me struct{ ID string }
		c.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &me)
		hash := sessionHashOf(t, p, me.ID)
		if _, err := p.DB.NewRaw("INSERT INTO push_subscriptions (id, citizen_id, session_hash, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			store.NewID(), me.ID, hash, "https://fcm.googleapis.com/x", "k", "a", time.Now().UTC()).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}

		r := c.Send(t, http.MethodPost, "/auth/logout", nil).Status(t, http.StatusOK)
		var out struct{ EndSessionURL string }
		r.JSON(t, &out)
		if !strings.HasPrefix(out.EndSessionURL, p.URL+"/dev-idp/endsession?") || strings.Contains(out.EndSessionURL, "id_token_hint") {
			t.Errorf("endSessionUrl %q", out.EndSessionURL)
		}
		if got := r.Header.Get("Clear-Site-Data"); got != `"cache", "storage"` {
			t.Errorf("Clear-Site-Data %q", got)
		}
		c.Get(t, "/api/v1/me").Status(t, http.StatusUnauthorized)
		n, err := p.DB.NewSelect().TableExpr("push_subscriptions").Where("session_hash = ?", hash).Count(context.Background())
		if err != nil || n != 0 {
			t.Errorf("push devices of the session left: %d, %v", n, err)
		}
		wantAudit(t, p, me.ID, "login", "logout")
	})
}

func TestFrontchannelLogout(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.LoginAs(t, apptest.PID(t, 1980, 4))
		other := p.LoginAs(t, apptest.PID(t, 1981, 4))
		var me struct{ ID string }
		c.Get(t, "/api/v1/me").JSON(t, &me)
		var sess sessions.Session
		if err := p.DB.NewSelect().Model(&sess).Where("citizen_id = ?", me.ID).Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		anon := p.Anonymous(t)
		bad := anon.Get(t, "/auth/frontchannel-logout?iss=https://evil.example&sid="+sess.IdPSID)
		bad.Status(t, http.StatusUnauthorized)
		c.Get(t, "/api/v1/me").Status(t, http.StatusOK)

		r := anon.Get(t, "/auth/frontchannel-logout?iss="+p.URL+"/dev-idp&sid="+sess.IdPSID).Status(t, http.StatusOK)
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' "+p.URL) {
			t.Errorf("CSP %q does not let the provider frame the page", csp)
		}
		if r.Header.Get("X-Frame-Options") != "" {
			t.Errorf("X-Frame-Options %q forbids framing", r.Header.Get("X-Frame-Options"))
		}
		c.Get(t, "/api/v1/me").Status(t, http.StatusUnauthorized)
		other.Get(t, "/api/v1/me").Status(t, http.StatusOK)
	})
}

// TestLogoutAtProviderEndsSession follows the end-session URL: the provider frames our
// front-channel logout, which ends any session of that provider session (here: already ended).
func TestLogoutAtProviderEndsSession(t *testing.T) {
	t.Parallel()
	p := apptest.Start(t)
	c := p.LoginAs(t, apptest.PID(t, 1975, 5))
	var out struct{ EndSessionURL string }
	c.Send(t, http.MethodPost, "/auth/logout", nil).Status(t, http.StatusOK).JSON(t, &out)
	page := c.Visit(t, out.EndSessionURL).Status(t, http.StatusOK)
	if !strings.Contains(string(page.Body), "/auth/frontchannel-logout?") {
		t.Errorf("the provider's logout page does not frame our front-channel logout: %s", page.Body)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.LoginAs(t, apptest.PID(t, 1990, 6))
		cases := []struct {
			name   string
			header map[string]string
			want   int
		}{
			{"same origin with token", map[string]string{"Origin": p.URL, "Sec-Fetch-Site": "same-origin"}, http.StatusOK},
			{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
			{"same-site fetch", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
			{"foreign origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
			{"null origin", map[string]string{"Origin": "null"}, http.StatusForbidden},
			{"missing token", map[string]string{"X-CSRF-Token": ""}, http.StatusForbidden},
			{"wrong token", map[string]string{"X-CSRF-Token": "not-the-token"}, http.StatusForbidden},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				req := c.NewRequest(t, http.MethodPut, "/api/v1/me/acting-as", strings.NewReader(`{"citizenId":null}`))
				req.Header.Set("Content-Type", "application/json")
				for k, v := range tc.header {
					req.Header.Set(k, v)
				}
				r := c.Do(t, req).Status(t, tc.want)
				if tc.want == http.StatusForbidden {
					if pr := r.Problem(t); pr.Code != "forbidden" || pr.Detail == "" {
						t.Errorf("problem %+v", pr)
					}
				}
			})
		}
		// Logout is CSRF-protected too: a cross-site POST leaves the session alive.
		req := c.NewRequest(t, http.MethodPost, "/auth/logout", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		c.Do(t, req).Status(t, http.StatusForbidden)
		c.Get(t, "/api/v1/me").Status(t, http.StatusOK)
	})
}

func TestNoSessionIs401(t *testing.T) {
	t.Parallel()
	p := apptest.Start(t)
	anon := p.Anonymous(t)
	for _, path := range []string{"/api/v1/me", "/api/v1/anything"} {
		if pr := anon.Get(t, path).Status(t, http.StatusUnauthorized).Problem(t); pr.Code != "unauthorized" {
			t.Errorf("%s: %+v", path, pr)
		}
	}
	req := anon.NewRequest(t, http.MethodGet, "/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: "minside", Value: "forged-token"})
	anon.Do(t, req).Status(t, http.StatusUnauthorized)
}

func sessionHashOf(t *testing.T, p *apptest.Portal, citizenID string) string {
	t.Helper()
	var s sessions.Session
	if err := p.DB.NewSelect().Model(&s).Where("citizen_id = ?", citizenID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s.IDHash
}

// wantAudit checks that the citizen's audit trail holds these actions, in order.
func wantAudit(t *testing.T, p *apptest.Portal, citizenID string, actions ...string) {
	t.Helper()
	var rows []audit.Entry
	if err := p.DB.NewSelect().Model(&rows).Where("subject_id = ?", citizenID).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Action)
	}
	if strings.Join(got, ",") != strings.Join(actions, ",") {
		t.Errorf("audit actions %v, want %v", got, actions)
	}
}
