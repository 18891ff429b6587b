// Package keys holds digital keys: time-bounded grants to open the doors (access points) of a
// facility such as a self-service library or a mini recycling station, and the log of their use.
package keys

import (
	"time"

	"github.com/uptrace/bun"
)

// Statuses of a key.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
	StatusRevoked   = "revoked"
	StatusExpired   = "expired"
)

// Facility is a building or site with doors.
type Facility struct {
	bun.BaseModel `bun:"table:facilities"`

	ID         string    `bun:"id,pk"`
	AgencyID   string    `bun:"agency_id,notnull"`
	ExternalID string    `bun:"external_id,notnull"`
	Name       string    `bun:"name,notnull"`
	Address    string    `bun:"address,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	UpdatedAt  time.Time `bun:"updated_at,notnull"`
}

// AccessPoint is one door of a facility.
type AccessPoint struct {
	bun.BaseModel `bun:"table:access_points"`

	ID         string    `bun:"id,pk"`
	FacilityID string    `bun:"facility_id,notnull"`
	ExternalID string    `bun:"external_id,notnull"`
	Name       string    `bun:"name,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
}

// Key grants a citizen the right to open some access points during its windows. A key linked to a
// booking follows it: moved, cancelled, or kept a grace period after it ends.
type Key struct {
	bun.BaseModel `bun:"table:keys"`

	ID         string    `bun:"id,pk"`
	AgencyID   string    `bun:"agency_id,notnull"`
	ExternalID string    `bun:"external_id,notnull"`
	Version    int64     `bun:"version,notnull"`
	CitizenID  string    `bun:"citizen_id,notnull"`
	FacilityID string    `bun:"facility_id,notnull"`
	BookingID  *string   `bun:"booking_id"`
	Status     string    `bun:"status,notnull"`
	ValidFrom  time.Time `bun:"valid_from,notnull"` // envelope of the windows, for fast filtering
	ValidUntil time.Time `bun:"valid_until,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	UpdatedAt  time.Time `bun:"updated_at,notnull"`
}

// Window is one period in which a key works.
type Window struct {
	bun.BaseModel `bun:"table:key_windows"`

	ID       string    `bun:"id,pk"`
	KeyID    string    `bun:"key_id,notnull"`
	StartsAt time.Time `bun:"starts_at,notnull"`
	EndsAt   time.Time `bun:"ends_at,notnull"`
}

// KeyAccessPoint says which doors a key opens.
type KeyAccessPoint struct {
	bun.BaseModel `bun:"table:key_access_points"`

	KeyID         string `bun:"key_id,pk"`
	AccessPointID string `bun:"access_point_id,pk"`
}

// Use is one attempt to open a door, shown to the citizen and reported to the agency.
type Use struct {
	bun.BaseModel `bun:"table:key_uses"`

	ID             string    `bun:"id,pk"`
	KeyID          string    `bun:"key_id,notnull"`
	AccessPointID  string    `bun:"access_point_id,notnull"`
	CitizenID      string    `bun:"citizen_id,notnull"`       // the key holder
	ActorCitizenID string    `bun:"actor_citizen_id,notnull"` // who pressed the button (a representative?)
	Result         string    `bun:"result,notnull"`           // "opened", "refused", "failed"
	CreatedAt      time.Time `bun:"created_at,notnull"`
}

// UsedToken remembers the unique id of a signed door token until it expires, so a replay is refused.
type UsedToken struct {
	bun.BaseModel `bun:"table:used_tokens"`

	JTI       string    `bun:"jti,pk"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
}
