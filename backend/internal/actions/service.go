// Package actions is what a citizen (or someone acting for them) does to objects agencies own:
// cancel a booking, open a door with a key, mark notifications read. Cancelling and marking read
// change the read model, write the delta feed, tell the agency by webhook and audit
// representatives, all in the caller's transaction, so that with an idempotency key an action
// happens exactly once. Opening a door goes through the door service (doors.Service), which
// records the attempt in its own transaction; this package adds step-up and the rate limit.
package actions

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"minside/backend/internal/audit"
	"minside/backend/internal/represent"
	"minside/backend/internal/webhook"
)

// For says whose data an action concerns and who acts: the filter the web layer resolves for every
// request (represent.View), so the access rules live in one place.
type For = represent.View

// actorOf is who pressed the button: the representative, or the subject themselves.
func actorOf(v For) string {
	if v.ActingAs() {
		return v.ActorID
	}
	return v.SubjectID
}

// isID reports whether s can be a public id: anything else is not found without asking the
// database (PostgreSQL would refuse a malformed uuid with an error).
func isID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil
}

// EnqueueWebhook writes an event for an agency in the caller's transaction (webhook.Enqueue).
type EnqueueWebhook func(ctx context.Context, tx bun.IDB, agencyID, eventType string, data any, now time.Time) error

// Deps are the action service's collaborators.
type Deps struct {
	Webhooks  EnqueueWebhook // required: webhook.Enqueue
	Doors     DoorService    // doors.Service; nil: opening a door answers 503
	StepUpACR string         // login level required to open a door ("" = no step-up)
	// OpenLimit attempts per OpenWindow per (citizen, key); defaults 10 per minute.
	OpenLimit  int
	OpenWindow time.Duration
}

// Service performs citizen actions.
type Service struct{ deps Deps }

// New builds the service.
func New(deps Deps) *Service {
	if deps.OpenLimit <= 0 {
		deps.OpenLimit = 10
	}
	if deps.OpenWindow <= 0 {
		deps.OpenWindow = time.Minute
	}
	return &Service{deps: deps}
}

// auditRepresentative records an action a representative did for someone; a citizen's own actions
// need no audit row (the feed and the agency already know).
func auditRepresentative(ctx context.Context, tx bun.IDB, v For, action, objectKind, objectID, requestID string, now time.Time, detail map[string]any) error {
	if !v.ActingAs() {
		return nil
	}
	actor, subject := v.ActorID, v.SubjectID
	return audit.Record(ctx, tx, audit.Entry{
		At: now, ActorKind: audit.ActorRepresentative, ActorID: &actor, SubjectID: &subject,
		Action: action, ObjectKind: objectKind, ObjectID: objectID, Detail: detail, RequestID: requestID,
	})
}

// by is the webhook's word for who acted.
func by(v For) string {
	if v.ActingAs() {
		return webhook.ActorRepresentative
	}
	return webhook.ActorCitizen
}
