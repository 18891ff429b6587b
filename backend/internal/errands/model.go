// Package errands groups the cases several agencies hold about one matter of one citizen (an
// errand, "ærend": a garage needs a building permit, road access and a water connection). The lead
// agency creates the errand and decides which agencies may join; each agency attaches only its own
// cases. The citizen sees one errand with one merged status, timeline, documents and next steps;
// each agency sees the merged status, its own cases and what the others marked shared.
package errands

import (
	"time"

	"github.com/uptrace/bun"
)

// Errand is the lead agency's record of the matter. Its title lives in texts (owner kind "errand").
type Errand struct {
	bun.BaseModel `bun:"table:errands,alias:e"`

	ID         string    `bun:"id,pk"`
	AgencyID   string    `bun:"agency_id,notnull"` // the lead agency
	ExternalID string    `bun:"external_id,notnull"`
	Version    int64     `bun:"version,notnull"`
	CitizenID  string    `bun:"citizen_id,notnull"`
	Area       string    `bun:"area,notnull"`
	Status     string    `bun:"status,notnull"` // Merged over the attached cases
	CreatedAt  time.Time `bun:"created_at,notnull"`
	UpdatedAt  time.Time `bun:"updated_at,notnull"`
}

// Participant is an agency the lead allows to attach its cases.
type Participant struct {
	bun.BaseModel `bun:"table:errand_agencies"`

	ErrandID string `bun:"errand_id,pk"`
	AgencyID string `bun:"agency_id,pk"`
}

// Who a next step waits for. The step belongs to a case, so the one waiting is the case's agency
// (or, for WaitingCitizen, the agency waits for the citizen).
const (
	WaitingCitizen    = "citizen"     // the agency waits for the citizen
	WaitingAgency     = "agency"      // the agency itself works; everyone else waits for it
	WaitingThirdParty = "third_party" // the agency waits for someone else (texts "party" names them)
)

// WaitingFor lists the values a next step's waitingFor may take.
var WaitingFor = []string{WaitingCitizen, WaitingAgency, WaitingThirdParty}

// Step is one "what happens next" of a case; texts "text" and "party" (owner kind "case_step").
type Step struct {
	bun.BaseModel `bun:"table:case_steps"`

	ID         string     `bun:"id,pk"`
	CaseID     string     `bun:"case_id,notnull"`
	Position   int        `bun:"position,notnull"`
	WaitingFor string     `bun:"waiting_for,notnull"`
	DueAt      *time.Time `bun:"due_at"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
}
