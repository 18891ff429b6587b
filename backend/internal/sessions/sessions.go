package sessions

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/store"
)

// touchEvery bounds how often a lookup writes last_seen_at: sliding expiry without a write per request.
const touchEvery = time.Minute

// Options are the session lifetimes and the clock.
type Options struct {
	Idle     time.Duration    // ends a session nobody used for this long (ID-porten: 30 min)
	Absolute time.Duration    // ends every session this long after login (ID-porten: 120 min)
	Now      func() time.Time // defaults to time.Now
}

// Store creates, finds and ends sessions in the database.
type Store struct {
	db       bun.IDB
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
	hints    *hintCache
}

// New returns a Store on db.
func New(db bun.IDB, opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Idle <= 0 {
		opts.Idle = 30 * time.Minute
	}
	if opts.Absolute < opts.Idle {
		opts.Absolute = 4 * opts.Idle
	}
	return &Store{db: db, idle: opts.Idle, absolute: opts.Absolute, now: opts.Now, hints: newHintCache()}
}

// Hash is what the database keeps of a session token: a database leak hands out no live cookie.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newToken returns 256 random bits, base64url: the cookie value and the CSRF token.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("sessions: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Start describes the login a session is created for.
type Start struct {
	CitizenID    string
	ACR          string
	IdPSID       string // the provider's sid, the key of front-channel logout
	SharedDevice bool
	UserAgent    string
}

// Create starts a session after a login and returns the new token for the cookie. Every login gets
// a fresh token; previousToken (the cookie the browser came with, if any) is ended, so a session id
// planted before login never becomes a logged-in one (session fixation).
func (s *Store) Create(ctx context.Context, st Start, previousToken string) (string, *Session, error) {
	token, err := newToken()
	if err != nil {
		return "", nil, err
	}
	csrf, err := newToken()
	if err != nil {
		return "", nil, err
	}
	now := store.UTC(s.now())
	ua := st.UserAgent
	if len(ua) > 256 {
		ua = ua[:256]
	}
	sess := &Session{
		IDHash: Hash(token), CitizenID: st.CitizenID, ACR: st.ACR, IdPSID: st.IdPSID,
		CSRFToken: csrf, SharedDevice: st.SharedDevice, UserAgent: ua,
		CreatedAt: now, LastSeenAt: now,
		IdleExpiresAt:     now.Add(s.idle),
		AbsoluteExpiresAt: now.Add(s.absolute),
	}
	if previousToken != "" {
		if _, err := s.db.NewDelete().Model((*Session)(nil)).Where("id_hash = ?", Hash(previousToken)).Exec(ctx); err != nil {
			return "", nil, fmt.Errorf("sessions: end previous: %w", err)
		}
	}
	if _, err := s.db.NewInsert().Model(sess).Exec(ctx); err != nil {
		return "", nil, fmt.Errorf("sessions: create: %w", err)
	}
	return token, sess, nil
}

// Lookup returns the live session for token, or nil when there is none or it has expired (an
// expired one is deleted on the spot). A use slides the idle expiry, written at most once a minute.
func (s *Store) Lookup(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, nil
	}
	sess := new(Session)
	err := s.db.NewSelect().Model(sess).Where("id_hash = ?", Hash(token)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sessions: lookup: %w", err)
	}
	live, err := s.keepAlive(ctx, sess, store.UTC(s.now()))
	if err != nil || !live {
		return nil, err
	}
	return sess, nil
}

// keepAlive deletes sess if it has expired at now (live is false) and otherwise slides its idle
// expiry, written at most once a minute.
func (s *Store) keepAlive(ctx context.Context, sess *Session, now time.Time) (live bool, err error) {
	if !now.Before(sess.IdleExpiresAt) || !now.Before(sess.AbsoluteExpiresAt) {
		return false, s.deleteHash(ctx, sess.IDHash)
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		sess.LastSeenAt = now
		sess.IdleExpiresAt = now.Add(s.idle)
		if sess.IdleExpiresAt.After(sess.AbsoluteExpiresAt) {
			sess.IdleExpiresAt = sess.AbsoluteExpiresAt
		}
		if _, err := s.db.NewUpdate().Model(sess).Column("last_seen_at", "idle_expires_at").WherePK().Exec(ctx); err != nil {
			return false, fmt.Errorf("sessions: touch: %w", err)
		}
	}
	return true, nil
}

// Delete ends the session with this hash (logout). Ending an unknown session is not an error.
func (s *Store) Delete(ctx context.Context, idHash string) error { return s.deleteHash(ctx, idHash) }

func (s *Store) deleteHash(ctx context.Context, idHash string) error {
	s.hints.forget(idHash) // only tidiness: a hint of an ended session never matches a lookup
	if _, err := s.db.NewDelete().Model((*Session)(nil)).Where("id_hash = ?", idHash).Exec(ctx); err != nil {
		return fmt.Errorf("sessions: delete: %w", err)
	}
	return nil
}

// DeleteByIdPSID ends every session of one identity-provider session (front-channel logout) and
// returns the ended sessions, so the caller can audit and clean up after each.
func (s *Store) DeleteByIdPSID(ctx context.Context, sid string) ([]Session, error) {
	if sid == "" {
		return nil, nil
	}
	var ended []Session
	if err := s.db.NewSelect().Model(&ended).Where("idp_sid = ?", sid).Scan(ctx); err != nil {
		return nil, fmt.Errorf("sessions: by sid: %w", err)
	}
	if len(ended) == 0 {
		return nil, nil
	}
	if _, err := s.db.NewDelete().Model((*Session)(nil)).Where("idp_sid = ?", sid).Exec(ctx); err != nil {
		return nil, fmt.Errorf("sessions: delete by sid: %w", err)
	}
	return ended, nil
}

// SetActingAs records whom the session's citizen acts for (nil: themselves). The caller checks the
// relation first; the web layer checks it again on every request.
func (s *Store) SetActingAs(ctx context.Context, idHash string, subjectID *string) error {
	if _, err := s.db.NewUpdate().Model((*Session)(nil)).Set("acting_as_id = ?", subjectID).
		Where("id_hash = ?", idHash).Exec(ctx); err != nil {
		return fmt.Errorf("sessions: set acting as: %w", err)
	}
	return nil
}

// Sweep deletes expired sessions and stale login attempts; lookups also delete lazily, this keeps
// sessions nobody comes back to from piling up.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	now := store.UTC(s.now())
	res, err := s.db.NewDelete().Model((*Session)(nil)).
		Where("idle_expires_at <= ? OR absolute_expires_at <= ?", now, now).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("sessions: sweep: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := s.db.NewDelete().Model((*LoginAttempt)(nil)).Where("expires_at <= ?", now).Exec(ctx); err != nil {
		return n, fmt.Errorf("sessions: sweep login attempts: %w", err)
	}
	return n, nil
}

// RunSweeper sweeps every interval until ctx ends.
func (s *Store) RunSweeper(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Sweep(ctx); err != nil {
				if ctx.Err() == nil {
					log.Warn("session sweep failed", "err", err)
				}
			} else if n > 0 {
				log.Debug("expired sessions swept", "count", n)
			}
		}
	}
}
