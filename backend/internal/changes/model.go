// Package changes is the delta feed for offline clients: every write to something a citizen sees
// appends a row in the same transaction, and clients ask for what came after their cursor.
package changes

import (
	"time"

	"github.com/uptrace/bun"
)

// Change says an object was upserted or deleted. CitizenID nil means everyone (tiles).
type Change struct {
	bun.BaseModel `bun:"table:changes"`

	Seq       int64     `bun:"seq,pk,autoincrement"`
	CitizenID *string   `bun:"citizen_id"`
	Kind      string    `bun:"kind,notnull"` // "case", "booking", "key", "notification", "tile"
	ObjectID  string    `bun:"object_id,notnull"`
	Op        string    `bun:"op,notnull"` // "upsert", "delete"
	CreatedAt time.Time `bun:"created_at,notnull"`
}
