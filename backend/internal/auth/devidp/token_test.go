package devidp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"minside/backend/internal/auth"
)

func tokenForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback},
		"code_verifier": {verifier}}
}

func TestTokenIssuesIDPortenShapedIDToken(t *testing.T) {
	c := &clock{time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	p := newProvider(t, c)
	for _, basic := range []bool{true, false} {
		code, _ := signIn(t, p, withPID(authParams("minside", callback), karisPID, auth.ACRHigh))
		form := tokenForm(code)
		if !basic {
			form.Set("client_id", "minside")
			form.Set("client_secret", "s3cret/+&")
		}
		w := redeem(p, form, basic)
		if w.Code != 200 || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("token (basic=%v) = %d %s", basic, w.Code, w.Body)
		}
		var resp struct {
			AccessToken, TokenType, IDToken string `json:"-"`
		}
		var raw map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &raw)
		resp.IDToken, _ = raw["id_token"].(string)
		resp.AccessToken, _ = raw["access_token"].(string)
		if resp.AccessToken == "" || raw["token_type"] != "Bearer" {
			t.Fatalf("token response = %v", raw)
		}
		tok, err := jwt.ParseSigned(resp.IDToken, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		if tok.Headers[0].KeyID != p.kid {
			t.Errorf("kid = %q", tok.Headers[0].KeyID)
		}
		var claims idClaims
		if err := tok.Claims(&p.key.PublicKey, &claims); err != nil {
			t.Fatal(err)
		}
		if claims.Issuer != issuer || claims.Audience != "minside" || claims.PID != karisPID || claims.ACR != auth.ACRHigh ||
			claims.Nonce != "n-1" || claims.SID == "" || claims.Expiry != c.t.Add(2*time.Minute).Unix() ||
			claims.IssuedAt != c.t.Unix() || claims.AuthTime != c.t.Unix() || len(claims.AMR) == 0 {
			t.Errorf("claims = %+v", claims)
		}
		if claims.Subject == "" || strings.Contains(claims.Subject, karisPID) || claims.Subject != p.subject(karisPID, "minside") ||
			claims.Subject == p.subject(karisPID, "other") {
			t.Errorf("sub %q is not pairwise", claims.Subject)
		}
	}
}

func TestTokenRefusals(t *testing.T) {
	c := &clock{time.Now()}
	p := newProvider(t, c)
	tests := []struct {
		name   string
		change func(url.Values)
		basic  bool
		later  time.Duration
		status int
		code   string
	}{
		{"wrong secret", func(v url.Values) { v.Set("client_id", "minside"); v.Set("client_secret", "nope") }, false, 0, 401, "invalid_client"},
		{"no client authentication", func(url.Values) {}, false, 0, 401, "invalid_client"},
		{"basic and post at once", func(v url.Values) { v.Set("client_secret", "s3cret/+&") }, true, 0, 401, "invalid_client"},
		{"another client", func(v url.Values) { v.Set("client_id", "other"); v.Set("client_secret", "other-secret") }, false, 0, 400, "invalid_grant"},
		{"wrong grant type", func(v url.Values) { v.Set("grant_type", "client_credentials") }, true, 0, 400, "unsupported_grant_type"},
		{"wrong redirect_uri", func(v url.Values) { v.Set("redirect_uri", "http://portal.test/other") }, true, 0, 400, "invalid_grant"},
		{"wrong verifier", func(v url.Values) { v.Set("code_verifier", strings.Repeat("x", 43)) }, true, 0, 400, "invalid_grant"},
		{"short verifier", func(v url.Values) { v.Set("code_verifier", "short") }, true, 0, 400, "invalid_grant"},
		{"no verifier", func(v url.Values) { v.Del("code_verifier") }, true, 0, 400, "invalid_grant"},
		{"unknown code", func(v url.Values) { v.Set("code", "made-up") }, true, 0, 400, "invalid_grant"},
		{"expired code", func(url.Values) {}, true, 61 * time.Second, 400, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.t = time.Now()
			code, _ := signIn(t, p, withPID(authParams("minside", callback), karisPID, ""))
			form := tokenForm(code)
			tt.change(form)
			c.t = c.t.Add(tt.later)
			w := redeem(p, form, tt.basic)
			var body map[string]string
			_ = json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != tt.status || body["error"] != tt.code {
				t.Fatalf("= %d %v, want %d %s", w.Code, body, tt.status, tt.code)
			}
		})
	}
}

func TestCodeIsSingleUseEvenAfterAFailedAttempt(t *testing.T) {
	p := newProvider(t, &clock{time.Now()})
	code, _ := signIn(t, p, withPID(authParams("minside", callback), karisPID, ""))
	if w := redeem(p, tokenForm(code), true); w.Code != http.StatusOK {
		t.Fatalf("first redeem = %d", w.Code)
	}
	if w := redeem(p, tokenForm(code), true); w.Code != http.StatusBadRequest {
		t.Fatalf("replayed code = %d", w.Code)
	}
	code, _ = signIn(t, p, withPID(authParams("minside", callback), karisPID, ""))
	bad := tokenForm(code)
	bad.Set("code_verifier", strings.Repeat("y", 43))
	redeem(p, bad, true)
	if w := redeem(p, tokenForm(code), true); w.Code != http.StatusBadRequest {
		t.Fatalf("code after a failed attempt = %d, want refused (codes must not be guessable by retries)", w.Code)
	}
}
