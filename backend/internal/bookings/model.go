// Package bookings is the read model of the citizen's reservations (rooms, equipment, courts) and
// the one action on them the portal owns: cancelling before the agency's deadline.
package bookings

import (
	"time"

	"github.com/uptrace/bun"
)

// Statuses of a booking.
const (
	StatusConfirmed = "confirmed"
	StatusCancelled = "cancelled"
	StatusCompleted = "completed"
)

// Booking is one reservation. The resource name lives in texts ("resource").
type Booking struct {
	bun.BaseModel `bun:"table:bookings"`

	ID               string     `bun:"id,pk"`
	AgencyID         string     `bun:"agency_id,notnull"`
	ExternalID       string     `bun:"external_id,notnull"`
	Version          int64      `bun:"version,notnull"`
	CitizenID        string     `bun:"citizen_id,notnull"`
	Area             string     `bun:"area,notnull"`
	PlaceName        string     `bun:"place_name,notnull"`
	PlaceAddress     string     `bun:"place_address,notnull"`
	StartsAt         time.Time  `bun:"starts_at,notnull"`
	EndsAt           time.Time  `bun:"ends_at,notnull"`
	Status           string     `bun:"status,notnull"`
	CancellableUntil *time.Time `bun:"cancellable_until"`
	CancelledAt      *time.Time `bun:"cancelled_at"`
	CreatedAt        time.Time  `bun:"created_at,notnull"`
	UpdatedAt        time.Time  `bun:"updated_at,notnull"`
}
