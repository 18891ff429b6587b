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
	return RecordAll(ctx, db, []Entry{e})
}

// RecordAll writes many entries in one statement, in the caller's transaction (a bulk write
// collects its entries and pays one round trip for all of them).
func RecordAll(ctx context.Context, db bun.IDB, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if err := Prepare(entries); err != nil {
		return err
	}
	if _, err := db.NewInsert().Model(&entries).Returning("NULL").Exec(ctx); err != nil {
		return fmt.Errorf("audit: record %d, first %s: %w", len(entries), entries[0].Action, err)
	}
	return nil
}

// Prepare checks entries and puts them in the form RecordAll stores, for a caller that writes
// them itself (a bulk write on PostgreSQL streams them with COPY).
func Prepare(entries []Entry) error {
	for i := range entries {
		if err := checkAction(entries[i].Action); err != nil {
			return err
		}
		if entries[i].Detail == nil {
			entries[i].Detail = map[string]any{}
		}
		entries[i].At = entries[i].At.UTC()
	}
	return nil
}

// Insert is the statement Record runs, for a caller that sends it along with other statements
// (the overview's reads audit in the same round trip).
func Insert(db bun.IDB, e Entry) (*bun.InsertQuery, error) {
	if err := checkAction(e.Action); err != nil {
		return nil, err
	}
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	e.At = e.At.UTC()
	return db.NewInsert().Model(&e), nil
}
