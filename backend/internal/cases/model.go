// Package cases is the read model of the citizen's cases (saker) as agencies push them: status,
// what the citizen must do next, a timeline, documents and a deep link into the agency's service.
package cases

import (
	"time"

	"github.com/uptrace/bun"
)

// Statuses an agency may set.
const (
	StatusReceived        = "received"
	StatusInProgress      = "in_progress"
	StatusAwaitingCitizen = "awaiting_citizen"
	StatusDecided         = "decided"
	StatusClosed          = "closed"
)

// Statuses is the case status vocabulary in the order it is shown: the agency API accepts these,
// the citizen filters by them, and the PWA reads them from pwa/src/vocabularies.json, which
// TestPWAVocabularies keeps equal to this list.
func Statuses() []string {
	return []string{StatusReceived, StatusInProgress, StatusAwaitingCitizen, StatusDecided, StatusClosed}
}

// Case is one matter between an agency and a citizen. Titles live in texts ("title",
// "title_public" for lock screens, "next_action").
type Case struct {
	bun.BaseModel `bun:"table:cases"`

	ID            string     `bun:"id,pk"`
	AgencyID      string     `bun:"agency_id,notnull"`
	ExternalID    string     `bun:"external_id,notnull"`
	Version       int64      `bun:"version,notnull"`
	CitizenID     string     `bun:"citizen_id,notnull"`
	Kind          string     `bun:"kind,notnull"` // e.g. "building_permit"; used for tile targeting
	Area          string     `bun:"area,notnull"` // e.g. "building", "health": the scope a fullmakt must cover
	Status        string     `bun:"status,notnull"`
	NextActionDue *time.Time `bun:"next_action_due"`
	DeepLink      string     `bun:"deep_link,notnull"`
	// ErrandID is the errand (package errands) the agency attached the case to; SharedWithErrand
	// lets the errand's other agencies see the case.
	ErrandID         *string `bun:"errand_id"`
	SharedWithErrand bool    `bun:"shared_with_errand,notnull"`
	// Sensitive: below the step-up login level the citizen sees that the case exists, not its
	// content (auth.Withholds, the one rule), nor anything hanging on it.
	Sensitive bool      `bun:"sensitive,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// Event is one entry of a case's timeline; texts "title" and "body".
type Event struct {
	bun.BaseModel `bun:"table:case_events"`

	ID         string    `bun:"id,pk"`
	CaseID     string    `bun:"case_id,notnull"`
	ExternalID string    `bun:"external_id,notnull"`
	OccurredAt time.Time `bun:"occurred_at,notnull"`
	Status     *string   `bun:"status"`
	// SharedWithErrand lets the other agencies of the case's errand see this entry.
	SharedWithErrand bool      `bun:"shared_with_errand,notnull"`
	CreatedAt        time.Time `bun:"created_at,notnull"`
}

// Document is a link to a document the agency holds for the case.
type Document struct {
	bun.BaseModel `bun:"table:case_documents"`

	ID         string     `bun:"id,pk"`
	CaseID     string     `bun:"case_id,notnull"`
	ExternalID string     `bun:"external_id,notnull"`
	Name       string     `bun:"name,notnull"`
	DocType    string     `bun:"doc_type,notnull"`
	URL        string     `bun:"url,notnull"`
	Requires   string     `bun:"requires,notnull"` // "", RequiresAcknowledge or RequiresSign
	DueAt      *time.Time `bun:"due_at"`
	Sensitive  bool       `bun:"sensitive,notnull"` // name and link withheld below the step-up level
	CreatedAt  time.Time  `bun:"created_at,notnull"`
}

// What a document may ask of the citizen: read it and say so, or sign it (at the step-up level).
const (
	RequiresAcknowledge = "acknowledge"
	RequiresSign        = "sign"
)

// Acknowledgement records that the citizen (or a representative within scope) acknowledged or
// signed a document. Keyed by the agency's document id: an update of the case replaces its
// document rows, but not what the citizen did.
type Acknowledgement struct {
	bun.BaseModel `bun:"table:document_acknowledgements"`

	CaseID         string    `bun:"case_id,pk"`
	DocumentExtID  string    `bun:"document_ext_id,pk"`
	CitizenID      string    `bun:"citizen_id,notnull"`
	ActorID        string    `bun:"actor_id,notnull"`
	ActorKind      string    `bun:"actor_kind,notnull"` // audit.ActorCitizen or audit.ActorRepresentative
	Requires       string    `bun:"requires,notnull"`
	Level          string    `bun:"level,notnull"` // the login's acr
	AcknowledgedAt time.Time `bun:"acknowledged_at,notnull"`
}

// Seen records the first time a person opened a case; the agency sees it (Dialogporten's seen log).
type Seen struct {
	bun.BaseModel `bun:"table:case_seen"`

	CaseID      string    `bun:"case_id,pk"`
	CitizenID   string    `bun:"citizen_id,pk"`
	FirstSeenAt time.Time `bun:"first_seen_at,notnull"`
}
