package ingest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestInTxRunsADeadlockedTransactionAgain makes two transactions take the same two rows in
// opposite orders, each waiting (on PostgreSQL) until the other holds its first row: a certain
// deadlock. PostgreSQL aborts one; inTx must run it again, so both complete, each exactly once.
// On SQLite the second transaction simply waits for the first.
func TestInTxRunsADeadlockedTransactionAgain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, "CREATE TABLE contention_probe (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO contention_probe (id, n) VALUES (1, 0), (2, 0)"); err != nil {
			t.Fatal(err)
		}
		s := NewService(db, nil, true, nil)
		var attempts atomic.Int32
		holding := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
		var once [2]sync.Once
		bump := func(ctx context.Context, tx bun.Tx, id int) error {
			_, err := tx.ExecContext(ctx, "UPDATE contention_probe SET n = n + 1 WHERE id = ?", id)
			return err
		}
		run := func(me, first, second int) error {
			return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
				attempts.Add(1)
				if err := bump(ctx, tx, first); err != nil {
					return err
				}
				if db.Kind == store.Postgres {
					once[me].Do(func() { close(holding[me]) })
					select {
					case <-holding[1-me]:
					case <-time.After(5 * time.Second):
					}
				}
				return bump(ctx, tx, second)
			})
		}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for me, order := range [][2]int{{1, 2}, {2, 1}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[me] = run(me, order[0], order[1])
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("a transaction failed: %v, %v", errs[0], errs[1])
		}
		var counts []int
		if err := db.NewSelect().TableExpr("contention_probe").Column("n").Order("id").Scan(ctx, &counts); err != nil {
			t.Fatal(err)
		}
		if len(counts) != 2 || counts[0] != 2 || counts[1] != 2 {
			t.Fatalf("rows bumped %v times, want [2 2]: a transaction ran twice or not at all", counts)
		}
		// The counts above prove each transaction took effect exactly once. On PostgreSQL the
		// deadlock's loser must have run again: at least three attempts (a loaded machine has
		// shown a fourth, a rerun that was rolled back as well, which the counts show did no harm).
		got := attempts.Load()
		if db.Kind == store.SQLite && got != 2 {
			t.Fatalf("%d attempts on SQLite, want 2 (the second transaction waits)", got)
		}
		if db.Kind == store.Postgres && got < 3 {
			t.Fatalf("%d attempts, want at least 3: the deadlock's loser did not run again", got)
		}
	})
}
