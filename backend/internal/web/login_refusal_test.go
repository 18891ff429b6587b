package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/audit"
	"minside/backend/internal/auth"
	"minside/backend/internal/sessions"
)

// Token-level refusals (wrong issuer, wrong audience, expired token, bad signature, alg=none,
// replayed nonce) are tested against a fake provider in auth/login; these run the whole portal.
func TestLoginRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   apptest.LoginOptions
		reason string
	}{
		{"acr too low for a step-up", apptest.LoginOptions{ACR: auth.ACRHigh, LoginACR: auth.ACRSubstantial}, "acr_too_low"},
		{"cancelled at the provider", apptest.LoginOptions{Cancel: true}, "cancelled"},
	}
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c := p.Anonymous(t)
				final := c.Login(t, apptest.PID(t, 1960, 7), tc.opts)
				if final.Path != "/" || final.Query().Get("login") != "failed" || final.Query().Get("reason") != tc.reason {
					t.Errorf("ended on %s, want /?login=failed&reason=%s", final, tc.reason)
				}
				c.Get(t, "/api/v1/me").Status(t, http.StatusUnauthorized)
			})
		}
		var failed []audit.Entry
		if err := p.DB.NewSelect().Model(&failed).Where("action = ?", "login_failed").Order("id").Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(failed) != len(tests) {
			t.Fatalf("%d login_failed entries, want %d", len(failed), len(tests))
		}
		for i, e := range failed {
			if e.ActorID != nil || e.SubjectID != nil || e.Detail["reason"] != tests[i].reason {
				t.Errorf("login_failed entry %+v: want no person and reason %s", e, tests[i].reason)
			}
		}
	})
}

func TestStepUpLogin(t *testing.T) {
	t.Parallel()
	p := apptest.Start(t)
	c := p.Anonymous(t)
	final := c.Login(t, apptest.PID(t, 1961, 8), apptest.LoginOptions{ACR: auth.ACRHigh, ReturnTo: "/keys"})
	if final.Path != "/keys" {
		t.Fatalf("ended on %s", final)
	}
	var s sessions.Session
	if err := p.DB.NewSelect().Model(&s).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.ACR != auth.ACRHigh {
		t.Errorf("session acr %q", s.ACR)
	}
}

func TestReplayedCallbackIsRefused(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.Anonymous(t)
		c.Login(t, apptest.PID(t, 1962, 9), apptest.LoginOptions{})
		var callback string
		for _, u := range c.Redirects {
			if u.Path == "/auth/callback" {
				callback = u.String()
			}
		}
		if callback == "" {
			t.Fatal("no callback in the redirects")
		}
		c.Get(t, "/api/v1/me").Status(t, http.StatusOK)

		attacker := p.Anonymous(t)
		r := attacker.Visit(t, callback).Status(t, http.StatusOK)
		if q := r.Request.URL.Query(); q.Get("login") != "failed" || q.Get("reason") != "state_unknown" {
			t.Errorf("replayed callback ended on %s", r.Request.URL)
		}
		attacker.Get(t, "/api/v1/me").Status(t, http.StatusUnauthorized)
	})
}

func TestReturnToStaysLocal(t *testing.T) {
	t.Parallel()
	p := apptest.Start(t)
	for returnTo, want := range map[string]string{
		"/cases/123?tab=documents": "/cases/123",
		"//evil.example/x":         "/",
		"/\\evil.example":          "/",
		"https://evil.example/":    "/",
		"cases":                    "/",
	} {
		c := p.Anonymous(t)
		final := c.Login(t, apptest.PID(t, 1963, 10), apptest.LoginOptions{ReturnTo: returnTo})
		if final.Host != strings.TrimPrefix(p.URL, "http://") || final.Path != want {
			t.Errorf("returnTo %q ended on %s, want path %s", returnTo, final, want)
		}
	}
}

// TestSessionRotatesAtLogin: a cookie planted before login is not the one that gets logged in.
func TestSessionRotatesAtLogin(t *testing.T) {
	t.Parallel()
	p := apptest.Start(t)
	c := p.LoginAs(t, apptest.PID(t, 1964, 11))
	first := cookieOf(t, c, p)
	c.Login(t, apptest.PID(t, 1964, 11), apptest.LoginOptions{})
	second := cookieOf(t, c, p)
	if first == "" || second == "" || first == second {
		t.Fatalf("cookie not rotated: %q → %q", first, second)
	}
	n, err := p.DB.NewSelect().Model((*sessions.Session)(nil)).Count(context.Background())
	if err != nil || n != 1 {
		t.Errorf("%d sessions after a second login in the same browser, want 1 (%v)", n, err)
	}
	if len(first) < 43 {
		t.Errorf("token %d characters: under 256 bits", len(first))
	}
}

func cookieOf(t *testing.T, c *apptest.Client, p *apptest.Portal) string {
	t.Helper()
	req := c.NewRequest(t, http.MethodGet, "/", nil)
	for _, ck := range c.HTTP.Jar.Cookies(req.URL) {
		if ck.Name == "minside" {
			return ck.Value
		}
	}
	return ""
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	p := apptest.Start(t)
	c := p.LoginAs(t, apptest.PID(t, 1965, 12))
	var set string
	for _, h := range c.SetCookie {
		if strings.HasPrefix(h, "minside=") {
			set = h
		}
	}
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/", "expires="} {
		if !strings.Contains(strings.ToLower(set), strings.ToLower(attr)) {
			t.Errorf("session cookie %q lacks %s", set, attr)
		}
	}
	if strings.Contains(strings.ToLower(set), "domain=") {
		t.Errorf("session cookie %q names a domain", set)
	}
	shared := p.Anonymous(t)
	shared.Login(t, apptest.PID(t, 1965, 13), apptest.LoginOptions{Shared: true})
	for _, h := range shared.SetCookie {
		if strings.HasPrefix(h, "minside=") && strings.Contains(strings.ToLower(h), "expires=") {
			t.Errorf("a shared device's cookie outlives the browser: %q", h)
		}
	}
}

// TestLoginCSRF: a callback with someone else's code and state (their login, not started in this
// browser) is refused, and does not burn their login either.
func TestLoginCSRF(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		attacker := p.Anonymous(t)
		var callback string
		follow := attacker.HTTP.CheckRedirect
		attacker.HTTP.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if req.URL.Path == "/auth/callback" {
				callback = req.URL.String()
				return http.ErrUseLastResponse
			}
			return follow(req, via)
		}
		attacker.Login(t, apptest.PID(t, 1966, 40), apptest.LoginOptions{})
		if callback == "" {
			t.Fatal("no callback captured")
		}
		victim := p.Anonymous(t)
		r := victim.Visit(t, callback).Status(t, http.StatusOK)
		if q := r.Request.URL.Query(); q.Get("login") != "failed" || q.Get("reason") != "state_unknown" {
			t.Errorf("someone else's callback ended on %s", r.Request.URL)
		}
		victim.Get(t, "/api/v1/me").Status(t, http.StatusUnauthorized)

		attacker.HTTP.CheckRedirect = follow
		attacker.Visit(t, callback).Status(t, http.StatusOK)
		attacker.Get(t, "/api/v1/me").Status(t, http.StatusOK) // their own login still works, once
		again := attacker.Visit(t, callback)
		if q := again.Request.URL.Query(); q.Get("login") != "failed" {
			t.Errorf("a used callback in the same browser ended on %s", again.Request.URL)
		}
	})
}
