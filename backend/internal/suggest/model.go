package suggest

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// Suggestion states. A suggestion is created active; the person dismisses it or marks it done (or
// follows its action, which is done too); the portal withdraws it when its condition stops holding.
// Snoozing keeps it active with snoozed_until in the future.
const (
	StateActive    = "active"
	StateWithdrawn = "withdrawn"
	StateDismissed = "dismissed"
	StateDone      = "done"
)

// Rule statuses, as for tiles.
const (
	RuleDraft     = "draft"
	RulePublished = "published"
)

// RuleRow is a rule as stored; texts (owner kind "rule"): title, body, why, legal_basis, action_label.
type RuleRow struct {
	bun.BaseModel `bun:"table:rules"`

	ID         string     `bun:"id,pk"`
	AgencyID   string     `bun:"agency_id,notnull"`
	ExternalID string     `bun:"external_id,notnull"`
	Version    int64      `bun:"version,notnull"`
	Status     string     `bun:"status,notnull"`
	Category   string     `bun:"category,notnull"`
	Area       string     `bun:"area,notnull"`
	AppliesTo  string     `bun:"applies_to,notnull"`
	Events     []string   `bun:"events,notnull"`
	Condition  string     `bun:"condition,notnull"`
	Action     Action     `bun:"action,notnull"`
	ExpiresAt  *time.Time `bun:"expires_at"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	UpdatedAt  time.Time  `bun:"updated_at,notnull"`
}

// Action is what following a suggestion does: open a link (optionally prefilled from the
// person's facts), or one of the portal's own actions.
type Action struct {
	Type    string            `json:"type"`           // "link", "book", "renew_key"
	Link    string            `json:"link,omitempty"` // https; for link and book
	Prefill map[string]string `json:"prefill,omitempty"`
}

// ActionTypes lists Action.Type values.
var ActionTypes = []string{"link", "book", "renew_key"}

// Row is one suggestion as stored.
type Row struct {
	bun.BaseModel `bun:"table:suggestions"`

	ID           string           `bun:"id,pk"`
	RuleID       string           `bun:"rule_id,notnull"`
	CitizenID    string           `bun:"citizen_id,notnull"`
	Occurrence   string           `bun:"occurrence,notnull"`
	State        string           `bun:"state,notnull"`
	Facts        map[string]Value `bun:"facts,notnull"`
	Event        json.RawMessage  `bun:"event,type:jsonb"`
	SnoozedUntil *time.Time       `bun:"snoozed_until"`
	Reason       string           `bun:"reason,notnull"`
	ActedAt      *time.Time       `bun:"acted_at"`
	ShownAt      *time.Time       `bun:"shown_at"`
	CreatedAt    time.Time        `bun:"created_at,notnull"`
	UpdatedAt    time.Time        `bun:"updated_at,notnull"`
}
