// Package login is Min side's OpenID Connect client for ID-porten (and, in dev, for auth/devidp):
// authorization code flow with PKCE S256, single-use state and nonce, and an ID token that must
// carry a valid pid at a sufficient assurance level before anyone is logged in.
//
// The package keeps no login state itself. Begin returns a Pending the server stores server-side
// (keyed by StateKey(state), single use); Complete redeems it with the code from the callback.
// Finish and PendingStore do both steps for a server that implements the store on its database.
package login

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"minside/backend/internal/apperr"
	"minside/backend/internal/auth"
	"minside/backend/internal/pid"
)

// Config configures a Client. Issuer, ClientID, ClientSecret and RedirectURL are required.
type Config struct {
	Issuer       string // e.g. https://idporten.no, or base URL + "/dev-idp"
	ClientID     string
	ClientSecret string
	RedirectURL  string   // the portal's /auth/callback
	Scopes       []string // "openid" is always included
	HTTPClient   *http.Client
	// AllowSyntheticPID accepts test-register numbers (month + 80): dev and ID-porten's test environment.
	AllowSyntheticPID bool
	// PendingTTL bounds how long a started login may take; default 10 minutes.
	PendingTTL time.Duration
	Now        func() time.Time // defaults to time.Now
}

// Client runs logins against one OpenID provider. It is safe for concurrent use.
type Client struct {
	cfg  Config
	http *http.Client

	mu       sync.Mutex
	provider *oidc.Provider // discovered lazily; nil until the provider has answered once
	endSess  string
}

// Pending is a started login, stored server-side until the callback, and used once.
type Pending struct {
	State     string
	Nonce     string
	Verifier  string // PKCE code_verifier
	ACR       string // the level this login must reach
	CreatedAt time.Time
}

// Identity is a completed login.
type Identity struct {
	PID      string // the 11-digit number: pseudonymize before storing, never log
	ACR      string
	AMR      []string
	SID      string // provider session id, the key of front-channel logout
	Sub      string // pairwise subject
	IDToken  string // raw, for id_token_hint at logout
	AuthTime time.Time
	Expiry   time.Time // of the ID token, not of the portal session
}

// String masks the pid, so printing an Identity by accident does not leak the number.
func (i Identity) String() string {
	return fmt.Sprintf("login.Identity{PID:%s ACR:%s SID:%s AuthTime:%s}", pid.Mask(i.PID), i.ACR, i.SID,
		i.AuthTime.Format(time.RFC3339))
}

// LogValue keeps the pid and the raw ID token out of structured logs.
func (i Identity) LogValue() slog.Value {
	return slog.GroupValue(slog.String("pid", pid.Mask(i.PID)), slog.String("acr", i.ACR), slog.String("sid", i.SID))
}

// New checks cfg. It does not contact the provider: discovery happens on first use and is retried
// until it succeeds, so the server may start before the provider answers (in dev the provider is
// served by the same process).
func New(ctx context.Context, cfg Config) (*Client, error) {
	_ = ctx // reserved: discovery is lazy; see Discover for an eager check
	for name, v := range map[string]string{"issuer": cfg.Issuer, "client id": cfg.ClientID,
		"client secret": cfg.ClientSecret, "redirect URL": cfg.RedirectURL} {
		if v == "" {
			return nil, fmt.Errorf("login: %s is required", name)
		}
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || !u.IsAbs() {
		return nil, fmt.Errorf("login: redirect URL %q is not absolute", cfg.RedirectURL)
	}
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	if cfg.PendingTTL <= 0 {
		cfg.PendingTTL = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{cfg: cfg, http: cfg.HTTPClient}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Second}
	}
	return c, nil
}

// Discover fetches the provider's configuration now, if not done yet; for readiness checks.
func (c *Client) Discover(ctx context.Context) error {
	_, err := c.discover(ctx)
	return err
}

func (c *Client) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.http), c.cfg.Issuer)
	if err != nil {
		return nil, apperr.Unavailable(fmt.Errorf("login: discovery: %w", err)).WithDetail("login.provider_unavailable", nil)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&extra); err != nil {
		return nil, apperr.Unavailable(fmt.Errorf("login: discovery claims: %w", err)).WithDetail("login.provider_unavailable", nil)
	}
	c.provider, c.endSess = p, extra.EndSession
	return p, nil
}

func (c *Client) oauth(p *oidc.Provider) *oauth2.Config {
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader // client_secret_basic, ID-porten's default
	return &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret,
		RedirectURL: c.cfg.RedirectURL, Endpoint: ep, Scopes: c.cfg.Scopes}
}

// Begin starts a login that must reach requiredACR ("" means auth.ACRSubstantial; pass
// auth.ACRHigh for step-up before sensitive actions). Store the Pending under StateKey(p.State)
// and send the browser to authURL.
func (c *Client) Begin(ctx context.Context, requiredACR string) (Pending, string, error) {
	if requiredACR == "" {
		requiredACR = auth.ACRSubstantial
	}
	if !auth.ACRKnown(requiredACR) {
		return Pending{}, "", fmt.Errorf("login: unknown acr %q", requiredACR)
	}
	p, err := c.discover(ctx)
	if err != nil {
		return Pending{}, "", err
	}
	pend := Pending{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(),
		ACR: requiredACR, CreatedAt: c.cfg.Now()}
	authURL := c.oauth(p).AuthCodeURL(pend.State, oauth2.S256ChallengeOption(pend.Verifier),
		oidc.Nonce(pend.Nonce), oauth2.SetAuthURLParam("acr_values", requiredACR))
	return pend, authURL, nil
}

