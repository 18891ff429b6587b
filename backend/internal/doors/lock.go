package doors

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"minside/backend/internal/keys"
	"minside/backend/internal/store"
)

// ErrLockUnavailable: the lock system did not answer or is down; the citizen may try again later.
var ErrLockUnavailable = errors.New("doors: lock system unavailable")

// Door is the access point a token is for, as an adapter needs to address it.
type Door struct {
	AccessPointID      string // the portal's id: the token's aud
	ExternalID         string // the agency's id of the access point
	FacilityExternalID string // the agency's id of the facility
	FacilityID         string // the portal's id of the facility: which lock adapter serves the door
	AgencyID           string
}

// Adapter is the agency's lock system. Open asks it to open door with a signed, single-use token;
// the lock must verify the token itself (VerifyToken, and refuse a replayed jti). It returns nil
// when the door opened, an error wrapping ErrTokenRefused when the lock refused the token, and
// anything else (wrapping ErrLockUnavailable when it knows) when it could not be reached.
type Adapter interface {
	Open(ctx context.Context, door Door, token string) error
}

// SimulatedLock stands in for a lock adapter in development and tests (a facility with no
// adapter configured, see Locks): it verifies tokens with the portal's public key as a real
// adapter does, so the whole flow runs on one machine. Used jtis are kept in used_tokens so that a replay is
// refused on every replica. SetDown simulates an outage.
type SimulatedLock struct {
	db     *store.DB
	key    ed25519.PublicKey
	now    func() time.Time
	down   atomic.Bool
	opened atomic.Int64
}

// NewSimulatedLock builds the simulated lock; key is the portal's token key (Issuer.PublicKey),
// now its clock (nil: time.Now).
func NewSimulatedLock(db *store.DB, key ed25519.PublicKey, now func() time.Time) *SimulatedLock {
	if now == nil {
		now = time.Now
	}
	return &SimulatedLock{db: db, key: key, now: now}
}

// SetDown turns the outage on or off: while down, every Open fails with ErrLockUnavailable.
func (l *SimulatedLock) SetDown(down bool) { l.down.Store(down) }

// Opened counts the doors this lock opened.
func (l *SimulatedLock) Opened() int64 { return l.opened.Load() }

// Open verifies the token for door and "opens" it.
func (l *SimulatedLock) Open(ctx context.Context, door Door, token string) error {
	if l.down.Load() {
		return fmt.Errorf("%w: simulated outage", ErrLockUnavailable)
	}
	c, err := VerifyToken([]ed25519.PublicKey{l.key}, token, door.AccessPointID, l.now())
	if err != nil {
		return err
	}
	used := &keys.UsedToken{JTI: c.ID, ExpiresAt: store.UTC(c.Expiry.Time())}
	res, err := l.db.NewInsert().Model(used).On("CONFLICT (jti) DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("%w: remember jti: %w", ErrLockUnavailable, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("%w: replayed jti", ErrTokenRefused)
	}
	l.opened.Add(1)
	return nil
}
