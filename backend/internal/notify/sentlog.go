package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Page sizes of "what we sent you".
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// SentItem is one row of GET /api/v1/me/deliveries.
type SentItem struct {
	ID        string    `json:"id"`
	Channel   string    `json:"channel"` // "push", "in_app"
	Category  string    `json:"category"`
	Title     string    `json:"title"` // exactly what the lock screen showed
	State     string    `json:"state"` // pending, delivered, gone, failed, dropped
	Attempts  int       `json:"attempts"`
	Device    *string   `json:"deviceId"` // the push device; null for in-app or a forgotten device
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// SentLog is "what we sent you": every notification to the citizen, per channel, with its state.
type SentLog struct{ db bun.IDB }

// NewSentLog reads deliveries from db.
func NewSentLog(db bun.IDB) *SentLog { return &SentLog{db: db} }

// List returns the citizen's deliveries newest first. cursor is the last id of the previous page
// (ids are UUIDv7, so they sort by time); next is "" on the last page.
func (l *SentLog) List(ctx context.Context, citizenID, cursor string, limit int) (items []SentItem, next string, err error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	var rows []Delivery
	q := l.db.NewSelect().Model(&rows).Where("citizen_id = ?", citizenID).OrderExpr("id DESC").Limit(int64(limit + 1))
	if cursor != "" {
		q = q.Where("id < ?", cursor)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, "", fmt.Errorf("notify: list deliveries: %w", err)
	}
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	items = make([]SentItem, len(rows))
	for i, d := range rows {
		items[i] = SentItem{ID: d.ID, Channel: d.Channel, Category: d.Category, Title: d.Title, State: d.State,
			Attempts: d.Attempts, Device: d.SubscriptionID, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	}
	return items, next, nil
}
