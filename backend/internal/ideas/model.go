// Package ideas is the municipality's idea channel (Innolab): a resident submits an improvement
// idea with an optional photo, others support it once each, and the agency the operator gives the
// "ideas" authority moderates it through the agency API: it moves the idea through its statuses,
// each with a reason in the residents' languages, and hides what does not belong, telling the
// author why. Others never learn who wrote an idea: only "a resident of <district>".
package ideas

import (
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// Statuses of an idea. Every one after StatusReceived carries the municipality's reason.
const (
	StatusReceived = "received"
	StatusAssessed = "being_assessed"
	StatusTried    = "tried_out"
	StatusAdopted  = "adopted"
	StatusDeclined = "declined"
)

// Statuses are every status, in the order an idea usually moves through them.
var Statuses = []string{StatusReceived, StatusAssessed, StatusTried, StatusAdopted, StatusDeclined}

// Areas of life an idea belongs to; their names are the message keys "ideas.area.<area>".
var Areas = []string{"environment", "transport", "culture_leisure", "health_care", "schools_kindergartens", "digital_services", "other"}

// ValidArea reports whether area is one of Areas.
func ValidArea(area string) bool { return slices.Contains(Areas, area) }

// Limits of what a resident writes.
const (
	MaxTitle  = 120
	MaxBody   = 4000
	MaxReason = 1000
)

// Event names of the webhooks the moderating agency gets.
const EventCreated = "idea.created"

// TextOwner is the owner kind of an idea's reasons in the texts table.
const TextOwner = "idea"

// Text fields of the moderator's reasons.
const (
	FieldStatusReason = "status_reason"
	FieldHiddenReason = "hidden_reason"
)

// Idea is one idea. District is the author's district when it was submitted.
type Idea struct {
	bun.BaseModel `bun:"table:ideas"`

	ID           string     `bun:"id,pk"`
	AuthorID     string     `bun:"author_id,notnull"`
	District     string     `bun:"district,notnull"`
	Area         string     `bun:"area,notnull"`
	Title        string     `bun:"title,notnull"`
	Body         string     `bun:"body,notnull"`
	PhotoKey     *string    `bun:"photo_key"`
	PhotoType    *string    `bun:"photo_type"`
	PhotoSize    *int64     `bun:"photo_size"`
	Status       string     `bun:"status,notnull"`
	HiddenAt     *time.Time `bun:"hidden_at"`
	ModeratedBy  *string    `bun:"moderated_by"`
	SupportCount int64      `bun:"support_count,notnull"`
	CreatedAt    time.Time  `bun:"created_at,notnull"`
	UpdatedAt    time.Time  `bun:"updated_at,notnull"`

	// Filled for the reader: the reasons in every language the moderator gave, and whether the
	// reader supports it.
	StatusReason map[string]string `bun:"-"`
	HiddenReason map[string]string `bun:"-"`
	Supported    bool              `bun:"-"`
}

// Hidden reports whether the moderator took it out of everyone else's list.
func (i *Idea) Hidden() bool { return i.HiddenAt != nil }

// HasPhoto reports whether a photo came with it.
func (i *Idea) HasPhoto() bool { return i.PhotoKey != nil }

// Support is one person's support of one idea.
type Support struct {
	bun.BaseModel `bun:"table:idea_supports"`

	IdeaID    string    `bun:"idea_id,pk"`
	CitizenID string    `bun:"citizen_id,pk"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}
