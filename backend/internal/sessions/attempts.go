package sessions

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/auth/login"
	"minside/backend/internal/store"
)

// Attempt is login.PendingStore on the login_attempts table for one login, so any replica can
// finish a login another started. Besides what the OIDC client keeps, a row remembers where to go
// after login and whether the device is shared; Finish fills them from the row it took.
type Attempt struct {
	db  bun.IDB
	ttl time.Duration
	now func() time.Time

	state string // the callback's state; the table keeps only its hash

	ReturnTo     string
	SharedDevice bool
}

// LoginAttempt returns the PendingStore for starting a login that returns to returnTo.
func (s *Store) LoginAttempt(returnTo string, shared bool) *Attempt {
	return &Attempt{db: s.db, ttl: 10 * time.Minute, now: s.now, ReturnTo: returnTo, SharedDevice: shared}
}

// Callback returns the PendingStore for finishing the login whose callback carries state; after
// login.Finish, ReturnTo and SharedDevice hold what the login was started with.
func (s *Store) Callback(state string) *Attempt {
	return &Attempt{db: s.db, now: s.now, state: state, ReturnTo: "/"}
}

// SavePending stores a started login under key (login.StateKey of its state).
func (a *Attempt) SavePending(ctx context.Context, key string, p login.Pending) error {
	created := store.UTC(p.CreatedAt)
	row := &LoginAttempt{StateHash: key, Nonce: p.Nonce, Verifier: p.Verifier, ACR: p.ACR,
		ReturnTo: a.ReturnTo, SharedDevice: a.SharedDevice, CreatedAt: created, ExpiresAt: created.Add(a.ttl)}
	if _, err := a.db.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("sessions: save login attempt: %w", err)
	}
	return nil
}

// TakePending reads and deletes the attempt in one statement (DELETE … RETURNING, on SQLite ≥ 3.35
// and PostgreSQL), so two callbacks with the same state cannot both succeed. Only the state's hash
// is stored; a row found under the hash of the callback's state gives that state back.
func (a *Attempt) TakePending(ctx context.Context, key string) (login.Pending, bool, error) {
	var rows []LoginAttempt
	if err := a.db.NewDelete().Model(&rows).Where("state_hash = ?", key).Returning("*").Scan(ctx); err != nil {
		return login.Pending{}, false, fmt.Errorf("sessions: take login attempt: %w", err)
	}
	if len(rows) == 0 {
		return login.Pending{}, false, nil
	}
	r := rows[0]
	a.ReturnTo, a.SharedDevice = r.ReturnTo, r.SharedDevice
	state := ""
	if login.StateKey(a.state) == key {
		state = a.state
	}
	return login.Pending{State: state, Nonce: r.Nonce, Verifier: r.Verifier, ACR: r.ACR, CreatedAt: r.CreatedAt}, true, nil
}
