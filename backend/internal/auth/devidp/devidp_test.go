package devidp

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"minside/backend/internal/auth"
)

const (
	issuer      = "http://portal.test/dev-idp"
	callback    = "http://portal.test/auth/callback"
	afterLogout = "http://portal.test/"
	frontLogout = "http://portal.test/auth/frontchannel-logout"
	karisPID    = "01819012365" // synthetic, 1 Jan 1990
	verifier    = "a-verifier-that-is-long-enough-for-pkce-rules-0123456789"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newProvider(t *testing.T, c *clock) *Provider {
	t.Helper()
	p, err := New(Config{
		Issuer: issuer,
		Clients: []Client{
			{ID: "minside", Secret: "s3cret/+&", RedirectURIs: []string{callback},
				PostLogoutRedirectURIs: []string{afterLogout}, FrontchannelLogoutURI: frontLogout},
			{ID: "other", Secret: "other-secret", RedirectURIs: []string{"http://other.test/cb"},
				PostLogoutRedirectURIs: []string{"http://other.test/"}},
		},
		People: func(context.Context) []Person { return []Person{{Name: "Kari Nordmann", PID: karisPID}} },
		Now:    c.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func authParams(clientID, redirectURI string) url.Values {
	return url.Values{
		"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {"openid"},
		"state": {"st-1"}, "nonce": {"n-1"}, "code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"},
	}
}

func serve(h http.Handler, method, target string, form url.Values, mutate func(*http.Request)) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if mutate != nil {
		mutate(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// signIn posts the login form and returns the code from the redirect and the provider session cookie.
func signIn(t *testing.T, p *Provider, form url.Values) (string, *http.Cookie) {
	t.Helper()
	w := serve(p, http.MethodPost, issuer+"/authorize", form, nil)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("authorize POST = %d: %s", w.Code, w.Body)
	}
	loc, err := url.Parse(w.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Query().Get("state") != form.Get("state") || loc.Query().Get("iss") != issuer {
		t.Fatalf("redirect %s lacks state or iss", loc)
	}
	if strings.Contains(loc.String(), form.Get("pid")) {
		t.Fatal("the pid leaked into the redirect URL")
	}
	var ck *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			ck = c
		}
	}
	return loc.Query().Get("code"), ck
}

func withPID(v url.Values, pid, acr string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	out.Set("pid", pid)
	if acr != "" {
		out.Set("acr", acr)
	}
	return out
}

func redeem(p *Provider, form url.Values, basic bool) *httptest.ResponseRecorder {
	return serve(p, http.MethodPost, issuer+"/token", form, func(r *http.Request) {
		if basic {
			r.SetBasicAuth(url.QueryEscape("minside"), url.QueryEscape("s3cret/+&"))
		}
	})
}

func TestRoutingUnderPrefixAndStripped(t *testing.T) {
	p := newProvider(t, &clock{time.Now()})
	for _, h := range []http.Handler{p, http.StripPrefix("/dev-idp", p)} {
		w := serve(h, http.MethodGet, issuer+"/.well-known/openid-configuration", nil, nil)
		var doc map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != 200 {
			t.Fatalf("discovery = %d %v", w.Code, err)
		}
		want := map[string]string{"issuer": issuer, "authorization_endpoint": issuer + "/authorize",
			"token_endpoint": issuer + "/token", "jwks_uri": issuer + "/jwks", "end_session_endpoint": issuer + "/endsession"}
		for k, v := range want {
			if doc[k] != v {
				t.Errorf("discovery %s = %v, want %s", k, doc[k], v)
			}
		}
		var set jose.JSONWebKeySet
		w = serve(h, http.MethodGet, issuer+"/jwks", nil, nil)
		if err := json.Unmarshal(w.Body.Bytes(), &set); err != nil || len(set.Keys) != 1 || set.Keys[0].KeyID == "" || !set.Keys[0].IsPublic() {
			t.Fatalf("jwks = %s (%v)", w.Body, err)
		}
	}
	if w := serve(p, http.MethodGet, issuer+"/nope", nil, nil); w.Code != http.StatusNotFound {
		t.Errorf("unknown path = %d", w.Code)
	}
	if w := serve(p, http.MethodDelete, issuer+"/token", nil, nil); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /token = %d", w.Code)
	}
}

func TestLoginPage(t *testing.T) {
	p := newProvider(t, &clock{time.Now()})
	q := authParams("minside", callback)
	q.Set("acr_values", auth.ACRHigh)
	w := serve(p, http.MethodGet, issuer+"/authorize?"+q.Encode(), nil, nil)
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("GET authorize = %d", w.Code)
	}
	for _, want := range []string{`<html lang="nb">`, "<h1>", `<label for="pid">`, `id="pid" name="pid"`,
		"Kari Nordmann", "018190*****", `name="acr" value="` + auth.ACRHigh + `" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("login page lacks %q", want)
		}
	}
	if w.Header().Get("X-Frame-Options") != "DENY" {
		t.Error("login page may be framed")
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	p := newProvider(t, &clock{time.Now()})
	tests := []struct {
		name      string
		change    func(url.Values)
		status    int
		oauthCode string // expected error= in the redirect; "" for an error page
	}{
		{"unknown client", func(v url.Values) { v.Set("client_id", "nobody") }, 400, ""},
		{"unregistered redirect_uri", func(v url.Values) { v.Set("redirect_uri", "http://evil.test/cb") }, 400, ""},
		{"another client's redirect_uri", func(v url.Values) { v.Set("redirect_uri", "http://other.test/cb") }, 400, ""},
		{"implicit flow", func(v url.Values) { v.Set("response_type", "id_token") }, 303, "unsupported_response_type"},
		{"no openid scope", func(v url.Values) { v.Set("scope", "profile") }, 303, "invalid_scope"},
		{"no PKCE", func(v url.Values) { v.Del("code_challenge") }, 303, "invalid_request"},
		{"plain PKCE", func(v url.Values) { v.Set("code_challenge_method", "plain") }, 303, "invalid_request"},
		{"no state", func(v url.Values) { v.Del("state") }, 303, "invalid_request"},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			t.Run(tt.name+" "+method, func(t *testing.T) {
				v := withPID(authParams("minside", callback), karisPID, "")
				tt.change(v)
				var w *httptest.ResponseRecorder
				if method == http.MethodGet {
					w = serve(p, method, issuer+"/authorize?"+v.Encode(), nil, nil)
				} else {
					w = serve(p, method, issuer+"/authorize", v, nil)
				}
				if w.Code != tt.status {
					t.Fatalf("status = %d, want %d", w.Code, tt.status)
				}
				if tt.oauthCode != "" {
					loc, _ := url.Parse(w.Header().Get("Location"))
					if loc.Query().Get("error") != tt.oauthCode || !strings.HasPrefix(loc.String(), callback) {
						t.Errorf("redirect = %s, want error=%s", loc, tt.oauthCode)
					}
				}
			})
		}
	}
}

func TestInvalidPIDShowsTheFormAgain(t *testing.T) {
	p := newProvider(t, &clock{time.Now()})
	w := serve(p, http.MethodPost, issuer+"/authorize", withPID(authParams("minside", callback), "01819012366", ""), nil)
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d", w.Code)
	}
	for _, want := range []string{`aria-invalid="true"`, `aria-describedby="pid-error"`, `role="alert"`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("error page lacks %q", want)
		}
	}
}

func TestCancel(t *testing.T) {
	p := newProvider(t, &clock{time.Now()})
	v := authParams("minside", callback)
	v.Set("cancel", "1")
	w := serve(p, http.MethodPost, issuer+"/authorize", v, nil)
	loc, _ := url.Parse(w.Header().Get("Location"))
	if w.Code != http.StatusSeeOther || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-1" {
		t.Fatalf("cancel = %d %s", w.Code, loc)
	}
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// The one-click buttons post the same request as the query that opened the page.
func TestPersonButtonCarriesTheRequest(t *testing.T) {
	p := newProvider(t, &clock{time.Now()})
	q := authParams("minside", callback)
	body := serve(p, http.MethodGet, issuer+"/authorize?"+q.Encode(), nil, nil).Body.String()
	firstForm := body[strings.Index(body, "<form"):strings.Index(body, "</form>")]
	got := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(firstForm, -1) {
		got.Set(m[1], html.UnescapeString(m[2]))
	}
	if got.Get("pid") != karisPID || got.Get("code_challenge") != q.Get("code_challenge") || got.Get("acr") != auth.ACRSubstantial {
		t.Fatalf("person form fields = %v", got)
	}
	if code, _ := signIn(t, p, got); code == "" {
		t.Fatal("no code")
	}
}
