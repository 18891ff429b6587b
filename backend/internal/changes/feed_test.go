package changes_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/changes"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestSinceReturnsEveryChangeOnceInPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := store.UTC(time.Now())
		me, other := store.NewID(), store.NewID()
		var want []string
		for i := range 25 {
			id := store.NewID()
			who := &me
			switch i % 5 {
			case 3:
				who = &other
			case 4:
				who = nil // a tile: everyone's
			}
			if err := changes.Record(ctx, db, who, "case", id, changes.OpUpsert, now); err != nil {
				t.Fatal(err)
			}
			if i%5 != 3 {
				want = append(want, id)
			}
		}
		start := changes.Cursor{Issued: now}
		var got []string
		cursor := start
		// On PostgreSQL, other tests' open transactions on the same server may hold the horizon back
		// for a moment: the feed then answers less, never out of order.
		deadline := time.Now().Add(10 * time.Second)
		for len(got) < len(want) && time.Now().Before(deadline) {
			rows, next, more, err := changes.Since(ctx, db, []string{me}, cursor, 4, now)
			if err != nil {
				t.Fatal(err)
			}
			if more && len(rows) != 4 {
				t.Errorf("more with a short page of %d", len(rows))
			}
			for _, r := range rows {
				got = append(got, r.ObjectID)
			}
			cursor = next
			if !more {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("feed = %v\nwant %v", got, want)
		}
		parsed, err := changes.ParseCursor(cursor.String())
		if err != nil || parsed.TxID != cursor.TxID || parsed.Seq != cursor.Seq {
			t.Errorf("cursor round trip: %+v → %+v, %v", cursor, parsed, err)
		}
		// A cursor taken now sees nothing of the past.
		head, err := changes.Head(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		rows, _, _, err := changes.Since(ctx, db, []string{me}, head, 100, now)
		if err != nil || len(rows) != 0 {
			t.Errorf("after head: %d rows, %v", len(rows), err)
		}
	})
}

func TestParseCursorRefusesForgeries(t *testing.T) {
	for _, s := range []string{"", "x", "YzEuMS4y", "YzIuMS4yLjM", "YzEuLTEuMi4z"} {
		if _, err := changes.ParseCursor(s); !apperr.Is(err, apperr.CodeInvalid) {
			t.Errorf("%q: %v, want invalid", s, err)
		}
	}
	c := changes.Cursor{TxID: 7, Seq: 9, Issued: time.Unix(1_700_000_000, 0)}
	if !c.Expired(c.Issued.Add(changes.Retention+time.Second)) || c.Expired(c.Issued.Add(changes.Retention-time.Second)) {
		t.Error("retention boundary wrong")
	}
}

func TestPruneBeforeKeepsTheRetentionWindow(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	before := changes.PruneBefore(now)
	if issued := now.Add(-changes.Retention); !before.Before(issued) || (changes.Cursor{Issued: issued}).Expired(now) {
		t.Errorf("prune before %s: a cursor issued at the edge of the window (%s) must still find its changes", before, issued)
	}
	if !(changes.Cursor{Issued: before}).Expired(now) {
		t.Errorf("a cursor older than what is pruned (%s) must be expired", before)
	}
}

// TestSinceNeverSkipsALateCommit: on PostgreSQL a transaction can take a lower seq and commit after
// a later one. The feed must hold the later one back until the first commits, then return both.
func TestSinceNeverSkipsALateCommit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Kind != store.Postgres {
			return // one writer: SQLite's seq order is commit order; TestSinceReturnsEveryChangeOnceInPages covers it
		}
		ctx := context.Background()
		now := store.UTC(time.Now())
		me := store.NewID()
		start, err := changes.Head(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := db.BeginTx(ctx, &sql.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = slow.Rollback() }()
		first, second := store.NewID(), store.NewID()
		if err := changes.Record(ctx, slow, &me, "case", first, changes.OpUpsert, now); err != nil {
			t.Fatal(err)
		}
		if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return changes.Record(ctx, tx, &me, "case", second, changes.OpUpsert, now)
		}); err != nil {
			t.Fatal(err)
		}
		rows, cursor, _, err := changes.Since(ctx, db, []string{me}, start, 100, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 0 {
			t.Fatalf("the feed returned %v while an earlier transaction is still open", ids(rows))
		}
		if err := slow.Commit(); err != nil {
			t.Fatal(err)
		}
		// Other tests' transactions on the same server may hold the horizon back for a moment.
		var got []string
		deadline := time.Now().Add(10 * time.Second)
		for len(got) < 2 && time.Now().Before(deadline) {
			rows, cursor, _, err = changes.Since(ctx, db, []string{me}, cursor, 100, now)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ids(rows)...)
			time.Sleep(20 * time.Millisecond)
		}
		if !slices.Equal(got, []string{first, second}) {
			t.Errorf("after the commit the feed returned %v, want %v", got, []string{first, second})
		}
	})
}

func ids(rows []changes.Change) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ObjectID
	}
	return out
}
