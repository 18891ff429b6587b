package suggest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"minside/backend/internal/outbox"
)

// TopicEvaluate is the outbox topic of "something changed about this person: evaluate the rules",
// written in the transaction of the change, so no change is ever missed and the evaluation runs
// on whichever replica claims it.
const TopicEvaluate = "suggest"

// evaluateMessage is TopicEvaluate's payload: ids only, nothing personal.
type evaluateMessage struct {
	CitizenID string      `json:"citizenId"`
	AgencyID  string      `json:"agencyId,omitempty"` // whose write it was; the event names it by slug
	Event     storedEvent `json:"event"`
}

// NewEvaluateMessage builds the outbox message that evaluates citizenID's rules on ev, a write
// of agencyID's (empty: none).
func NewEvaluateMessage(citizenID, agencyID string, ev Event, now time.Time) (outbox.Message, error) {
	return outbox.NewMessage(TopicEvaluate, evaluateMessage{CitizenID: citizenID, AgencyID: agencyID, Event: storeEvent(ev)}, now, outbox.Options{})
}

func (e *Engine) agencySlug(ctx context.Context, agencyID string) (string, error) {
	var slug string
	err := e.db.NewSelect().Table("agencies").Column("slug").Where("id = ?", agencyID).Scan(ctx, &slug)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil // the agency is gone; the evaluation still runs
	}
	return slug, err
}

// HandleBatch is the outbox handler of TopicEvaluate: one transaction per message (one person),
// so a failing person is retried alone.
func (e *Engine) HandleBatch(ctx context.Context, msgs []outbox.Message, _ int) []outbox.Result {
	results := make([]outbox.Result, len(msgs))
	for i, m := range msgs {
		if ctx.Err() != nil {
			results[i] = outbox.NotStarted()
			continue
		}
		var em evaluateMessage
		if err := json.Unmarshal(m.Payload, &em); err != nil || em.CitizenID == "" {
			results[i] = outbox.Dead("suggest: undecodable evaluation")
			continue
		}
		ev := em.Event.event()
		if em.AgencyID != "" {
			slug, err := e.agencySlug(ctx, em.AgencyID)
			if err != nil {
				results[i] = outbox.Retry(0, err.Error())
				continue
			}
			ev.Agency = slug
		}
		if _, err := e.Evaluate(context.WithoutCancel(ctx), em.CitizenID, ev); err != nil {
			results[i] = outbox.Retry(0, err.Error())
			continue
		}
		results[i] = outbox.Done()
	}
	return results
}
