// Package messages is the two-way conversation on a citizen's case or errand: the citizen (or a
// representative within their scope) writes with attachments, the agency it is for receives it as a
// signed webhook with short-lived download links and answers through the agency API, and both
// sides see when the other has read it. A message names its subject generically (kind + id); on an
// errand the citizen picks which of its agencies a message is for, and only that agency sees it.
package messages

import (
	"time"

	"github.com/uptrace/bun"
)

// Subject kinds a message can belong to.
const (
	SubjectCase   = "case"
	SubjectErrand = "errand"
)

// Directions: who wrote it.
const (
	FromCitizen = "citizen" // the citizen, or a representative for them (AuthorID says who)
	FromAgency  = "agency"
)

// Message is one message in a thread. SeenAt is when the other side first read it: the agency
// for a citizen's message, the citizen for an answer.
type Message struct {
	bun.BaseModel `bun:"table:messages"`

	ID          string     `bun:"id,pk"`
	SubjectKind string     `bun:"subject_kind,notnull"`
	SubjectID   string     `bun:"subject_id,notnull"`
	AgencyID    string     `bun:"agency_id,notnull"`
	CitizenID   string     `bun:"citizen_id,notnull"` // whose case it is
	Direction   string     `bun:"direction,notnull"`
	AuthorID    *string    `bun:"author_id"`   // FromCitizen: who wrote it (differs from CitizenID for a representative)
	ExternalID  *string    `bun:"external_id"` // FromAgency: the agency's id
	Version     int64      `bun:"version,notnull"`
	Body        string     `bun:"body,notnull"`
	Sensitive   bool       `bun:"sensitive,notnull"` // an agency's answer it marked sensitive
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	SeenAt      *time.Time `bun:"seen_at"`

	Attachments []*Attachment `bun:"rel:has-many,join:id=message_id"`
	// AuthorName is the representative's name for "written by X on behalf of Y" (Thread fills it).
	AuthorName string `bun:"-"`
	// AgencySlug and AgencyName name the agency it is from or for (Thread and Post fill them).
	AgencySlug, AgencyName string `bun:"-"`
	// Withheld: sensitive (or on a sensitive case) and read below the step-up level; Thread has
	// emptied Body and Attachments.
	Withheld bool `bun:"-"`
	// CaseRef or Errand names the thread as its agencies do, as the webhook does (Answer and
	// AgencyRead fill them): the case by its agency's id, the errand by its lead's slug and id.
	CaseRef string     `bun:"-"`
	Errand  *ErrandRef `bun:"-"`
}

// OnBehalf reports whether a representative wrote it for the citizen.
func (m *Message) OnBehalf() bool {
	return m.AuthorID != nil && *m.AuthorID != m.CitizenID
}

// Attachment is one checked file of a message; its bytes live in the files store under StorageKey.
type Attachment struct {
	bun.BaseModel `bun:"table:message_attachments"`

	ID          string `bun:"id,pk"`
	MessageID   string `bun:"message_id,notnull"`
	Position    int    `bun:"position,notnull"`
	Name        string `bun:"name,notnull"`
	ContentType string `bun:"content_type,notnull"`
	Size        int64  `bun:"size,notnull"`
	StorageKey  string `bun:"storage_key,notnull"`
}
