package login_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/auth"
	"minside/backend/internal/auth/devidp"
	"minside/backend/internal/auth/login"
)

const (
	clientID  = "minside"
	secret    = "s3cret"
	karisPID  = "01819012365" // synthetic
	olasPID   = "41019012393" // real-format D-number
	frontPath = "/auth/frontchannel-logout"
)

// env is the portal and the dev provider on one loopback server, as in dev mode.
type env struct {
	srv     *httptest.Server
	browser *http.Client // does not follow redirects, so each hop can be checked
	issuer  string
	idpNow  time.Time // zero: real time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{}
	var idp http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { idp.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	e.issuer = e.srv.URL + "/dev-idp"
	p, err := devidp.New(devidp.Config{
		Issuer: e.issuer,
		Clients: []devidp.Client{{ID: clientID, Secret: secret, RedirectURIs: []string{e.srv.URL + "/auth/callback"},
			PostLogoutRedirectURIs: []string{e.srv.URL + "/"}, FrontchannelLogoutURI: e.srv.URL + frontPath}},
		People: func(context.Context) []devidp.Person { return []devidp.Person{{Name: "Kari Nordmann", PID: karisPID}} },
		Now: func() time.Time {
			if !e.idpNow.IsZero() {
				return e.idpNow
			}
			return time.Now()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	idp = p
	e.browser = e.srv.Client()
	e.browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return e
}

func (e *env) client(t *testing.T, change func(*login.Config)) *login.Client {
	t.Helper()
	cfg := login.Config{Issuer: e.issuer, ClientID: clientID, ClientSecret: secret,
		RedirectURL: e.srv.URL + "/auth/callback", HTTPClient: e.srv.Client(), AllowSyntheticPID: true}
	if change != nil {
		change(&cfg)
	}
	c, err := login.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// signIn does what a person does: open the authorization URL, fill in the free-text form with
// pid (and pick acr when given), submit, and return the callback query the browser lands on.
func (e *env) signIn(t *testing.T, authURL, pid, acr string) url.Values {
	t.Helper()
	res, err := e.browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("login page = %d %s", res.StatusCode, page)
	}
	forms := strings.Split(string(page), "<form")
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(forms[len(forms)-1], -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("pid", pid)
	if acr != "" {
		form.Set("acr", acr)
	}
	res, err = e.browser.PostForm(e.issuer+"/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := res.Location()
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize POST = %d (%v)", res.StatusCode, err)
	}
	if !strings.HasPrefix(loc.String(), e.srv.URL+"/auth/callback?") {
		t.Fatalf("redirected to %s", loc)
	}
	return loc.Query()
}

func reason(err error) string {
	if e, ok := apperr.As(err); ok && e.Code == apperr.CodeUnauthorized {
		return e.Detail
	}
	return "not an unauthorized *apperr.Error: " + errString(err)
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestLoginHappyPath(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, nil)
	store := login.NewMemoryStore(10*time.Minute, nil)
	ctx := context.Background()

	authURL, err := c.Start(ctx, store, "")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 43 ||
		len(q.Get("nonce")) < 43 || q.Get("acr_values") != auth.ACRSubstantial || q.Get("client_id") != clientID {
		t.Fatalf("authorization URL lacks PKCE, state, nonce or acr: %s", authURL)
	}
	cb := e.signIn(t, authURL, karisPID, "")
	id, err := c.Finish(ctx, store, cb)
	if err != nil {
		t.Fatal(err)
	}
	if id.PID != karisPID || id.ACR != auth.ACRSubstantial || id.SID == "" || id.Sub == "" || id.IDToken == "" ||
		time.Since(id.AuthTime) > time.Minute || !id.Expiry.After(time.Now()) {
		t.Fatalf("identity = %+v", id)
	}
	// The same callback again: the state was used.
	if _, err := c.Finish(ctx, store, cb); reason(err) != login.ReasonStateUnknown {
		t.Fatalf("replayed state: %v", err)
	}
}

func TestStepUpToHigh(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, nil)
	ctx := context.Background()
	tests := []struct {
		name, chosen, want string
	}{
		{"high login meets high", auth.ACRHigh, ""},
		{"substantial login is refused", auth.ACRSubstantial, login.ReasonACR},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, authURL, err := c.Begin(ctx, auth.ACRHigh)
			if err != nil {
				t.Fatal(err)
			}
			cb := e.signIn(t, authURL, olasPID, tt.chosen)
			id, err := c.Complete(ctx, p, cb.Get("code"))
			if tt.want == "" {
				if err != nil || id.ACR != auth.ACRHigh || id.PID != olasPID {
					t.Fatalf("= %+v, %v", id, err)
				}
				return
			}
			if reason(err) != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
		})
	}
	if _, _, err := c.Begin(ctx, "idporten-loa-low"); err == nil {
		t.Error("Begin accepted an unknown acr")
	}
}

func TestRefusalsAgainstDevIDP(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		pid    string
		config func(*login.Config)
		idpAgo time.Duration // provider clock behind by this much
		spoil  func(p *login.Pending, code *string)
		want   string
	}{
		{name: "wrong PKCE verifier", spoil: func(p *login.Pending, _ *string) { p.Verifier = strings.Repeat("v", 43) }, want: login.ReasonExchange},
		{name: "nonce mismatch", spoil: func(p *login.Pending, _ *string) { p.Nonce = "someone-elses-nonce" }, want: login.ReasonNonce},
		{name: "empty nonce in pending", spoil: func(p *login.Pending, _ *string) { p.Nonce = "" }, want: login.ReasonNonce},
		{name: "required acr raised after the fact", spoil: func(p *login.Pending, _ *string) { p.ACR = auth.ACRHigh }, want: login.ReasonACR},
		{name: "pending too old", spoil: func(p *login.Pending, _ *string) { p.CreatedAt = p.CreatedAt.Add(-11 * time.Minute) }, want: login.ReasonExpired},
		{name: "made-up code", spoil: func(_ *login.Pending, code *string) { *code = "guess" }, want: login.ReasonExchange},
		{name: "no code", spoil: func(_ *login.Pending, code *string) { *code = "" }, want: login.ReasonExchange},
		{name: "wrong client secret", config: func(c *login.Config) { c.ClientSecret = "wrong" }, want: login.ReasonExchange},
		{name: "expired id token", idpAgo: time.Hour, want: login.ReasonToken},
		{name: "synthetic pid where only real numbers are allowed", config: func(c *login.Config) { c.AllowSyntheticPID = false }, want: login.ReasonPID},
		{name: "client unknown to the provider", config: func(c *login.Config) { c.ClientID = "minside-2" }, want: login.ReasonExchange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.client(t, tt.config)
			p, authURL, err := c.Begin(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if tt.config != nil {
				// The authorization request names the configured client; send the browser as the
				// registered one so the refusal comes from the step under test.
				authURL = strings.Replace(authURL, "client_id=minside-2", "client_id=minside", 1)
			}
			if tt.idpAgo != 0 {
				e.idpNow = time.Now().Add(-tt.idpAgo)
			}
			code := e.signIn(t, authURL, karisPID, "").Get("code")
			if tt.spoil != nil {
				tt.spoil(&p, &code)
			}
			_, err = c.Complete(ctx, p, code)
			if got := reason(err); got != tt.want {
				t.Fatalf("reason = %s, want %s", got, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), karisPID) {
				t.Error("the error text contains the pid")
			}
		})
	}
}

func TestCodeReplayedAtTheTokenEndpoint(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, nil)
	ctx := context.Background()
	p, authURL, err := c.Begin(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	code := e.signIn(t, authURL, karisPID, "").Get("code")
	if _, err := c.Complete(ctx, p, code); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Complete(ctx, p, code); reason(err) != login.ReasonExchange {
		t.Fatalf("replayed code: %v", err)
	}
}

func TestFinishRefusals(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, nil)
	ctx := context.Background()
	tests := []struct {
		name  string
		query func(state string) url.Values
		want  string
	}{
		{"no state", func(string) url.Values { return url.Values{"code": {"x"}} }, login.ReasonStateUnknown},
		{"unknown state", func(string) url.Values { return url.Values{"state": {"forged"}, "code": {"x"}} }, login.ReasonStateUnknown},
		{"cancelled by the user", func(s string) url.Values { return url.Values{"state": {s}, "error": {"access_denied"}} }, login.ReasonCancelled},
		{"provider error", func(s string) url.Values { return url.Values{"state": {s}, "error": {"server_error"}} }, login.ReasonProviderError},
		{"mixed-up issuer", func(s string) url.Values {
			return url.Values{"state": {s}, "code": {"x"}, "iss": {"https://evil.test"}}
		}, login.ReasonIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := login.NewMemoryStore(time.Minute, nil)
			authURL, err := c.Start(ctx, store, "")
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(authURL)
			state := u.Query().Get("state")
			if _, err := c.Finish(ctx, store, tt.query(state)); reason(err) != tt.want {
				t.Fatalf("reason = %s, want %s", reason(err), tt.want)
			}
		})
	}
}

