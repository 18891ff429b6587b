package changes

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Operations on an object.
const (
	OpUpsert = "upsert"
	OpDelete = "delete"
)

// Record appends a change in the caller's transaction, so the feed has it exactly when the data
// does. citizenID nil means the change concerns everyone (tiles).
func Record(ctx context.Context, db bun.IDB, citizenID *string, kind, objectID, op string, now time.Time) error {
	return RecordAll(ctx, db, []Change{New(citizenID, kind, objectID, op, now)})
}

// New builds a change for RecordAll.
func New(citizenID *string, kind, objectID, op string, now time.Time) Change {
	return Change{CitizenID: citizenID, Kind: kind, ObjectID: objectID, Op: op, CreatedAt: now.UTC()}
}

// RecordAll appends many changes in one statement, in the caller's transaction: a bulk write
// collects its rows and pays one round trip for all of them.
func RecordAll(ctx context.Context, db bun.IDB, rows []Change) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := db.NewInsert().Model(&rows).Returning("NULL").Exec(ctx); err != nil {
		return fmt.Errorf("changes: record %d %s %s: %w", len(rows), rows[0].Kind, rows[0].Op, err)
	}
	return nil
}
