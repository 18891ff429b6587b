package login_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/auth/login"
)

var iframe = regexp.MustCompile(`<iframe src="([^"]+)"`)

// A full logout: the portal sends the hint by POST, the provider loads the portal's front-channel
// URI with the session id the login returned, and the portal recognizes it.
func TestLogoutRoundTrip(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, nil)
	ctx := context.Background()
	store := login.NewMemoryStore(time.Minute, nil)
	authURL, err := c.Start(ctx, store, "")
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.Finish(ctx, store, e.signIn(t, authURL, karisPID, ""))
	if err != nil {
		t.Fatal(err)
	}

	action, fields, err := c.EndSessionForm(ctx, id.IDToken, e.srv.URL+"/", "st")
	if err != nil {
		t.Fatal(err)
	}
	if action != e.issuer+"/endsession" || fields.Get("id_token_hint") != id.IDToken || fields.Get("client_id") != clientID {
		t.Fatalf("end-session form = %s %v", action, fields)
	}
	res, err := e.browser.PostForm(action, fields)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := iframe.FindStringSubmatch(string(page))
	if m == nil {
		t.Fatalf("no front-channel iframe in %s", page)
	}
	front, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil || front.Path != frontPath {
		t.Fatalf("front-channel URI = %s (%v)", m[1], err)
	}
	sid, err := c.FrontchannelLogout(front.Query())
	if err != nil || sid != id.SID {
		t.Fatalf("FrontchannelLogout = %q, %v; want sid %q", sid, err, id.SID)
	}
	if !strings.Contains(string(page), `url=`+e.srv.URL+`/?state=st`) {
		t.Errorf("no way back to the portal in %s", page)
	}
}

func TestEndSessionURLCarriesNoPID(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, nil)
	got, err := c.EndSessionURL(context.Background(), e.srv.URL+"/", "st")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	q := u.Query()
	if u.Path != "/dev-idp/endsession" || q.Get("client_id") != clientID || q.Get("post_logout_redirect_uri") != e.srv.URL+"/" ||
		q.Get("state") != "st" || q.Has("id_token_hint") {
		t.Fatalf("end-session URL = %s", got)
	}
	// The provider accepts it: with no provider session there is nobody to notify, so it redirects back.
	res, err := e.browser.Get(got)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc, _ := res.Location(); res.StatusCode != http.StatusSeeOther || loc.String() != e.srv.URL+"/?state=st" {
		t.Fatalf("end-session = %d %v", res.StatusCode, loc)
	}
}

func TestFrontchannelLogoutRefusals(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, nil)
	for name, q := range map[string]url.Values{
		"no iss":      {"sid": {"s"}},
		"foreign iss": {"iss": {"https://evil.test"}, "sid": {"s"}},
		"no sid":      {"iss": {e.issuer}},
	} {
		if _, err := c.FrontchannelLogout(q); reason(err) != login.ReasonIssuer {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestMemoryStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := login.NewMemoryStore(time.Minute, func() time.Time { return now })
	if err := s.SavePending(ctx, "old", login.Pending{State: "a", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	if err := s.SavePending(ctx, "new", login.Pending{State: "b", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.TakePending(ctx, "old"); found {
		t.Error("an expired pending login survived")
	}
	if p, found, _ := s.TakePending(ctx, "new"); !found || p.State != "b" {
		t.Errorf("TakePending = %+v %v", p, found)
	}
	if _, found, _ := s.TakePending(ctx, "new"); found {
		t.Error("a pending login was taken twice")
	}
}

func TestStateKey(t *testing.T) {
	a, b := login.StateKey("state-a"), login.StateKey("state-b")
	if len(a) != 64 || a == b || a != login.StateKey("state-a") || strings.Contains(a, "state-a") {
		t.Errorf("StateKey = %s, %s", a, b)
	}
}

func TestIdentityDoesNotPrintThePID(t *testing.T) {
	id := login.Identity{PID: karisPID, ACR: "idporten-loa-substantial", SID: "s", IDToken: "eyJ.secret.token"}
	var buf strings.Builder
	slog.New(slog.NewTextHandler(&buf, nil)).Info("login", "identity", id)
	for _, out := range []string{fmt.Sprint(id), fmt.Sprintf("%v %+v %s", id, id, id), buf.String()} {
		if strings.Contains(out, karisPID) || strings.Contains(out, "secret") || !strings.Contains(out, "018190*****") {
			t.Errorf("printed identity: %s", out)
		}
	}
}
