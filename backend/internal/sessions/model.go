// Package sessions keeps citizen sessions and logins in progress in the database, so that any
// replica can serve any request and logout ends a session everywhere at once.
package sessions

import (
	"time"

	"github.com/uptrace/bun"
)

// Session is a logged-in browser. The cookie holds a random token; only its hash is stored.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	IDHash            string    `bun:"id_hash,pk"`
	CitizenID         string    `bun:"citizen_id,notnull"`
	ActingAsID        *string   `bun:"acting_as_id"` // the person the citizen acts for, if any
	ACR               string    `bun:"acr,notnull"`
	IdPSID            string    `bun:"idp_sid,notnull"`  // the identity provider's session, for front-channel logout
	EndSessionHint    *string   `bun:"end_session_hint"` // sealed id_token_hint; never clear text
	CSRFToken         string    `bun:"csrf_token,notnull"`
	SharedDevice      bool      `bun:"shared_device,notnull"`
	UserAgent         string    `bun:"user_agent,notnull"`
	CreatedAt         time.Time `bun:"created_at,notnull"`
	LastSeenAt        time.Time `bun:"last_seen_at,notnull"`
	IdleExpiresAt     time.Time `bun:"idle_expires_at,notnull"`
	AbsoluteExpiresAt time.Time `bun:"absolute_expires_at,notnull"`
}

// ActsFor is the person the session acts for, other than its own citizen; "" when it acts for no one else.
func (s *Session) ActsFor() string {
	if s.ActingAsID == nil || *s.ActingAsID == s.CitizenID {
		return ""
	}
	return *s.ActingAsID
}

// LoginAttempt is a login in progress: its state, nonce and PKCE verifier are used once.
type LoginAttempt struct {
	bun.BaseModel `bun:"table:login_attempts"`

	StateHash    string    `bun:"state_hash,pk"`
	Nonce        string    `bun:"nonce,notnull"`
	Verifier     string    `bun:"verifier,notnull"`
	ACR          string    `bun:"acr,notnull"`
	ReturnTo     string    `bun:"return_to,notnull"`
	SharedDevice bool      `bun:"shared_device,notnull"`
	CreatedAt    time.Time `bun:"created_at,notnull"`
	ExpiresAt    time.Time `bun:"expires_at,notnull"`
}
