// Package citizens holds the people Min side serves: a row per person, identified only by the keyed
// pseudonym of their national identity number, with their roles and preferences.
package citizens

import (
	"time"

	"github.com/uptrace/bun"
)

// Citizen is a person known to the portal, either because they logged in or because an agency
// pushed something about them.
type Citizen struct {
	bun.BaseModel `bun:"table:citizens"`

	ID                string     `bun:"id,pk"`
	PIDHash           string     `bun:"pid_hash,notnull"`   // keyed HMAC pseudonym, never the number
	PIDMasked         string     `bun:"pid_masked,notnull"` // birth date part only, for display to the person
	BirthDate         time.Time  `bun:"birth_date,notnull"` // decides who is a minor
	Name              string     `bun:"name,notnull"`
	District          string     `bun:"district,notnull"`
	CalendarTokenHash *string    `bun:"calendar_token_hash"`
	CreatedAt         time.Time  `bun:"created_at,notnull"`
	UpdatedAt         time.Time  `bun:"updated_at,notnull"`
	LastLoginAt       *time.Time `bun:"last_login_at"`
}

// Role grants a person powers beyond their own data, e.g. ("agency_editor", "<agency slug>") or
// ("translator", "se"). Roles are granted by the operator's CLI.
type Role struct {
	bun.BaseModel `bun:"table:citizen_roles"`

	CitizenID string    `bun:"citizen_id,pk"`
	Role      string    `bun:"role,pk"`
	Scope     string    `bun:"scope,pk"`
	GrantedAt time.Time `bun:"granted_at,notnull"`
}

// Channel says where a category of notification may reach the person.
type Channel struct {
	Push  bool `json:"push"`
	InApp bool `json:"inApp"`
}

// Preferences are the person's own choices; absent rows mean the defaults.
type Preferences struct {
	bun.BaseModel `bun:"table:preferences"`

	CitizenID                string             `bun:"citizen_id,pk"`
	Language                 string             `bun:"language,notnull"`
	QuietOff                 bool               `bun:"quiet_off,notnull"`   // quiet hours switched off (times kept)
	QuietStart               string             `bun:"quiet_start,notnull"` // "22:00" local time
	QuietEnd                 string             `bun:"quiet_end,notnull"`
	Timezone                 string             `bun:"timezone,notnull"`
	Channels                 map[string]Channel `bun:"channels,notnull"` // by category
	RepresentedNotifications bool               `bun:"represented_notifications,notnull"`
	SuggestionsOff           bool               `bun:"suggestions_off,notnull"`          // no proactive suggestions at all
	SuggestionsOffAgencies   []string           `bun:"suggestions_off_agencies,notnull"` // agency slugs whose suggestions are off
	UpdatedAt                time.Time          `bun:"updated_at,notnull"`
}
