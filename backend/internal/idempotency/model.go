// Package idempotency remembers the answer to a request sent with an Idempotency-Key, so a retried
// or replayed request happens once and gets the same answer.
package idempotency

import (
	"time"

	"github.com/uptrace/bun"
)

// Record is the stored answer for (scope, key). Scope separates callers ("citizen:<id>", "agency:<id>").
type Record struct {
	bun.BaseModel `bun:"table:idempotency_keys"`

	Scope       string    `bun:"scope,pk"`
	Key         string    `bun:"key,pk"`
	RequestHash string    `bun:"request_hash,notnull"` // the same key with another body is refused
	StatusCode  int       `bun:"status_code,notnull"`
	Response    []byte    `bun:"response"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
}
