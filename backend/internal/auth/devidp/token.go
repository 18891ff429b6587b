package devidp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

// idClaims is the ID token body, shaped like ID-porten's.
type idClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience string   `json:"aud"`
	Expiry   int64    `json:"exp"`
	IssuedAt int64    `json:"iat"`
	AuthTime int64    `json:"auth_time"`
	Nonce    string   `json:"nonce,omitempty"`
	ACR      string   `json:"acr"`
	AMR      []string `json:"amr"`
	PID      string   `json:"pid"`
	SID      string   `json:"sid"`
	JTI      string   `json:"jti"`
	Locale   string   `json:"locale"`
}

// tokenError answers an OAuth error from the token endpoint (RFC 6749 §5.2).
func tokenError(w http.ResponseWriter, status int, code string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="dev-idp"`)
	}
	writeJSON(w, status, map[string]string{"error": code})
}

// authenticateClient accepts client_secret_basic or client_secret_post, never both at once.
func (p *Provider) authenticateClient(r *http.Request) (Client, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		if r.PostForm.Get("client_secret") != "" {
			return Client{}, false
		}
		// RFC 6749 §2.3.1: the Basic credentials are form-urlencoded first.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return Client{}, false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, ok := p.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return Client{}, false
	}
	return c, true
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	client, ok := p.authenticateClient(r)
	if !ok {
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	now := p.now()
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, found := p.codes[code]
	delete(p.codes, code) // single use, whatever happens next
	p.mu.Unlock()
	switch {
	case !found, now.After(g.expires), g.clientID != client.ID, g.redirectURI != r.PostForm.Get("redirect_uri"),
		!pkceMatches(r.PostForm.Get("code_verifier"), g.codeChallenge):
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	idToken, err := p.signIDToken(client.ID, g, now)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error")
		return
	}
	p.mu.Lock()
	if s, ok := p.sessions[g.sid]; ok {
		s.clientID[client.ID] = true
	}
	p.mu.Unlock()
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": randomToken(),
		"token_type":   "Bearer",
		"expires_in":   int(p.tokenTTL / time.Second),
		"id_token":     idToken,
		"scope":        "openid",
	})
}

// pkceMatches checks an S256 code_verifier (RFC 7636: 43–128 unreserved characters).
func pkceMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for _, c := range []byte(verifier) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// subject is the pairwise sub: stable per person and client, unlinkable across clients.
func (p *Provider) subject(pid, clientID string) string {
	m := hmac.New(sha256.New, p.subjectKey)
	m.Write([]byte(clientID))
	m.Write([]byte{0})
	m.Write([]byte(pid))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (p *Provider) signIDToken(clientID string, g grant, now time.Time) (string, error) {
	return jwt.Signed(p.signer).Claims(idClaims{
		Issuer: p.issuer, Subject: p.subject(g.pid, clientID), Audience: clientID,
		Expiry: now.Add(p.tokenTTL).Unix(), IssuedAt: now.Unix(), AuthTime: g.authTime.Unix(),
		Nonce: g.nonce, ACR: g.acr, AMR: []string{"TestID"}, PID: g.pid, SID: g.sid, JTI: randomToken(), Locale: "nb",
	}).Serialize()
}
