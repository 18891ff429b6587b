package actions

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"minside/backend/internal/apperr"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
)

type ownedRow struct{ citizen, area string }

// loadOwned answers the same not found for a malformed id (without reading), a missing row, another
// person's row and a row outside a representative's areas; other read errors are wrapped, not hidden.
func TestLoadOwnedHidesWhatTheViewMayNotSee(t *testing.T) {
	me, other := store.NewID(), store.NewID()
	found := func(row ownedRow) func(context.Context, *ownedRow) error {
		return func(_ context.Context, r *ownedRow) error { *r = row; return nil }
	}
	owner := func(r *ownedRow) (string, string) { return r.citizen, r.area }
	ctx := context.Background()
	broken := errors.New("connection reset")
	for _, c := range []struct {
		name     string
		view     For
		id       string
		load     func(context.Context, *ownedRow) error
		notFound bool
	}{
		{"mine", represent.Own(me), store.NewID(), found(ownedRow{me, "culture"}), false},
		{"malformed id", represent.Own(me), "1 OR 1=1", func(context.Context, *ownedRow) error { t.Error("read a malformed id"); return nil }, true},
		{"missing", represent.Own(me), store.NewID(), func(context.Context, *ownedRow) error { return sql.ErrNoRows }, true},
		{"someone else's", represent.Own(me), store.NewID(), found(ownedRow{other, "culture"}), true},
		{"outside the scope", represent.View{SubjectID: me, ActorID: other, Areas: []string{"school"}}, store.NewID(), found(ownedRow{me, "culture"}), true},
		{"within the scope", represent.View{SubjectID: me, ActorID: other, Areas: []string{"culture"}}, store.NewID(), found(ownedRow{me, "culture"}), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			row, err := loadOwned(ctx, c.view, c.id, "row", c.load, owner)
			if c.notFound != apperr.Is(err, apperr.CodeNotFound) || (c.notFound == (row != nil)) {
				t.Fatalf("row %+v, err %v; want not found: %v", row, err, c.notFound)
			}
		})
	}
	_, err := loadOwned(ctx, represent.Own(me), store.NewID(), "row", func(context.Context, *ownedRow) error { return broken }, owner)
	if !errors.Is(err, broken) || apperr.Is(err, apperr.CodeNotFound) {
		t.Fatalf("a failed read: %v", err)
	}
}
