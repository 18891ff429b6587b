// Package agency holds the agencies (etater) that feed Min side and their API credentials.
package agency

import (
	"time"

	"github.com/uptrace/bun"
)

// Agency is one municipal agency or external source, e.g. the libraries or the population register.
type Agency struct {
	bun.BaseModel `bun:"table:agencies"`

	ID            string    `bun:"id,pk"`
	Slug          string    `bun:"slug,notnull"`
	Name          string    `bun:"name,notnull"`
	WebhookURL    *string   `bun:"webhook_url"`
	WebhookSecret *string   `bun:"webhook_secret"` // Standard Webhooks signing secret
	CreatedAt     time.Time `bun:"created_at,notnull"`
	UpdatedAt     time.Time `bun:"updated_at,notnull"`
}

// APIKey authenticates an agency system. Only a hash of the key is stored; the key is shown once.
type APIKey struct {
	bun.BaseModel `bun:"table:agency_api_keys"`

	ID         string     `bun:"id,pk"`
	AgencyID   string     `bun:"agency_id,notnull"`
	Prefix     string     `bun:"prefix,notnull"` // first characters, to tell keys apart in listings
	KeyHash    string     `bun:"key_hash,notnull"`
	Label      string     `bun:"label,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
}
