package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/i18n"
	"minside/backend/internal/store"
)

// StatusStep is one status an agency gave a report: the reporter's page shows them all, in order,
// with the note the agency wrote for each (the report itself keeps only the latest).
type StatusStep struct {
	bun.BaseModel `bun:"table:report_status_history"`

	ID          string            `bun:"id,pk"`
	ReportID    string            `bun:"report_id,notnull"`
	Status      string            `bun:"status,notnull"`
	Reason      map[string]string `bun:"reason,notnull"`
	DuplicateOf *string           `bun:"duplicate_of"`
	CreatedAt   time.Time         `bun:"created_at,notnull"`
}

// HistoryStep is a StatusStep in the reader's language.
type HistoryStep struct {
	Status      string    `json:"status"`
	Reason      string    `json:"reason,omitempty"`
	DuplicateOf *string   `json:"duplicateOf,omitempty"`
	At          time.Time `json:"at"`
}

// recordStep keeps the status r was just given (in the transaction that gave it).
func recordStep(ctx context.Context, tx bun.IDB, r *Report, reason map[string]string) error {
	if reason == nil {
		reason = map[string]string{}
	}
	step := &StatusStep{ID: store.NewID(), ReportID: r.ID, Status: r.Status, Reason: reason, DuplicateOf: r.DuplicateOf, CreatedAt: r.UpdatedAt}
	if _, err := tx.NewInsert().Model(step).Exec(ctx); err != nil {
		return fmt.Errorf("reports: record status: %w", err)
	}
	return nil
}

// history is every status report id was given, oldest first, in lang.
func history(ctx context.Context, db bun.IDB, id, lang string) ([]HistoryStep, error) {
	var rows []StatusStep
	if err := db.NewSelect().Model(&rows).Where("report_id = ?", id).OrderExpr("created_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("reports: history: %w", err)
	}
	out := make([]HistoryStep, 0, len(rows))
	for _, s := range rows {
		reason, _ := i18n.Pick(s.Reason, lang)
		out = append(out, HistoryStep{Status: s.Status, Reason: reason, DuplicateOf: s.DuplicateOf, At: s.CreatedAt})
	}
	return out, nil
}
