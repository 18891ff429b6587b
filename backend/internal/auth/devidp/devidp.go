// Package devidp is a small OpenID Connect provider for dev mode and tests. It behaves like
// ID-porten where Min side depends on it (authorization code flow with PKCE S256, a pid claim,
// acr levels, pairwise sub, end-session and front-channel logout), so the real login client runs
// against it and dev mode has no login bypass. It must never be served in production.
//
// It is a plain http.Handler with no global state. It routes on the path below its issuer URL's
// path, so it works both when mounted with the full path (e.g. "/dev-idp/authorize", as Fiber's
// adaptor passes it) and behind http.StripPrefix.
package devidp

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"minside/backend/internal/auth"
)

// Client is a relying party registered with the provider.
type Client struct {
	ID                     string
	Secret                 string
	RedirectURIs           []string // exact match, as ID-porten does
	PostLogoutRedirectURIs []string
	// FrontchannelLogoutURI is loaded in an iframe, with iss and sid, when the user logs out at the
	// provider, so the client can end its own session for that sid.
	FrontchannelLogoutURI string
}

// Person is a demo citizen offered as a one-click login.
type Person struct {
	Name string
	PID  string // shown masked only
}

// Config configures a Provider. Issuer and at least one client are required.
type Config struct {
	Issuer  string // base URL + "/dev-idp", no trailing slash
	Clients []Client
	// People lists demo citizens for the login page; nil shows only the free-text field.
	People func(ctx context.Context) []Person
	Now    func() time.Time // defaults to time.Now
	// Key signs ID tokens; nil generates an RSA 2048 key, so tokens do not survive a restart.
	Key *rsa.PrivateKey
	// SubjectKey keys the pairwise sub; nil generates one.
	SubjectKey []byte
	CodeTTL    time.Duration // lifetime of an authorization code; default 60 s
	TokenTTL   time.Duration // lifetime of ID and access tokens; default 120 s, as ID-porten
}

// Provider is the dev identity provider. Create it with New.
type Provider struct {
	issuer     string
	prefix     string
	clients    map[string]Client
	people     func(ctx context.Context) []Person
	now        func() time.Time
	key        *rsa.PrivateKey
	kid        string
	signer     jose.Signer
	subjectKey []byte
	codeTTL    time.Duration
	tokenTTL   time.Duration

	mu       sync.Mutex
	codes    map[string]grant   // authorization code → what it grants; deleted on first use
	sessions map[string]session // sid → session at the provider
}

// grant is what an authorization code stands for until it is redeemed.
type grant struct {
	clientID, redirectURI, codeChallenge, nonce string
	pid, acr, sid                               string
	authTime, expires                           time.Time
}

// session is one login at the provider; clients lists who received tokens, for front-channel logout.
type session struct {
	pid      string
	created  time.Time
	clientID map[string]bool
}

// sessionLifetime bounds the in-memory session list (ID-porten's SSO session ends at 120 min).
const sessionLifetime = 2 * time.Hour

// New validates cfg and builds a Provider.
func New(cfg Config) (*Provider, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("devidp: issuer %q is not an absolute http(s) URL", cfg.Issuer)
	}
	if len(cfg.Clients) == 0 {
		return nil, errors.New("devidp: at least one client is required")
	}
	p := &Provider{
		issuer:   strings.TrimSuffix(cfg.Issuer, "/"),
		prefix:   strings.TrimSuffix(u.Path, "/"),
		clients:  map[string]Client{},
		people:   cfg.People,
		now:      cfg.Now,
		key:      cfg.Key,
		codeTTL:  cfg.CodeTTL,
		tokenTTL: cfg.TokenTTL,
		codes:    map[string]grant{},
		sessions: map[string]session{},
	}
	for _, c := range cfg.Clients {
		if c.ID == "" || c.Secret == "" || len(c.RedirectURIs) == 0 {
			return nil, fmt.Errorf("devidp: client %q needs an id, a secret and a redirect URI", c.ID)
		}
		p.clients[c.ID] = c
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.codeTTL <= 0 {
		p.codeTTL = time.Minute
	}
	if p.tokenTTL <= 0 {
		p.tokenTTL = 2 * time.Minute
	}
	if p.key == nil {
		if p.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("devidp: generate key: %w", err)
		}
	}
	p.subjectKey = cfg.SubjectKey
	if len(p.subjectKey) == 0 {
		p.subjectKey = []byte(randomToken())
	}
	jwk := jose.JSONWebKey{Key: &p.key.PublicKey}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("devidp: key thumbprint: %w", err)
	}
	p.kid = base64.RawURLEncoding.EncodeToString(thumb)
	p.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), p.kid))
	if err != nil {
		return nil, fmt.Errorf("devidp: signer: %w", err)
	}
	return p, nil
}

// Issuer returns the issuer URL, the base of every endpoint.
func (p *Provider) Issuer() string { return p.issuer }

// ServeHTTP routes to the provider's endpoints.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if p.prefix != "" && strings.HasPrefix(path, p.prefix+"/") {
		path = path[len(p.prefix):]
	}
	switch path {
	case "/.well-known/openid-configuration":
		p.onlyGet(w, r, p.discovery)
	case "/jwks":
		p.onlyGet(w, r, p.jwks)
	case "/authorize":
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			p.authorizePage(w, r)
		case http.MethodPost:
			p.authorizeSubmit(w, r)
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	case "/token":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p.token(w, r)
	case "/endsession":
		p.endSession(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (p *Provider) onlyGet(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h(w, r)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.issuer,
		"authorization_endpoint":                p.issuer + "/authorize",
		"token_endpoint":                        p.issuer + "/token",
		"jwks_uri":                              p.issuer + "/jwks",
		"end_session_endpoint":                  p.issuer + "/endsession",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"acr_values_supported":                  []string{auth.ACRSubstantial, auth.ACRHigh},
		"claims_supported": []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr",
			"pid", "sid", "locale"},
		"frontchannel_logout_supported":                  true,
		"frontchannel_logout_session_supported":          true,
		"authorization_response_iss_parameter_supported": true,
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &p.key.PublicKey, KeyID: p.kid, Algorithm: string(jose.RS256), Use: "sig",
	}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// randomToken returns 32 random bytes, base64url: codes, sids, access tokens.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// sweep drops expired codes and sessions; callers hold p.mu.
func (p *Provider) sweep(now time.Time) {
	for k, g := range p.codes {
		if now.After(g.expires) {
			delete(p.codes, k)
		}
	}
	for k, s := range p.sessions {
		if now.Sub(s.created) > sessionLifetime {
			delete(p.sessions, k)
		}
	}
}
