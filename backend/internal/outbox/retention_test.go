package outbox_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/keys"
	"minside/backend/internal/notify"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/seed"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

var retentionNow = time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)

// The history every synthetic citizen gets: its 10 feed rows spread over the last 90 days, and per
// history the ages of its rows, one of each past the default retention.
var (
	auditAges    = ages(0, 182, 364, 546, 728, 910, 1092, 1274, 1456, 1638, 1820, 2002) // 5 years: the last goes
	keyUseAges   = ages(0, 120, 240, 400)                                               // 1 year: the last goes
	deliveryAges = ages(0, 30, 89, 91)                                                  // 90 days: the last goes
)

func ages(days ...int) []time.Duration {
	out := make([]time.Duration, len(days))
	for i, d := range days {
		out[i] = time.Duration(d) * 24 * time.Hour
	}
	return out
}

// TestJanitorKeepsEachHistoryForItsRetention runs the janitor over a seeded history, with small
// delete batches, and checks that exactly the rows past each retention went.
func TestJanitorKeepsEachHistoryForItsRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 30
		seedHistory(t, db, n)
		before := rowCounts(t, db)
		// The feed rows of day d are those with seq % 90 == d; days 31 to 89 are past 30 days and an hour.
		var oldFeed int
		if err := db.NewSelect().TableExpr("changes").ColumnExpr("COUNT(*)").Where("seq % 90 >= 31").Scan(ctx, &oldFeed); err != nil {
			t.Fatal(err)
		}
		j := outbox.NewJanitor(db, outbox.JanitorOptions{Now: func() time.Time { return retentionNow }, DeleteBatch: 7})
		deleted, err := j.Clean(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"changes": oldFeed, "audit_log": n, "key_uses": n, "deliveries": n}
		after := rowCounts(t, db)
		for table, w := range want {
			if int(deleted[table]) != w || after[table] != before[table]-w {
				t.Errorf("%s: deleted %d (%d → %d rows), want %d deleted", table, deleted[table], before[table], after[table], w)
			}
		}
		if oldFeed == 0 || oldFeed == before["changes"] {
			t.Fatalf("%d of %d feed rows old: the history is not spread", oldFeed, before["changes"])
		}
		// A second run finds nothing more.
		again, err := j.Clean(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for table := range want {
			if again[table] != 0 {
				t.Errorf("%s: a second run deleted %d", table, again[table])
			}
		}
	})
}

// The retention options are what an operator configures: a shorter audit retention deletes more.
func TestJanitorAuditRetentionIsConfigurable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 5
		seedHistory(t, db, n)
		j := outbox.NewJanitor(db, outbox.JanitorOptions{Now: func() time.Time { return retentionNow }, KeepAudit: 400 * 24 * time.Hour})
		deleted, err := j.Clean(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := n * 9; deleted["audit_log"] != int64(want) { // ages 546 … 2002 days
			t.Errorf("deleted %d audit rows with a 400-day retention, want %d", deleted["audit_log"], want)
		}
	})
}

// BenchmarkJanitorRetention measures a janitor run over a seeded history (MINSIDE_RETENTION_CITIZENS
// citizens, default 1000): rows and bytes of each history before and after, printed as a table.
// On PostgreSQL deleted rows become free space the table reuses (it stops growing rather than
// shrinking on disk); VACUUM FULL shows what the kept rows take.
func BenchmarkJanitorRetention(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("MINSIDE_RETENTION_CITIZENS")); err == nil && v > 0 {
		n = v
	}
	run := func(b *testing.B, db *store.DB) {
		seedHistory(b, db, n)
		rows, bytes := rowCounts(b, db), tableBytes(b, db, "")
		j := outbox.NewJanitor(db, outbox.JanitorOptions{Now: func() time.Time { return retentionNow }})
		var took time.Duration
		for b.Loop() { // the first run deletes; later ones find nothing
			start := time.Now()
			if _, err := j.Clean(context.Background()); err != nil {
				b.Fatal(err)
			}
			if took == 0 {
				took = time.Since(start)
			}
		}
		rowsAfter, reusable, compact := rowCounts(b, db), tableBytes(b, db, ""), tableBytes(b, db, "FULL")
		for _, table := range histories {
			fmt.Printf("| %s | %d | %s | %d → %d | %d → %d (%d after VACUUM FULL) | %s |\n", db.Kind, n, table, rows[table],
				rowsAfter[table], bytes[table], reusable[table], compact[table], took.Round(time.Millisecond))
		}
	}
	b.Run("sqlite", func(b *testing.B) { run(b, storetest.SQLite(b)) })
	if os.Getenv(storetest.PostgresDSNEnv) != "" {
		b.Run("postgres", func(b *testing.B) { run(b, storetest.Postgres(b)) })
	}
}

