// Package overview reads what a citizen sees: the one-call overview of the first screen, the lists
// and details behind it, and search. Everything is read from the portal's own read model (what
// agencies pushed), in a handful of indexed queries, with agency texts in the reader's language.
package overview

import (
	"context"
	"errors"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
)

// ReadTimeout bounds every read, so a database that hangs turns into a 503 within a second
// instead of a request that never answers.
const ReadTimeout = 800 * time.Millisecond

// Service answers the citizen's read requests.
type Service struct {
	db          *store.DB
	now         func() time.Time
	feedPage    int
	readTimeout time.Duration
}

// New builds the service; now is the clock (time.Now in production, fixed in tests).
func New(db *store.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now, feedPage: FeedPage, readTimeout: ReadTimeout}
}

// Viewer is who asks and for whom: the logged-in person and the person whose data it is (the same
// person, or someone they act for), and the language to answer in.
type Viewer struct {
	CitizenID string
	SubjectID string
	Lang      string
	Known     *Known // what the session lookup read already; nil: read it
	// Cleared: the login meets the step-up level (MINSIDE_STEP_UP_ACR), so sensitive items show
	// their content; below it they show only that they exist.
	Cleared bool
}

// ActingAs reports whether the viewer reads someone else's data.
func (v Viewer) ActingAs() bool { return v.SubjectID != "" && v.SubjectID != v.CitizenID }

func (v Viewer) subject() string {
	if v.SubjectID == "" {
		return v.CitizenID
	}
	return v.SubjectID
}

// Person names someone in an answer.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Agency names the agency an item comes from.
type Agency struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// WithReadTimeout returns a copy of the service whose reads give up after d (tests that load a
// busy machine use a longer one than production's ReadTimeout).
func (s *Service) WithReadTimeout(d time.Duration) *Service {
	c := *s
	c.readTimeout = d
	return &c
}

// read gives a query context bounded by the read timeout.
func (s *Service) read(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.readTimeout)
}

// fail turns a database error into what the client should see: a 503 when the database is away
// or too slow (it recovers by itself), otherwise the wrapped error (a 500).
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	wrapped := errors.Join(errors.New("overview: "+op), err)
	if Unavailable(err) {
		return apperr.Unavailable(wrapped)
	}
	return wrapped
}

// Unavailable reports whether err means the database cannot be reached or did not answer in time
// (store.Unavailable is the one rule).
func Unavailable(err error) bool { return store.Unavailable(err) }

// utc is how every time goes into a query (SQLite compares times as text).
func utc(t time.Time) time.Time { return store.UTC(t) }