func TestLazyDiscovery(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var up atomic.Bool
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		// Forward to the provider's server, as if it had just come up on this address.
		res, err := e.srv.Client().Get(e.srv.URL + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
	}))
	t.Cleanup(gate.Close)
	// The client asks for the provider's issuer; its transport sends those requests to the gate.
	hc := gate.Client()
	hc.Transport = rewriteHost{to: gate.URL, from: e.srv.URL, next: hc.Transport}
	c := e.client(t, func(cfg *login.Config) { cfg.HTTPClient = hc })
	if _, _, err := c.Begin(ctx, ""); !apperr.Is(err, apperr.CodeUnavailable) {
		t.Fatalf("Begin before the provider answers = %v, want unavailable", err)
	}
	up.Store(true)
	if _, _, err := c.Begin(ctx, ""); err != nil {
		t.Fatalf("Begin after the provider came up: %v", err)
	}
}

// rewriteHost sends requests for one origin to another.
type rewriteHost struct {
	from, to string
	next     http.RoundTripper
}

func (rh rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.String(), rh.from) {
		u, err := url.Parse(rh.to + strings.TrimPrefix(r.URL.String(), rh.from))
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.URL, r.Host = u, u.Host
	}
	return rh.next.RoundTrip(r)
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	base := login.Config{Issuer: "https://idp.test", ClientID: "c", ClientSecret: "s", RedirectURL: "https://portal.test/cb"}
	tests := []struct {
		name   string
		change func(*login.Config)
	}{
		{"no issuer", func(c *login.Config) { c.Issuer = "" }},
		{"no client id", func(c *login.Config) { c.ClientID = "" }},
		{"no secret", func(c *login.Config) { c.ClientSecret = "" }},
		{"relative redirect", func(c *login.Config) { c.RedirectURL = "/auth/callback" }},
	}
	for _, tt := range tests {
		cfg := base
		tt.change(&cfg)
		if _, err := login.New(context.Background(), cfg); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if _, err := login.New(context.Background(), base); err != nil {
		t.Errorf("complete config refused: %v", err)
	}
}
