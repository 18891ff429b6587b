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
	c := &Change{CitizenID: citizenID, Kind: kind, ObjectID: objectID, Op: op, CreatedAt: now.UTC()}
	if _, err := db.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("changes: record %s %s: %w", kind, op, err)
	}
	return nil
}
