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
		at := positions(t, db)
		start := changes.Cursor{Issued: now}
		// A row is delivered for good by the answer whose cursor passes it: exactly once, in order.
		// An answer may also carry committed rows its cursor does not pass yet (on PostgreSQL, while
		// other tests' transactions on the same server hold the safe point back): they come again.
		var good []string
		cursor := start
		deadline := time.Now().Add(10 * time.Second)
		for len(good) < len(want) && time.Now().Before(deadline) {
			rows, next, more, err := changes.Since(ctx, db, []string{me}, cursor, 4, now)
			if err != nil {
				t.Fatal(err)
			}
			if more && len(rows) != 4 {
				t.Errorf("more with a short page of %d", len(rows))
			}
			if len(rows) > 4 {
				t.Fatalf("a page of %d rows, limit 4", len(rows))
			}
			for _, r := range rows {
				if pos := at[r.ObjectID]; before(pos, next) {
					good = append(good, r.ObjectID)
				}
			}
			cursor = next
			if !more {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if !slices.Equal(good, want) {
			t.Errorf("feed = %v\nwant %v", good, want)
		}
		parsed, err := changes.ParseCursor(cursor.String())
		if err != nil || parsed.TxID != cursor.TxID || parsed.Seq != cursor.Seq {
			t.Errorf("cursor round trip: %+v → %+v, %v", cursor, parsed, err)
		}
		// A cursor taken now sees nothing of the past: on PostgreSQL at most rows of transactions
		// not older than its safe point, which it has not passed.
		head, err := changes.Head(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		rows, _, _, err := changes.Since(ctx, db, []string{me}, head, 100, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if before(at[r.ObjectID], head) {
				t.Errorf("after head %+v: %s at %+v", head, r.ObjectID, at[r.ObjectID])
			}
		}
	})
}

// positions is where each change row (by object id) stands in the feed's order.
func positions(t *testing.T, db *store.DB) map[string]changes.Cursor {
	t.Helper()
	var rows []struct {
		ObjectID string `bun:"object_id"`
		Seq      int64  `bun:"seq"`
		TxID     uint64 `bun:"txid"`
	}
	txid := "0"
	if db.Kind == store.Postgres {
		txid = "txid::text"
	}
	if err := db.NewRaw(`SELECT object_id, seq, `+txid+` AS txid FROM changes`).Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]changes.Cursor{}
	for _, r := range rows {
		out[r.ObjectID] = changes.Cursor{TxID: r.TxID, Seq: r.Seq}
	}
	return out
}

// before reports whether a row at pos is behind the cursor c (the feed reads after it).
func before(pos, c changes.Cursor) bool {
	return pos.TxID < c.TxID || (pos.TxID == c.TxID && pos.Seq <= c.Seq)
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
// a later one. The feed may send the later one at once, but its cursor must wait for the first, so
// once that commits both come (the later one again).
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
		// The later transaction committed: it comes at once, the earlier one never before its commit.
		if !slices.Equal(ids(rows), []string{second}) {
			t.Fatalf("while an earlier transaction is still open the feed returned %v, want %v", ids(rows), []string{second})
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

// TestSinceAnswersACommittedChangeWhileAnotherTransactionRuns: one long transaction anywhere (a bulk
// ingest, a fan-out) must not hold back a change that already committed for someone else, and the
// cursor must still wait for it, so its rows are not lost when it commits.
func TestSinceAnswersACommittedChangeWhileAnotherTransactionRuns(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Kind != store.Postgres {
			return // one writer: an open write transaction on SQLite holds every other writer back, so nothing commits beside it
		}
		ctx := context.Background()
		now := store.UTC(time.Now())
		me, other := store.NewID(), store.NewID()
		start, err := changes.Head(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := db.BeginTx(ctx, &sql.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = slow.Rollback() }()
		slowRow := store.NewID()
		if err := changes.Record(ctx, slow, &other, "case", slowRow, changes.OpUpsert, now); err != nil {
			t.Fatal(err)
		}
		var slowTx uint64
		if err := slow.NewRaw(`SELECT pg_current_xact_id()::text`).Scan(ctx, &slowTx); err != nil {
			t.Fatal(err)
		}
		mine := store.NewID()
		if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return changes.Record(ctx, tx, &me, "case", mine, changes.OpUpsert, now)
		}); err != nil {
			t.Fatal(err)
		}

		// At once, without waiting for the open transaction.
		rows, cursor, more, err := changes.Since(ctx, db, []string{me}, start, 100, now)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(rows), []string{mine}) || more {
			t.Fatalf("while another transaction runs the feed returned %v (more %v), want %v", ids(rows), more, []string{mine})
		}
		if cursor.TxID > slowTx {
			t.Fatalf("the cursor (txid %d) passed the open transaction (txid %d): its rows would be lost", cursor.TxID, slowTx)
		}
		// Someone who sees both people gets the committed change, not the open one, and a cursor
		// that still waits for it.
		rows, both, _, err := changes.Since(ctx, db, []string{me, other}, start, 100, now)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(rows), []string{mine}) || both.TxID > slowTx {
			t.Fatalf("for both people: %v, cursor txid %d (open transaction %d)", ids(rows), both.TxID, slowTx)
		}
		// Asked again, the change beyond the safe point comes again: nothing is lost, a client
		// upserts it twice.
		rows, _, _, err = changes.Since(ctx, db, []string{me}, cursor, 100, now)
		if err != nil || !slices.Equal(ids(rows), []string{mine}) {
			t.Fatalf("from the cursor: %v, %v; want %v again", ids(rows), err, []string{mine})
		}

		if err := slow.Commit(); err != nil {
			t.Fatal(err)
		}
		// Other tests' transactions on the same server may hold the safe point back for a moment.
		var got []string
		deadline := time.Now().Add(10 * time.Second)
		for !slices.Contains(got, slowRow) && time.Now().Before(deadline) {
			rows, both, _, err = changes.Since(ctx, db, []string{me, other}, both, 100, now)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ids(rows)...)
			time.Sleep(20 * time.Millisecond)
		}
		if !slices.Contains(got, slowRow) {
			t.Errorf("after its commit the open transaction's change never came: got %v", got)
		}
	})
}

