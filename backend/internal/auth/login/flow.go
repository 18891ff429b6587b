package login

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"minside/backend/internal/apperr"
)

// PendingStore keeps started logins server-side between Start and Finish. The server implements it
// on its database (a table keyed by StateKey(state)); MemoryStore serves tests and single-process dev.
type PendingStore interface {
	SavePending(ctx context.Context, key string, p Pending) error
	// TakePending returns and deletes the pending login in one step, so a state is used at most
	// once even under concurrent callbacks; found is false when it is unknown or already taken.
	TakePending(ctx context.Context, key string) (p Pending, found bool, err error)
}

// Start begins a login (see Begin), saves the Pending in store and returns where to send the browser.
func (c *Client) Start(ctx context.Context, store PendingStore, requiredACR string) (string, error) {
	p, authURL, err := c.Begin(ctx, requiredACR)
	if err != nil {
		return "", err
	}
	if err := store.SavePending(ctx, StateKey(p.State), p); err != nil {
		return "", fmt.Errorf("login: save pending: %w", err)
	}
	return authURL, nil
}

// Finish handles the callback query (state, code, iss, error): it takes the pending login out of
// store, so a replayed state is refused, and completes it. An error answer from the provider also
// consumes the state.
func (c *Client) Finish(ctx context.Context, store PendingStore, query url.Values) (Identity, error) {
	state := query.Get("state")
	if state == "" {
		return Identity{}, refuse(ReasonStateUnknown, errors.New("login: callback without state"))
	}
	p, found, err := store.TakePending(ctx, StateKey(state))
	if err != nil {
		return Identity{}, fmt.Errorf("login: take pending: %w", err)
	}
	if !found || subtle.ConstantTimeCompare([]byte(p.State), []byte(state)) != 1 {
		return Identity{}, refuse(ReasonStateUnknown, errors.New("login: unknown or used state"))
	}
	// RFC 9207: a provider that names itself must be ours (mix-up attacks).
	if iss := query.Get("iss"); iss != "" && iss != c.cfg.Issuer {
		return Identity{}, refuse(ReasonIssuer, errors.New("login: callback iss does not match"))
	}
	if e := query.Get("error"); e != "" {
		if e == "access_denied" {
			return Identity{}, refuse(ReasonCancelled, errors.New("login: access_denied"))
		}
		return Identity{}, refuse(ReasonProviderError, fmt.Errorf("login: provider error %q", e))
	}
	return c.Complete(ctx, p, query.Get("code"))
}

// EndSessionURL is where to send the browser to log out at the provider (RP-initiated logout) and
// come back to postLogoutRedirectURI with state. It names the client by client_id and leaves out
// id_token_hint, because the ID token carries the pid and must not travel in a URL; use
// EndSessionForm to send the hint in a POST body.
func (c *Client) EndSessionURL(ctx context.Context, postLogoutRedirectURI, state string) (string, error) {
	action, fields, err := c.EndSessionForm(ctx, "", postLogoutRedirectURI, state)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(action)
	if err != nil {
		return "", fmt.Errorf("login: end-session endpoint: %w", err)
	}
	q := u.Query()
	for k, v := range fields {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// EndSessionForm returns the end-session endpoint and the fields to POST to it (RP-Initiated
// Logout 1.0 requires providers to accept POST): client_id, and id_token_hint,
// post_logout_redirect_uri and state when given.
func (c *Client) EndSessionForm(ctx context.Context, idTokenHint, postLogoutRedirectURI, state string) (string, url.Values, error) {
	if _, err := c.discover(ctx); err != nil {
		return "", nil, err
	}
	c.mu.Lock()
	endpoint := c.endSess
	c.mu.Unlock()
	if endpoint == "" {
		return "", nil, apperr.Unavailable(errors.New("login: provider has no end_session_endpoint"))
	}
	fields := url.Values{"client_id": {c.cfg.ClientID}}
	for k, v := range map[string]string{"id_token_hint": idTokenHint,
		"post_logout_redirect_uri": postLogoutRedirectURI, "state": state} {
		if v != "" {
			fields.Set(k, v)
		}
	}
	return endpoint, fields, nil
}

// FrontchannelLogout checks the query of a front-channel logout request (OpenID Connect
// Front-Channel Logout 1.0: iss and sid) and returns the provider session id whose portal
// sessions the server must end.
func (c *Client) FrontchannelLogout(query url.Values) (string, error) {
	sid := query.Get("sid")
	if query.Get("iss") != c.cfg.Issuer || sid == "" {
		return "", refuse(ReasonIssuer, errors.New("login: front-channel logout without our iss and a sid"))
	}
	return sid, nil
}

// MemoryStore is a PendingStore in process memory, for tests and single-process dev. Entries older
// than ttl are dropped.
type MemoryStore struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]Pending
}

// NewMemoryStore returns an empty store; now may be nil (time.Now).
func NewMemoryStore(ttl time.Duration, now func() time.Time) *MemoryStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{ttl: ttl, now: now, m: map[string]Pending{}}
}

func (s *MemoryStore) SavePending(_ context.Context, key string, p Pending) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, v := range s.m {
		if now.Sub(v.CreatedAt) > s.ttl {
			delete(s.m, k)
		}
	}
	s.m[key] = p
	return nil
}

func (s *MemoryStore) TakePending(_ context.Context, key string) (Pending, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.m[key]
	delete(s.m, key)
	return p, ok, nil
}