// seedHistory adds n synthetic citizens and ages their history as the tables above say.
func seedHistory(t testing.TB, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	p, err := pid.NewPseudonymizer([]byte("0123456789abcdef0123456789abcdef-test-key"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.New(db, citizens.NewDirectory(p, true), nil).Citizens(ctx, n, seed.ScaleOptions{}, retentionNow); err != nil {
		t.Fatal(err)
	}
	for d := range 90 {
		at := store.UTC(retentionNow.Add(-time.Duration(d) * 24 * time.Hour))
		if _, err := db.NewUpdate().Model((*changes.Change)(nil)).Set("created_at = ?", at).Where("seq % 90 = ?", d).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var ks []keys.Key
	if err := db.NewSelect().Model(&ks).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	var logs []audit.Entry
	var uses []keys.Use
	var sent []notify.Delivery
	for _, k := range ks {
		for _, age := range auditAges {
			logs = append(logs, audit.Entry{At: store.UTC(retentionNow.Add(-age)), ActorKind: "citizen", ActorID: &k.CitizenID,
				SubjectID: &k.CitizenID, Action: "overview.read", Detail: map[string]any{}})
		}
		for _, age := range keyUseAges {
			uses = append(uses, keys.Use{ID: store.NewID(), KeyID: k.ID, AccessPointID: store.NewID(), CitizenID: k.CitizenID,
				ActorCitizenID: k.CitizenID, Result: "opened", CreatedAt: store.UTC(retentionNow.Add(-age))})
		}
		for _, age := range deliveryAges {
			at := store.UTC(retentionNow.Add(-age))
			sent = append(sent, notify.Delivery{ID: store.NewID(), CitizenID: k.CitizenID, Channel: "push", Category: "cases",
				Title: "Nytt i saken din", State: "delivered", Attempts: 1, CreatedAt: at, UpdatedAt: at})
		}
	}
	insertAll(t, db, logs)
	insertAll(t, db, uses)
	insertAll(t, db, sent)
}

func insertAll[T any](t testing.TB, db *store.DB, all []T) {
	t.Helper()
	for start := 0; start < len(all); start += 2000 {
		part := all[start:min(start+2000, len(all))]
		if _, err := db.NewInsert().Model(&part).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

var histories = []string{"changes", "audit_log", "key_uses", "deliveries"}

func rowCounts(t testing.TB, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range histories {
		n, err := db.NewSelect().TableExpr(table).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out[table] = int(n)
	}
	return out
}

// tableBytes is each history's size with its indexes on PostgreSQL after VACUUM (mode "": deleted
// rows become free space the table reuses) or VACUUM FULL (the table rewritten). Not measured per
// table on SQLite (0).
func tableBytes(t testing.TB, db *store.DB, mode string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	if db.Kind != store.Postgres {
		return out
	}
	ctx := context.Background()
	for _, table := range histories {
		if _, err := db.ExecContext(ctx, "VACUUM "+mode+" "+table); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := db.NewRaw("SELECT pg_total_relation_size(?::regclass)", table).Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}
