// Package notify holds what the municipality tells citizens: notifications (varsler), the devices
// they reach by web push, and the record of every delivery ("what we sent you").
package notify

import (
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// Categories of agencies' notifications; a citizen turns each on or off per channel.
var Categories = []string{"cases", "bookings", "keys", "messages", "general"}

// CategorySuggestions is the portal's own category: a push about a new suggestion. Agencies cannot
// send in it, and its push is off until the citizen asks for it.
const CategorySuggestions = "suggestions"

// CategoryReports is the portal's own category for what happens to a problem the person reported
// or follows ("the street light you reported is fixed"): they asked to be told, so it is on by
// default. Agencies cannot send notifications in it.
const CategoryReports = "reports"

// PreferenceCategories are every category of the preferences' channels.
var PreferenceCategories = append(slices.Clone(Categories), CategorySuggestions, CategoryReports)

// Notification is one message to a citizen; texts "title" and "body".
type Notification struct {
	bun.BaseModel `bun:"table:notifications"`

	ID         string     `bun:"id,pk"`
	AgencyID   *string    `bun:"agency_id"`
	ExternalID *string    `bun:"external_id"`
	CitizenID  string     `bun:"citizen_id,notnull"`
	Category   string     `bun:"category,notnull"`
	Urgency    string     `bun:"urgency,notnull"` // "low", "normal", "high" (deadlines only)
	Link       string     `bun:"link,notnull"`
	DedupeKey  *string    `bun:"dedupe_key"`
	ReadAt     *time.Time `bun:"read_at"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
}

// Device is a browser's web push subscription.
type Device struct {
	bun.BaseModel `bun:"table:push_subscriptions"`

	ID          string     `bun:"id,pk"`
	CitizenID   string     `bun:"citizen_id,notnull"`
	SessionHash *string    `bun:"session_hash"` // logout of that session forgets the device
	Endpoint    string     `bun:"endpoint,notnull"`
	P256dh      string     `bun:"p256dh,notnull"`
	Auth        string     `bun:"auth,notnull"`
	Label       string     `bun:"label,notnull"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	LastSentAt  *time.Time `bun:"last_sent_at"`
	Failures    int        `bun:"failures,notnull"`
}

// Delivery is one notification on one channel, as the citizen sees it in "what we sent you".
type Delivery struct {
	bun.BaseModel `bun:"table:deliveries"`

	ID             string    `bun:"id,pk"`
	CitizenID      string    `bun:"citizen_id,notnull"`
	NotificationID *string   `bun:"notification_id"`
	SubscriptionID *string   `bun:"subscription_id"`
	Channel        string    `bun:"channel,notnull"` // "push", "in_app"
	Category       string    `bun:"category,notnull"`
	Title          string    `bun:"title,notnull"` // the non-sensitive title that was shown
	State          string    `bun:"state,notnull"` // StatePending, StateDelivered, StateGone, StateFailed, StateDropped
	Attempts       int       `bun:"attempts,notnull"`
	CreatedAt      time.Time `bun:"created_at,notnull"`
	UpdatedAt      time.Time `bun:"updated_at,notnull"`
}
