package doors

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"minside/backend/internal/store"
)

// ErrLockBroken: the adapter answered with a permanent error (unknown door, broken wiring): the
// citizen gets the same "try later" as for an outage, the operator an error in the log.
var ErrLockBroken = errors.New("doors: lock adapter reports a permanent error")

// maxAnswerBytes bounds what the portal reads of an adapter's answer or manifest.
const maxAnswerBytes = 64 << 10

// Locks is the Adapter the door service uses: it sends the token to the facility's configured
// HTTP lock adapter (lock_adapters). A facility without one goes to fallback, the simulated lock
// in development; with a nil fallback (production) such a door fails: no lock was asked, so
// nothing may be reported as opened.
type Locks struct {
	db       *store.DB
	client   *http.Client
	fallback Adapter
}

// NewLocks builds the router. client must refuse non-public addresses unless the operator allows
// them (webhook.NewClient); its timeout matters less than the door service's adapter budget, which
// bounds every call through the context.
func NewLocks(db *store.DB, client *http.Client, fallback Adapter) *Locks {
	return &Locks{db: db, client: client, fallback: fallback}
}

// Open opens door through its facility's adapter.
func (l *Locks) Open(ctx context.Context, door Door, token string) error {
	var la LockAdapter
	err := l.db.NewSelect().Model(&la).Column("url", "public_key").Where("facility_id = ?", door.FacilityID).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows) && l.fallback != nil:
		return l.fallback.Open(ctx, door, token)
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: no lock adapter configured for the facility", ErrLockUnavailable)
	case err != nil:
		return fmt.Errorf("%w: load adapter: %w", ErrLockUnavailable, err)
	}
	key, err := ParsePublicKey(la.PublicKey)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLockBroken, err)
	}
	return NewHTTPLock(l.client, la.URL, key).Open(ctx, door, token)
}

// HTTPLock is one lock adapter reached over HTTP, for a caller that knows which one (tools, tests).
type HTTPLock struct {
	client *http.Client
	url    string
	key    ed25519.PublicKey
}

// NewHTTPLock reaches the adapter at baseURL and trusts answers signed with key.
func NewHTTPLock(client *http.Client, baseURL string, key ed25519.PublicKey) *HTTPLock {
	return &HTTPLock{client: client, url: strings.TrimRight(baseURL, "/"), key: key}
}

// Open sends the token to the adapter.
func (h *HTTPLock) Open(ctx context.Context, door Door, token string) error {
	return openOverHTTP(ctx, h.client, h.url, h.key, door, token)
}

// openOverHTTP is one open request of the protocol and the mapping of its answer: a signed
// "opened" bound to this token is the only way to nil; a signed "denied" is ErrTokenRefused;
// everything else, unsigned answers included, is ErrLockUnavailable (ErrLockBroken for "error").
func openOverHTTP(ctx context.Context, client *http.Client, base string, key ed25519.PublicKey, door Door, token string) error {
	jti, err := TokenID(token)
	if err != nil {
		return err
	}
	target := base + strings.Replace(OpenPath, "{door}", url.PathEscape(door.ExternalID), 1)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, http.NoBody)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLockBroken, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLockUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return fmt.Errorf("%w: read answer: %w", ErrLockUnavailable, err)
	}
	if !VerifyBody(key, body, resp.Header.Get(SignatureHeader)) {
		return fmt.Errorf("%w: HTTP %d without a valid signature", ErrLockUnavailable, resp.StatusCode)
	}
	var a Answer
	if err := json.Unmarshal(bytes.TrimSpace(body), &a); err != nil {
		return fmt.Errorf("%w: malformed answer", ErrLockBroken)
	}
	if a.JTI != jti || a.Door != door.ExternalID {
		return fmt.Errorf("%w: the answer is for another request", ErrLockUnavailable)
	}
	switch {
	case a.Result == AnswerOpened && resp.StatusCode == http.StatusOK:
		return nil
	case a.Result == AnswerDenied:
		return fmt.Errorf("%w: adapter: %s", ErrTokenRefused, a.Reason)
	case a.Result == AnswerUnavailable:
		return fmt.Errorf("%w: adapter: %s", ErrLockUnavailable, a.Reason)
	default:
		return fmt.Errorf("%w: %w: HTTP %d %q: %s", ErrLockUnavailable, ErrLockBroken, resp.StatusCode, a.Result, a.Reason)
	}
}

// TokenID reads a token's jti without verifying it: the portal for its own tokens, an adapter
// to bind even a refusal to the request it answers.
func TokenID(token string) (string, error) {
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return "", fmt.Errorf("doors: own token: %w", err)
	}
	var c jwt.Claims
	if err := parsed.UnsafeClaimsWithoutVerification(&c); err != nil {
		return "", fmt.Errorf("doors: own token: %w", err)
	}
	return c.ID, nil
}
