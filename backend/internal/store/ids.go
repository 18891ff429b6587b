package store

import (
	"time"

	"github.com/google/uuid"
)

// NewID returns a UUIDv7 string: random enough to be unguessable as a public id, and time-ordered
// so that ids double as stable pagination cursors.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// UTC truncates to microseconds and converts to UTC, the only form times are stored in: both
// databases keep microseconds, and SQLite compares times as text, which is only right in one zone.
func UTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
