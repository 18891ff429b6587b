// Package webhook tells agencies what citizens did with their objects (a cancelled booking, a
// door opened, a case seen) through signed HTTP callbacks. Events are written to the outbox in the
// transaction of the change, so an event exists exactly when the change does, and are delivered by
// the outbox worker with retries: at least once, each with a stable id the receiver dedupes on.
package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
)

// Event types. The data of each is the struct named after it; docs/webhooks.md describes them.
const (
	EventBookingCancelled     = "booking.cancelled"
	EventKeyUsed              = "key.used"
	EventCaseSeen             = "case.seen"
	EventSuggestionActed      = "suggestion.acted"
	EventDocumentAcknowledged = "document.acknowledged"
	EventErrandUpdated        = "errand.updated"
)

// Actor kinds in event data: the citizen themselves, or someone acting for them.
const (
	ActorCitizen        = "citizen"
	ActorRepresentative = "representative"
)

// BookingCancelled is the data of booking.cancelled. Ids are the agency's own external ids.
type BookingCancelled struct {
	Booking     string    `json:"booking"`
	CancelledAt time.Time `json:"cancelledAt"`
	By          string    `json:"by"` // ActorCitizen or ActorRepresentative
}

// SuggestionActed is the data of suggestion.acted: the citizen followed a suggestion of one of the
// agency's rules. Rule is the agency's external id of the rule; Suggestion is the portal's id of
// the suggestion (the same for every press on it); never who it was.
type SuggestionActed struct {
	Rule       string    `json:"rule"`
	Suggestion string    `json:"suggestion"`
	At         time.Time `json:"at"`
	By         string    `json:"by"` // ActorCitizen or ActorRepresentative
}

// ErrandUpdated is the data of errand.updated: the merged status of an errand the agency takes part
// in changed. Errand is the lead agency's external id of the errand and Lead its slug; Cases are the
// receiving agency's own external ids of the cases it attached (none for a lead without cases).
type ErrandUpdated struct {
	Errand         string    `json:"errand"`
	Lead           string    `json:"lead"`
	Status         string    `json:"status"`
	PreviousStatus string    `json:"previousStatus"`
	Cases          []string  `json:"cases"`
	At             time.Time `json:"at"`
}

// KeyUsed is the data of key.used: one attempt to open a door, whatever its result.
type KeyUsed struct {
	Key         string    `json:"key"`
	Facility    string    `json:"facility"`
	AccessPoint string    `json:"accessPoint"`
	Result      string    `json:"result"` // "opened", "refused", "failed"
	At          time.Time `json:"at"`
	By          string    `json:"by"`
}

// CaseSeen is the data of case.seen: the first time the citizen (or a representative) opened the case.
type CaseSeen struct {
	Case   string    `json:"case"`
	SeenAt time.Time `json:"seenAt"`
	By     string    `json:"by"`
}

// DocumentAcknowledged is the data of document.acknowledged: the citizen (or a representative
// within scope) acknowledged or signed one of the agency's case documents, at a login level.
type DocumentAcknowledged struct {
	Case     string    `json:"case"`
	Document string    `json:"document"`
	Requires string    `json:"requires"` // "acknowledge" or "sign"
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Level    string    `json:"level"` // the login's assurance level (acr)
}

// Event is the JSON body POSTed to the agency, in the spirit of CloudEvents.
type Event struct {
	ID     string          `json:"id"`     // UUIDv7, also the webhook-id header: dedupe on it
	Type   string          `json:"type"`   // e.g. "key.used"
	Time   time.Time       `json:"time"`   // when it happened, UTC
	Agency string          `json:"agency"` // the receiving agency's slug
	Data   json.RawMessage `json:"data"`
}

// payload is the outbox message: the finished body, kept as a string so that PostgreSQL's jsonb
// does not reorder it and every retry sends the same bytes. The URL
// and secret are read when sending, so a corrected URL or a rotated secret applies to pending events.
type payload struct {
	AgencyID string `json:"agencyId"`
	EventID  string `json:"eventId"`
	Type     string `json:"type"`
	Body     string `json:"body"`
}

// Enqueue writes an event for the agency in the caller's transaction. It does nothing when the
// agency has no webhook URL. data must name objects by the agency's external ids and never hold
// personal data the agency does not already have (no national id, no name).
func Enqueue(ctx context.Context, tx bun.IDB, agencyID, eventType string, data any, now time.Time) error {
	_, err := EnqueueEvent(ctx, tx, agencyID, eventType, data, now)
	return err
}

// EnqueueEvent is Enqueue that also reports the event id ("" when the agency takes no webhooks).
func EnqueueEvent(ctx context.Context, tx bun.IDB, agencyID, eventType string, data any, now time.Time) (string, error) {
	var a agency.Agency
	err := tx.NewSelect().Model(&a).Column("id", "slug", "webhook_url").Where("id = ?", agencyID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("webhook: enqueue %s: agency %s not found", eventType, agencyID)
	}
	if err != nil {
		return "", fmt.Errorf("webhook: enqueue %s: %w", eventType, err)
	}
	if a.WebhookURL == nil || *a.WebhookURL == "" {
		return "", nil
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("webhook: encode %s: %w", eventType, err)
	}
	ev := Event{ID: store.NewID(), Type: eventType, Time: now.UTC().Truncate(time.Millisecond), Agency: a.Slug, Data: raw}
	body, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("webhook: encode %s: %w", eventType, err)
	}
	p := payload{AgencyID: a.ID, EventID: ev.ID, Type: eventType, Body: string(body)}
	if _, err := outbox.Enqueue(ctx, tx, outbox.TopicWebhook, p, now, outbox.Options{DedupeKey: "webhook:" + ev.ID}); err != nil {
		return "", fmt.Errorf("webhook: enqueue %s: %w", eventType, err)
	}
	return ev.ID, nil
}
