package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Topics of side effects. Each topic has one handler in the worker.
const (
	// TopicNotify: something happened that may deserve telling the citizen (payload: NotifyEvent);
	// its handler applies preferences and quiet hours and fans out to devices as TopicPush messages.
	TopicNotify  = "notify"
	TopicPush    = "push"    // one web push to one device
	TopicWebhook = "webhook" // one signed webhook to one agency
)

// NotifyEvent is the payload of TopicNotify. It names objects by id only: the handler loads the
// current, localized texts when it runs, so nothing personal sits in the outbox longer than needed.
type NotifyEvent struct {
	CitizenID string `json:"citizenId"`
	Kind      string `json:"kind"`     // "case", "booking", "key", "notification", "relation"
	ObjectID  string `json:"objectId"` // the portal's id of the object
	Reason    string `json:"reason"`   // e.g. "status_changed", "awaiting_citizen", "new", "reminder_24h", "valid_soon", "ended"
	Urgent    bool   `json:"urgent"`   // a deadline: may break through quiet hours, Urgency high
}

// Options of one enqueued message.
type Options struct {
	// DedupeKey makes enqueueing idempotent: a second message with the same key is dropped. Use it
	// for scheduled work that several replicas may plan, e.g. "reminder:<booking>:24h".
	DedupeKey string
	// At delays the message; zero means now.
	At time.Time
}

// Enqueue writes a message in the caller's transaction; it is sent only if that transaction commits.
// It reports false when a message with the same dedupe key already exists.
func Enqueue(ctx context.Context, db bun.IDB, topic string, payload any, now time.Time, opts Options) (bool, error) {
	m, err := NewMessage(topic, payload, now, opts)
	if err != nil {
		return false, err
	}
	n, err := EnqueueAll(ctx, db, []Message{m})
	return n == 1, err
}

// NewMessage builds a pending message for EnqueueAll.
func NewMessage(topic string, payload any, now time.Time, opts Options) (Message, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return Message{}, fmt.Errorf("outbox: encode %s: %w", topic, err)
	}
	at := opts.At
	if at.IsZero() {
		at = now
	}
	m := Message{Topic: topic, Payload: body, Status: StatusPending, AvailableAt: at.UTC(), CreatedAt: now.UTC()}
	if opts.DedupeKey != "" {
		key := opts.DedupeKey
		m.DedupeKey = &key
	}
	return m, nil
}

// EnqueueAll writes many messages in one statement in the caller's transaction (a bulk write pays
// one round trip for all its side effects) and reports how many were new: a message whose dedupe
// key exists already, or came earlier in msgs, is dropped.
func EnqueueAll(ctx context.Context, db bun.IDB, msgs []Message) (int64, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	res, err := db.NewInsert().Model(&msgs).On("CONFLICT (dedupe_key) DO NOTHING").Returning("NULL").Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("outbox: enqueue %d, first %s: %w", len(msgs), msgs[0].Topic, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("outbox: enqueue %s: %w", msgs[0].Topic, err)
	}
	return n, nil
}
