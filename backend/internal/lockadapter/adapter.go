// Package lockadapter is the reference lock adapter: a small HTTPS server a lock vendor or an
// agency runs beside its locks. It verifies the portal's door tokens (signature with the portal's
// public key, expiry, audience = the door, a jti never seen before), drives the lock through an
// Output, and signs its answers and manifest with its own Ed25519 key (docs/lock-adapter.md).
package lockadapter

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"minside/backend/internal/doors"
)

// Config is what an adapter needs; New fills the defaults.
type Config struct {
	PortalKeys []ed25519.PublicKey // the portal's door token keys (more than one while rotating)
	Key        ed25519.PrivateKey  // the adapter's own key, for its answers and manifest
	Doors      []string            // the doors it drives, by the agency's external id
	Output     Output              // what "open" does
	Budget     time.Duration       // how long Output may take (zero: 3 s)
	Now        func() time.Time    // nil: time.Now
	Log        *slog.Logger        // nil: discard
}

// Adapter answers the lock-adapter protocol. It is safe for concurrent use; used token ids live
// in memory until the token would have expired anyway, so a restart forgets none that matter only
// if the restart takes longer than a token lives (doors.MaxTokenTTL).
type Adapter struct {
	cfg  Config
	mu   sync.Mutex
	used map[string]time.Time // jti → the token's expiry
}

// New builds an adapter.
func New(cfg Config) *Adapter {
	if cfg.Budget <= 0 {
		cfg.Budget = 3 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Adapter{cfg: cfg, used: map[string]time.Time{}}
}

// Handler serves POST /doors/{door}/open and GET /manifest.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+doors.OpenPath, a.open)
	mux.HandleFunc("GET "+doors.ManifestPath, a.manifest)
	return mux
}

func (a *Adapter) open(w http.ResponseWriter, r *http.Request) {
	door := r.PathValue("door")
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	answer := doors.Answer{Door: door}
	if !slices.Contains(a.cfg.Doors, door) {
		answer.Result, answer.Reason = doors.AnswerError, "unknown door"
		a.answer(w, http.StatusNotFound, answer)
		return
	}
	if !ok {
		answer.Result, answer.Reason = doors.AnswerDenied, "no bearer token"
		a.answer(w, http.StatusForbidden, answer)
		return
	}
	now := a.cfg.Now()
	answer.JTI, _ = doors.TokenID(token) // echoed even when refused, to bind the answer to this request
	claims, err := doors.VerifyToken(a.cfg.PortalKeys, token, door, now)
	if err != nil {
		answer.Result, answer.Reason = doors.AnswerDenied, err.Error()
		a.cfg.Log.Info("lock adapter: token refused", "door", door, "err", err)
		a.answer(w, http.StatusForbidden, answer)
		return
	}
	if !a.firstUse(claims.ID, claims.Expiry.Time(), now) {
		answer.Result, answer.Reason = doors.AnswerDenied, "replayed token"
		a.cfg.Log.Warn("lock adapter: replayed token", "door", door, "jti", claims.ID)
		a.answer(w, http.StatusForbidden, answer)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.cfg.Budget)
	defer cancel()
	if err := a.cfg.Output.Open(ctx, door); err != nil {
		// The token is spent: the portal asks again with a new one.
		answer.Result, answer.Reason = doors.AnswerUnavailable, "the lock did not respond"
		a.cfg.Log.Warn("lock adapter: output failed", "door", door, "err", err)
		a.answer(w, http.StatusServiceUnavailable, answer)
		return
	}
	answer.Result = doors.AnswerOpened
	a.cfg.Log.Info("lock adapter: opened", "door", door, "key", claims.Subject)
	a.answer(w, http.StatusOK, answer)
}

// firstUse remembers jti until expiry and reports whether it was new; expired ids are dropped.
func (a *Adapter) firstUse(jti string, expiry, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, exp := range a.used {
		if !exp.After(now) {
			delete(a.used, id)
		}
	}
	if _, seen := a.used[jti]; seen {
		return false
	}
	a.used[jti] = expiry
	return true
}

func (a *Adapter) manifest(w http.ResponseWriter, _ *http.Request) {
	m := doors.Manifest{At: a.cfg.Now().UTC().Truncate(time.Second), Doors: make([]doors.ManifestDoor, 0, len(a.cfg.Doors))}
	for _, d := range a.cfg.Doors {
		status := doors.DoorOK
		if h, ok := a.cfg.Output.(HealthReporter); ok && !h.Healthy(d) {
			status = doors.DoorBroken
		}
		m.Doors = append(m.Doors, doors.ManifestDoor{ID: d, Status: status})
	}
	a.answer(w, http.StatusOK, m)
}

// answer writes v as JSON, signed with the adapter's key.
func (a *Adapter) answer(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(doors.SignatureHeader, doors.SignBody(a.cfg.Key, body))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// ErrNoPortalKey: the adapter was given no key to verify door tokens with.
var ErrNoPortalKey = errors.New("lockadapter: no portal key (--portal-key or --portal-jwks)")
