package outbox_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/changes"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// On PostgreSQL the histories are found by age through BRIN indexes, and a BRIN index knows
// nothing of the block ranges written since it was last summarized: a query for old rows reads
// every such range. Summarizing is VACUUM's work, so where autovacuum is off or behind (after a
// bulk load, or on a database run with autovacuum off) the janitor's minute-by-minute delete read
// the whole change feed: 1.1 s of PostgreSQL CPU a minute per replica at 700,000 citizens (7.7 M
// rows), deleting nothing. The janitor summarizes the new ranges itself before it deletes, so each
// run reads only what was written since the last.
func TestJanitorLeavesNoHistoryRangeUnsummarized(t *testing.T) {
	t.Parallel()
	db := storetest.Postgres(t)
	ctx := context.Background()
	// Enough rows for several block ranges (128 pages each by default), all younger than retention.
	if _, err := db.ExecContext(ctx, `INSERT INTO changes (kind, object_id, op, created_at)
SELECT 'case', g::text, 'put', ? FROM generate_series(1, 60000) g`, retentionNow); err != nil {
		t.Fatal(err)
	}
	j := outbox.NewJanitor(db, outbox.JanitorOptions{Now: func() time.Time { return retentionNow }})
	deleted, err := j.Clean(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if deleted["changes"] != 0 {
		t.Fatalf("deleted %d changes younger than retention", deleted["changes"])
	}
	for _, index := range []string{"changes_created_brin", "audit_log_at_brin", "key_uses_created_brin", "deliveries_created_brin"} {
		var left int
		if err := db.NewRaw("SELECT brin_summarize_new_values(?::regclass)", index).Scan(ctx, &left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Errorf("%s: %d block ranges were left unsummarized by the janitor", index, left)
		}
	}
}

// Summarizing a BRIN index takes the table's owner. A portal whose role only reads and writes the
// tables (the owner ran the migrations) still deletes what is past retention, and says in the log
// why it reads more than it would.
func TestJanitorDeletesWhenItMayNotSummarize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ownerURL := storetest.PostgresURL(t)
	owner, err := store.Open(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = owner.Close() })
	if err := owner.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	schema, role := u.Query().Get("search_path"), "janitor_"+strconv.FormatInt(time.Now().UnixNano(), 36)
	for _, stmt := range []string{
		"CREATE ROLE " + role + " LOGIN",
		"GRANT USAGE ON SCHEMA " + schema + " TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role,
	} {
		if _, err := owner.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, stmt := range []string{"DROP OWNED BY " + role, "DROP ROLE " + role} {
			if _, err := owner.ExecContext(context.Background(), stmt); err != nil {
				t.Error(err)
			}
		}
	})
	old := retentionNow.Add(-changes.Retention - 48*time.Hour)
	if _, err := owner.ExecContext(ctx, `INSERT INTO changes (kind, object_id, op, created_at)
SELECT 'case', g::text, 'put', ? FROM generate_series(1, 25) g`, old); err != nil {
		t.Fatal(err)
	}

	u.User = url.User(role)
	db, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	var log bytes.Buffer
	j := outbox.NewJanitor(db, outbox.JanitorOptions{Now: func() time.Time { return retentionNow }, Log: slog.New(slog.NewTextHandler(&log, nil))})
	deleted, err := j.Clean(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if deleted["changes"] != 25 {
		t.Errorf("deleted %d old changes, want 25", deleted["changes"])
	}
	if !strings.Contains(log.String(), "changes_created_brin") {
		t.Errorf("the log does not say the index could not be summarized: %s", log.String())
	}
	// The next minute it neither asks again nor says it again.
	said := log.Len()
	if _, err := j.Clean(ctx); err != nil {
		t.Fatal(err)
	}
	if again := log.String()[said:]; strings.Contains(again, "summarize") {
		t.Errorf("the refusal was logged again: %s", again)
	}
}
