// Package suggest is the municipality acting first: agencies publish rules whose conditions are CEL
// expressions over one person's facts, and every change about a person (and a daily sweep, for
// rules about dates) turns the rules that hold into suggestions that say why they are shown. A
// rule sees only what Min side holds; facts never leave the portal.
package suggest

import "time"

// Facts is everything a rule's condition can look at for one person: the fact model. CEL names
// are the json names. Dates are timestamps at midnight UTC.
type Facts struct {
	Person    Person     `json:"person"`
	Children  []Child    `json:"children"`  // children the person is guardian of, or who live with them
	Cases     []Case     `json:"cases"`     // the person's own cases
	Bookings  []Booking  `json:"bookings"`  // the person's bookings
	Keys      []Key      `json:"keys"`      // the person's keys
	Relations []Relation `json:"relations"` // who the person may act for, and who may act for them
	Event     Event      `json:"event"`     // what made this evaluation happen
	Now       time.Time  `json:"now"`       // the evaluation's clock

	anchors []time.Time // days its relations may start or stop granting access on (nextDue)
}

// Person is the one the facts are about.
type Person struct {
	ID        string    `json:"-"`
	Name      string    `json:"name"`
	Age       int64     `json:"age"`
	BirthDate time.Time `json:"birthDate"`
	District  string    `json:"district"`
}

// Child is a minor the person is related to.
type Child struct {
	ID        string    `json:"-"` // the occurrence of a rule that applies to children
	Name      string    `json:"name"`
	Age       int64     `json:"age"`
	BirthDate time.Time `json:"birthDate"`
	Guardian  bool      `json:"guardian"` // the person is this child's guardian
}

// Case is one of the person's cases.
type Case struct {
	ID        string    `json:"-"`
	Kind      string    `json:"kind"`
	Status    string    `json:"status"` // received, in_progress, awaiting_citizen, decided, closed
	Agency    string    `json:"agency"` // the agency's slug
	Area      string    `json:"area"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	DecidedAt time.Time `json:"decidedAt"` // zero (0001-01-01) until decided; hasDecided says which
	Decided   bool      `json:"decided"`   // decided or closed
}

// Booking is one of the person's bookings.
type Booking struct {
	ID       string    `json:"-"`
	Resource string    `json:"resource"`
	Status   string    `json:"status"` // confirmed, cancelled
	Agency   string    `json:"agency"`
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
}

// Key is one of the person's keys to a facility.
type Key struct {
	ID         string    `json:"-"`
	Facility   string    `json:"facility"`
	Status     string    `json:"status"` // active, suspended, revoked
	Agency     string    `json:"agency"`
	ValidFrom  time.Time `json:"validFrom"`
	ValidUntil time.Time `json:"validUntil"`
	ForBooking bool      `json:"forBooking"` // the key opens a booked room for the booking's time, not a membership
}

// Relation is a representation the person is part of.
type Relation struct {
	Kind      string `json:"kind"`      // guardian, power_of_attorney
	Direction string `json:"direction"` // "for": the person acts for someone; "by": someone acts for the person
}

// Event is what triggered an evaluation. Kind is one of Events; the daily sweep is "sweep".
type Event struct {
	Kind     string `json:"kind"`
	ObjectID string `json:"-"`        // the case, booking, key or child it is about; an event rule's occurrence
	Occasion string `json:"-"`        // tells repeats of an event apart in the occurrence, e.g. the age on child.birthday
	Agency   string `json:"agency"`   // the agency whose record changed, if any
	CaseKind string `json:"caseKind"` // for case events
	Status   string `json:"status"`   // the record's status after the change
}

// Events a rule may be triggered by.
var Events = []string{
	"case.created", "case.updated", "case.decided", "case.deleted", // an agency's write
	"booking.created", "booking.cancelled", "booking.deleted",
	"key.issued", "key.deleted",
	"relation.created", "relation.ended",
	"child.born",                                      // a guardianship of a newborn is registered
	"child.birthday", "key.expiring", "booking.ended", // found by the daily sweep
	"sweep", // the daily sweep itself (state rules)
}

// Subjects a rule can apply to: the person once, or each of their children, cases, bookings or keys.
var Subjects = []string{"person", "child", "case", "booking", "key"}
