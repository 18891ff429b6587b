package audit

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Actor kinds.
const (
	ActorCitizen        = "citizen"
	ActorRepresentative = "representative"
	ActorAgency         = "agency"
	ActorOperator       = "operator"
	ActorSystem         = "system"
)

// Record writes one entry in the caller's transaction: an access is audited exactly when it
// happens, or not at all. Detail must never hold a national identity number.
func Record(ctx context.Context, db bun.IDB, e Entry) error {
	if _, err := Insert(db, e).Exec(ctx); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// Insert is the statement Record runs, for a caller that sends it along with other statements.
func Insert(db bun.IDB, e Entry) *bun.InsertQuery {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	e.At = e.At.UTC()
	return db.NewInsert().Model(&e)
}
