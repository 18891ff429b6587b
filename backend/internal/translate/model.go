// Package translate holds the translators' work in the database: overrides of the embedded locale
// files that every replica picks up without a restart, and the history of who changed what.
package translate

import (
	"time"

	"github.com/uptrace/bun"
)

// Override replaces one message in one language; Forms maps CLDR plural category (or "other") to text.
type Override struct {
	bun.BaseModel `bun:"table:translation_overrides"`

	Lang        string            `bun:"lang,pk"`
	MessageID   string            `bun:"message_id,pk"`
	Forms       map[string]string `bun:"forms,type:jsonb,notnull"`
	SourceHash  string            `bun:"source_hash,notnull"` // hash of the nb source it was made from
	NeedsReview bool              `bun:"needs_review,notnull"`
	UpdatedBy   string            `bun:"updated_by,notnull"`
	UpdatedAt   time.Time         `bun:"updated_at,notnull"`
}

// HistoryEntry is one change by one translator.
type HistoryEntry struct {
	bun.BaseModel `bun:"table:translation_history"`

	ID        int64             `bun:"id,pk,autoincrement"`
	Lang      string            `bun:"lang,notnull"`
	MessageID string            `bun:"message_id,notnull"`
	OldForms  map[string]string `bun:"old_forms,type:jsonb"`
	NewForms  map[string]string `bun:"new_forms,type:jsonb,notnull"`
	ChangedBy string            `bun:"changed_by,notnull"`
	ChangedAt time.Time         `bun:"changed_at,notnull"`
}
