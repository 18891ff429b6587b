package login_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"minside/backend/internal/auth"
	"minside/backend/internal/auth/login"
)

// fakeProvider is a minimal OpenID provider whose token endpoint answers whatever ID token the
// test mints, so the client's checks can be tried against tokens devidp would never issue.
type fakeProvider struct {
	srv  *httptest.Server
	key  *rsa.PrivateKey
	mu   sync.Mutex
	mint func() string // returns the raw id_token; "" leaves it out of the response
}

const fakeKID = "fake-key-1"

func newFakeProvider(t *testing.T, key *rsa.PrivateKey) *fakeProvider {
	t.Helper()
	f := &fakeProvider{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		u := f.srv.URL
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": u, "authorization_endpoint": u + "/authorize",
			"token_endpoint": u + "/token", "jwks_uri": u + "/jwks", "end_session_endpoint": u + "/endsession",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &key.PublicKey, KeyID: fakeKID, Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		raw := f.mint()
		f.mu.Unlock()
		body := map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 120}
		if raw != "" {
			body["id_token"] = raw
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func sign(t *testing.T, key any, alg jose.SignatureAlgorithm, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), fakeKID))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestBadIDTokensAreRefused(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeProvider(t, key)
	good := func(nonce string) map[string]any {
		now := time.Now()
		return map[string]any{"iss": f.srv.URL, "aud": clientID, "sub": "pairwise-sub", "exp": now.Add(2 * time.Minute).Unix(),
			"iat": now.Unix(), "auth_time": now.Unix(), "nonce": nonce, "acr": auth.ACRSubstantial, "amr": []string{"BankID"},
			"pid": olasPID, "sid": "sid-1"}
	}
	with := func(nonce string, change func(map[string]any)) map[string]any {
		c := good(nonce)
		change(c)
		return c
	}
	tests := []struct {
		name string
		mint func(t *testing.T, nonce string) string
		want string // "" means accepted
	}{
		{"well-formed token is accepted", func(t *testing.T, n string) string { return sign(t, key, jose.RS256, good(n)) }, ""},
		{"wrong issuer", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { c["iss"] = "https://evil.test" }))
		}, login.ReasonIssuer},
		{"wrong audience", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { c["aud"] = "another-client" }))
		}, login.ReasonToken},
		{"several audiences, issued to another", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { c["aud"] = []string{clientID, "other"}; c["azp"] = "other" }))
		}, login.ReasonToken},
		{"several audiences without azp", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { c["aud"] = []string{clientID, "other"} }))
		}, login.ReasonToken},
		{"several audiences, issued to us", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { c["aud"] = []string{clientID, "other"}; c["azp"] = clientID }))
		}, ""},
		{"expired", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }))
		}, login.ReasonToken},
		{"signed by another key under our kid", func(t *testing.T, n string) string {
			return sign(t, otherKey, jose.RS256, good(n))
		}, login.ReasonToken},
		{"payload swapped after signing", func(t *testing.T, n string) string {
			parts := strings.Split(sign(t, key, jose.RS256, good(n)), ".")
			parts[1] = b64(with(n, func(c map[string]any) { c["pid"] = "01019012480" }))
			return strings.Join(parts, ".")
		}, login.ReasonToken},
		{"alg none", func(t *testing.T, n string) string {
			return b64(map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64(good(n)) + "."
		}, login.ReasonToken},
		{"HS256 keyed with the public key", func(t *testing.T, n string) string {
			pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
			return sign(t, pub, jose.HS256, good(n))
		}, login.ReasonToken},
		{"no id_token in the response", func(*testing.T, string) string { return "" }, login.ReasonToken},
		{"nonce mismatch", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, good("another-login"))
		}, login.ReasonNonce},
		{"nonce missing", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { delete(c, "nonce") }))
		}, login.ReasonNonce},
		{"acr missing", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { delete(c, "acr") }))
		}, login.ReasonACR},
		{"acr below substantial", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { c["acr"] = "idporten-loa-low" }))
		}, login.ReasonACR},
		{"pid missing", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { delete(c, "pid") }))
		}, login.ReasonPID},
		{"pid with a bad control digit", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { c["pid"] = "41019012394" }))
		}, login.ReasonPID},
		{"pid as a number, not a string", func(t *testing.T, n string) string {
			return sign(t, key, jose.RS256, with(n, func(c map[string]any) { c["pid"] = 41019012393 }))
		}, login.ReasonToken},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := login.New(ctx, login.Config{Issuer: f.srv.URL, ClientID: clientID, ClientSecret: secret,
				RedirectURL: "http://portal.test/auth/callback", HTTPClient: f.srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			p, _, err := c.Begin(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			raw := tt.mint(t, p.Nonce)
			f.mu.Lock()
			f.mint = func() string { return raw }
			f.mu.Unlock()
			id, err := c.Complete(ctx, p, "any-code")
			if tt.want == "" {
				if err != nil || id.PID != olasPID || id.SID != "sid-1" || id.Sub != "pairwise-sub" || id.IDToken != raw {
					t.Fatalf("= %+v, %v", id, err)
				}
				return
			}
			if got := reason(err); got != tt.want {
				t.Fatalf("reason = %s (%v), want %s", got, err, tt.want)
			}
		})
	}
}
