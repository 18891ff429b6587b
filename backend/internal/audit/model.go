// Package audit records every access to a citizen's data by someone else (agencies,
// representatives), and the citizen's own logins, so the citizen can see who did what.
package audit

import (
	"time"

	"github.com/uptrace/bun"
)

// Entry is one audited event. It never holds a national identity number.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID         int64          `bun:"id,pk,autoincrement"`
	At         time.Time      `bun:"at,notnull"`
	ActorKind  string         `bun:"actor_kind,notnull"` // "citizen", "representative", "agency", "operator", "system"
	ActorID    *string        `bun:"actor_id"`
	SubjectID  *string        `bun:"subject_id"` // the citizen whose data it was
	Action     string         `bun:"action,notnull"`
	ObjectKind string         `bun:"object_kind,notnull"`
	ObjectID   string         `bun:"object_id,notnull"`
	Detail     map[string]any `bun:"detail,type:jsonb,notnull"`
	RequestID  string         `bun:"request_id,notnull"`
}