// TestSinceBoundsWhatComesBeyondTheSafePointByThePage: committed rows beyond the safe point fill
// what room the rows below it leave, the newest of them (each object with its last change), and
// never make the page longer or say "more"; a page full below the safe point is as it always was.
func TestSinceBoundsWhatComesBeyondTheSafePointByThePage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Kind != store.Postgres {
			return // one writer: nothing commits beside an open transaction
		}
		ctx := context.Background()
		now := store.UTC(time.Now())
		me := store.NewID()
		start, err := changes.Head(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		record := func(db bun.IDB, n int) []string {
			var out []string
			for range n {
				id := store.NewID()
				if err := changes.Record(ctx, db, &me, "case", id, changes.OpUpsert, now); err != nil {
					t.Fatal(err)
				}
				out = append(out, id)
			}
			return out
		}
		below := record(db, 3)
		slow, err := db.BeginTx(ctx, &sql.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = slow.Rollback() }()
		open := record(slow, 1)
		var slowTx uint64
		if err := slow.NewRaw(`SELECT pg_current_xact_id()::text`).Scan(ctx, &slowTx); err != nil {
			t.Fatal(err)
		}
		beyond := record(db, 6)

		for _, limit := range []int{2, 4, 20} {
			rows, cursor, more, err := changes.Since(ctx, db, []string{me}, start, limit, now)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(rows)
			if len(got) > limit || slices.Contains(got, open[0]) {
				t.Fatalf("limit %d: %v (open transaction's row %s)", limit, got, open[0])
			}
			// The rows before the open transaction lead, in order, as far as they are below the safe
			// point (other tests' transactions on the server may hold it lower); then the newest
			// committed rows after it, as many as there is room for.
			k := 0
			for k < len(got) && k < len(below) && got[k] == below[k] {
				k++
			}
			rest := got[k:]
			if more {
				if len(got) != limit || len(rest) > 0 {
					t.Errorf("limit %d: more with %v: a full page below the safe point carries nothing beyond it", limit, got)
				}
				continue
			}
			// Not full below: everything committed is there, as far as the page holds it.
			committed := append(append([]string(nil), below[k:]...), beyond...)
			want := committed[max(0, len(committed)-(limit-k)):]
			if !slices.Equal(rest, want) {
				t.Errorf("limit %d: after %d rows below the safe point got %v, want the newest %v", limit, k, rest, want)
			}
			if len(got) == 0 || got[len(got)-1] != beyond[len(beyond)-1] {
				t.Errorf("limit %d: the newest change is not in %v", limit, got)
			}
			if cursor.TxID > slowTx {
				t.Errorf("limit %d: the cursor (txid %d) passed the open transaction (txid %d)", limit, cursor.TxID, slowTx)
			}
		}
	})
}
