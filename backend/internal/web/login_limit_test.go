package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
)

// loginLimit is the login limit of these tests.
const loginLimit = 3

// eachWithLoginLimit runs fn on each database with LoginLimit = loginLimit, 59 s before a counting
// window ends (windows are whole minutes), so no test straddles two windows.
func eachWithLoginLimit(t *testing.T, fn func(t *testing.T, p *apptest.Portal)) {
	start := time.Date(2026, 12, 3, 12, 0, 1, 0, time.UTC)
	apptest.Each(t, fn, apptest.WithConfig(func(c *config.Config) { c.LoginLimit = loginLimit }), apptest.WithTime(start))
}

// noRedirects is a client that shows where an answer sends the browser instead of going there.
func noRedirects() *http.Client {
	return &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// A started login is a row written before anyone has proven anything, so one client address may
// start Config.LoginLimit a minute. The counter is on the database and never holds the address.
// (The callback is counted the same way: TestLoginCallbacksAreLimitedPerAddress.)
func TestLoginStartsAreLimitedPerAddress(t *testing.T) {
	t.Parallel()
	eachWithLoginLimit(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		raw := noRedirects()
		startLogin := func() *http.Response {
			t.Helper()
			resp, err := raw.Get(p.URL + "/auth/login?returnTo=%2F")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		attempts := func() int {
			t.Helper()
			n, err := p.DB.NewSelect().Table("login_attempts").Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		for i := range loginLimit {
			if resp := startLogin(); resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/dev-idp/authorize") {
				t.Fatalf("start %d: %d to %q, want 302 to the identity provider", i+1, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
		if n := attempts(); n != loginLimit {
			t.Fatalf("%d started logins stored, want %d", n, loginLimit)
		}

		resp := startLogin()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/?login=failed&reason=rate_limited" {
			t.Fatalf("start over the limit: %d to %q, want 303 to /?login=failed&reason=rate_limited", resp.StatusCode, resp.Header.Get("Location"))
		}
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
			t.Errorf("Retry-After %q, want the seconds left of the minute", resp.Header.Get("Retry-After"))
		}
		if n := attempts(); n != loginLimit {
			t.Errorf("a refused start stored a login: %d stored, want %d", n, loginLimit)
		}
		if !strings.Contains(p.Logs(), "too many calls from one client address") {
			t.Error("the refusal is not logged")
		}

		var buckets []string
		if err := p.DB.NewSelect().Table("rate_limits").Column("bucket").Scan(ctx, &buckets); err != nil {
			t.Fatal(err)
		}
		if len(buckets) != 1 || !strings.HasPrefix(buckets[0], "login:") || strings.Contains(buckets[0], "127.0.0.1") {
			t.Errorf("counters %q: want one login counter keyed by a hash of the address", buckets)
		}

		// A minute later the same address logs in all the way.
		p.Clock.Advance(time.Minute)
		final := p.Anonymous(t).Login(t, apptest.PID(t, 1962, 11), apptest.LoginOptions{})
		if final.Path != "/" || final.Query().Get("login") == "failed" {
			t.Fatalf("login in the next minute ended on %s", final)
		}
	})
}

// Every refused callback is audited, so the callback is counted too, apart from the starts: past
// the limit it writes no audit row.
func TestLoginCallbacksAreLimitedPerAddress(t *testing.T) {
	t.Parallel()
	eachWithLoginLimit(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		raw := noRedirects()
		callback := func() string {
			t.Helper()
			resp, err := raw.Get(p.URL + "/auth/callback?state=made-up&code=made-up")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.Header.Get("Location")
		}
		refusals := func() int {
			t.Helper()
			n, err := p.DB.NewSelect().Table("audit_log").Where("action = ?", "login_failed").Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		for i := range loginLimit {
			if to := callback(); to != "/?login=failed&reason=state_unknown" {
				t.Fatalf("callback %d went to %q, want the state_unknown refusal", i+1, to)
			}
		}
		if n := refusals(); n != loginLimit {
			t.Fatalf("%d refusals audited, want %d", n, loginLimit)
		}
		if to := callback(); to != "/?login=failed&reason=rate_limited" {
			t.Fatalf("callback over the limit went to %q, want the rate_limited refusal", to)
		}
		if n := refusals(); n != loginLimit {
			t.Errorf("a callback over the limit was audited: %d refusals, want %d", n, loginLimit)
		}
		// Starts are counted apart: a new login still reaches the provider, and is refused on its way back.
		if final := p.Anonymous(t).Login(t, apptest.PID(t, 1962, 12), apptest.LoginOptions{}); final.Query().Get("reason") != "rate_limited" {
			t.Fatalf("a full login over the callback limit ended on %s, want refused at the callback", final)
		}
	})
}
