// Package represent decides who may act for whom: guardians of minors (fed by the population
// register) and holders of a power of attorney (fullmakt), scoped by area and bounded in time.
package represent

import (
	"time"

	"github.com/uptrace/bun"
)

// Kinds of relation.
const (
	KindGuardian        = "guardian"
	KindPowerOfAttorney = "power_of_attorney"
)

// Relation lets the representative act for the subject. Scopes nil means every area; an empty
// list means none (see AreasOf). It grants anything only while its agency holds the authority for
// its kind (agency.Authority).
type Relation struct {
	bun.BaseModel `bun:"table:relations"`

	ID               string     `bun:"id,pk"`
	AgencyID         string     `bun:"agency_id,notnull"`
	ExternalID       string     `bun:"external_id,notnull"`
	Version          int64      `bun:"version,notnull"`
	Kind             string     `bun:"kind,notnull"`
	RepresentativeID string     `bun:"representative_id,notnull"`
	SubjectID        string     `bun:"subject_id,notnull"`
	Scopes           []string   `bun:"scopes"`
	ValidFrom        time.Time  `bun:"valid_from,notnull"`
	ValidUntil       *time.Time `bun:"valid_until"`
	CreatedAt        time.Time  `bun:"created_at,notnull"`
	UpdatedAt        time.Time  `bun:"updated_at,notnull"`
}
