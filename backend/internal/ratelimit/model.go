// Package ratelimit counts attempts in fixed windows in the database, so a limit holds across every
// replica (door opening, logins), unlike an in-process limiter.
package ratelimit

import (
	"time"

	"github.com/uptrace/bun"
)

// Bucket is the counter of one key in its current window.
type Bucket struct {
	bun.BaseModel `bun:"table:rate_limits"`

	Bucket      string    `bun:"bucket,pk"`
	WindowStart time.Time `bun:"window_start,notnull"`
	Count       int       `bun:"count,notnull"`
}
