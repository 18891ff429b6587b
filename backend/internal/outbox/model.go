// Package outbox carries side effects (web push, webhooks, reminders) out of the transaction that
// caused them: a message is written with the change and later sent by a worker on any replica,
// with retries, so nothing accepted is ever lost.
package outbox

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// Message statuses.
const (
	StatusPending = "pending"
	StatusDone    = "done"
	StatusDead    = "dead" // gave up after the last retry; kept for the operator
)

// Message is one side effect to perform.
type Message struct {
	bun.BaseModel `bun:"table:outbox"`

	ID          int64           `bun:"id,pk,autoincrement"`
	Topic       string          `bun:"topic,notnull"`
	DedupeKey   *string         `bun:"dedupe_key"` // e.g. "reminder:<booking>:24h": scheduled once
	Payload     json.RawMessage `bun:"payload,type:jsonb,notnull"`
	Status      string          `bun:"status,notnull"`
	Attempts    int             `bun:"attempts,notnull"`
	AvailableAt time.Time       `bun:"available_at,notnull"`
	LockedBy    *string         `bun:"locked_by"`
	LockedUntil *time.Time      `bun:"locked_until"`
	LastError   *string         `bun:"last_error"`
	CreatedAt   time.Time       `bun:"created_at,notnull"`
	DoneAt      *time.Time      `bun:"done_at"`
}