// StateKey is the key to store a Pending under: a hash, so a database leak does not hand out live
// state values.
func StateKey(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

// random returns 32 bytes from crypto/rand, base64url (43 characters).
func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// refuse is the one shape of a failed login: unauthorized, a reason key for the page, the cause for logs.
func refuse(reason string, cause error) *apperr.Error {
	return apperr.Unauthorized().WithDetail(reason, nil).Wrap(cause)
}

// Reasons (detail keys) a login is refused with.
const (
	ReasonStateUnknown  = "login.state_unknown"  // no such pending login, or already used
	ReasonExpired       = "login.expired"        // the pending login is too old
	ReasonCancelled     = "login.cancelled"      // the user cancelled at the provider
	ReasonProviderError = "login.provider_error" // the provider answered the callback with an error
	ReasonIssuer        = "login.issuer_mismatch"
	ReasonExchange      = "login.exchange_failed" // the token endpoint refused the code
	ReasonToken         = "login.id_token_invalid"
	ReasonNonce         = "login.nonce_mismatch"
	ReasonACR           = "login.acr_too_low"
	ReasonPID           = "login.pid_invalid"
)

// Complete redeems the code for a pending login and verifies the ID token: signature (RS/PS/ES
// algorithms only, so alg=none is refused), issuer, audience, expiry, nonce, acr at least
// pending.ACR, and a valid pid. Every refusal is an *apperr.Error with code unauthorized and one of
// the Reason* detail keys.
func (c *Client) Complete(ctx context.Context, pending Pending, code string) (Identity, error) {
	now := c.cfg.Now()
	if now.Sub(pending.CreatedAt) > c.cfg.PendingTTL || now.Before(pending.CreatedAt.Add(-time.Minute)) {
		return Identity{}, refuse(ReasonExpired, errors.New("login: pending login expired"))
	}
	if code == "" {
		return Identity{}, refuse(ReasonExchange, errors.New("login: callback without code"))
	}
	p, err := c.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	hctx := oidc.ClientContext(ctx, c.http)
	tok, err := c.oauth(p).Exchange(hctx, code, oauth2.VerifierOption(pending.Verifier))
	if err != nil {
		return Identity{}, refuse(ReasonExchange, fmt.Errorf("login: exchange: %w", err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, refuse(ReasonToken, errors.New("login: token response without id_token"))
	}
	// Verifier shares the provider's cached key set (fetched with c.http, refreshed on an unknown kid).
	verifier := p.Verifier(&oidc.Config{
		ClientID:             c.cfg.ClientID,
		SupportedSigningAlgs: []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.ES256},
		Now:                  c.cfg.Now,
	})
	idt, err := verifier.Verify(hctx, raw)
	if err != nil {
		reason := ReasonToken
		if strings.Contains(err.Error(), "different provider") {
			reason = ReasonIssuer
		}
		return Identity{}, refuse(reason, fmt.Errorf("login: verify id token: %w", err))
	}
	if pending.Nonce == "" || idt.Nonce != pending.Nonce {
		return Identity{}, refuse(ReasonNonce, errors.New("login: nonce mismatch"))
	}
	var claims struct {
		PID      string   `json:"pid"`
		ACR      string   `json:"acr"`
		AMR      []string `json:"amr"`
		SID      string   `json:"sid"`
		AuthTime int64    `json:"auth_time"`
		AZP      string   `json:"azp"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, refuse(ReasonToken, fmt.Errorf("login: id token claims: %w", err))
	}
	// go-oidc only checks that we are among the audiences; with several, the token must have been
	// issued to us (OpenID Connect Core 3.1.3.7, items 4–5).
	if len(idt.Audience) > 1 && claims.AZP != c.cfg.ClientID {
		return Identity{}, refuse(ReasonToken, fmt.Errorf("login: token for %d audiences without our azp", len(idt.Audience)))
	}
	required := pending.ACR
	if required == "" {
		required = auth.ACRSubstantial
	}
	if !auth.ACRSatisfies(claims.ACR, required) {
		return Identity{}, refuse(ReasonACR, fmt.Errorf("login: acr %q does not meet %q", claims.ACR, required))
	}
	if _, err := pid.Parse(claims.PID, pid.Options{AllowSynthetic: c.cfg.AllowSyntheticPID}); err != nil {
		return Identity{}, refuse(ReasonPID, fmt.Errorf("login: pid claim: %w", err))
	}
	id := Identity{PID: claims.PID, ACR: claims.ACR, AMR: claims.AMR, SID: claims.SID, Sub: idt.Subject,
		IDToken: raw, Expiry: idt.Expiry}
	if claims.AuthTime > 0 {
		id.AuthTime = time.Unix(claims.AuthTime, 0).UTC()
	}
	return id, nil
}
