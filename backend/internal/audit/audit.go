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
// happens, or not at all. Detail must never hold a national identity number; the action must be one of Actions.
func Record(ctx context.Context, db bun.IDB, e Entry) error {
	if err := checkAction(e.Action); err != nil {
		return err
	}
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	e.At = e.At.UTC()
	if _, err := db.NewInsert().Model(&e).Exec(ctx); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}
