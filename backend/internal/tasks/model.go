// Package tasks is the read model of what agencies ask a citizen to do: tasks (do something by a
// date; shown until the agency closes it) and drafts (an application the citizen started in the
// agency's system; shown with "continue" until submitted or expired). Both sit in the overview's
// "needs your action". Titles and bodies live in texts (owner kind "task": "title", "body").
package tasks

import (
	"time"

	"github.com/uptrace/bun"
)

// Kinds of rows.
const (
	KindTask  = "task"
	KindDraft = "draft"
)

// Statuses an agency may set. A task is open until done or closed; a draft until submitted.
const (
	StatusOpen      = "open"
	StatusDone      = "done"
	StatusClosed    = "closed"
	StatusSubmitted = "submitted"
)

// TaskStatuses and DraftStatuses are the vocabularies the agency API accepts.
var (
	TaskStatuses  = []string{StatusOpen, StatusDone, StatusClosed}
	DraftStatuses = []string{StatusOpen, StatusSubmitted}
)

// TextOwner is the owner kind of tasks' and drafts' texts.
const TextOwner = "task"

// Task is one task or draft.
type Task struct {
	bun.BaseModel `bun:"table:tasks"`

	ID         string     `bun:"id,pk"`
	AgencyID   string     `bun:"agency_id,notnull"`
	ExternalID string     `bun:"external_id,notnull"`
	Kind       string     `bun:"kind,notnull"`
	Version    int64      `bun:"version,notnull"`
	CitizenID  string     `bun:"citizen_id,notnull"`
	Area       string     `bun:"area,notnull"`
	Status     string     `bun:"status,notnull"`
	DueAt      *time.Time `bun:"due_at"`
	ExpiresAt  *time.Time `bun:"expires_at"`
	Link       string     `bun:"link,notnull"`
	CaseID     *string    `bun:"case_id"`
	Sensitive  bool       `bun:"sensitive,notnull"`
	SeenAt     *time.Time `bun:"seen_at"`
	RemindedAt *time.Time `bun:"reminded_at"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	UpdatedAt  time.Time  `bun:"updated_at,notnull"`
}

// Open reports whether the row belongs in "needs your action" at now: open, and for a draft not expired.
func (t *Task) Open(now time.Time) bool {
	return t.Status == StatusOpen && (t.ExpiresAt == nil || t.ExpiresAt.After(now))
}
