// Package texts stores agency-provided text in several languages beside any record, keyed by
// (owner kind, owner id, field, language), so every table gets multilingual fields the same way
// on both databases.
package texts

import "github.com/uptrace/bun"

// Text is one field of one record in one language.
type Text struct {
	bun.BaseModel `bun:"table:texts"`

	OwnerKind string `bun:"owner_kind,pk"` // "case", "case_event", "tile", "notification", …
	OwnerID   string `bun:"owner_id,pk"`
	Field     string `bun:"field,pk"` // "title", "title_public", "body", "next_action", …
	Lang      string `bun:"lang,pk"`
	Value     string `bun:"value,notnull"`
}
