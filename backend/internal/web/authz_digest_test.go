package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"minside/backend/internal/store"
)

// A digest is a hash per table of its rows, to prove that a request changed nothing: taken before
// and after, any difference names the tables that changed.
type digest map[string]string

// unsettledTables change without any request doing wrong: the session's last-seen time, the audit
// trail of attempts, counters of rate limits and key use, and the outbox, deliveries and the
// suggestion engine's due days, which the portal's own worker updates in the background at any moment.
var unsettledTables = []string{"sessions", "audit_log", "rate_limits", "login_attempts", "agency_api_keys", "outbox", "deliveries", "suggest_due"}

// unsettledColumns are columns the outbox worker writes while it tries to push to a device.
var unsettledColumns = map[string][]string{"push_subscriptions": {"last_sent_at", "failures"}}

// wholeDigest hashes every table but the unsettled ones: a refused request may change none of them.
func (w *authzWorld) wholeDigest(t *testing.T) digest {
	t.Helper()
	d := digest{}
	for _, table := range w.tables(t, "") {
		if !slices.Contains(unsettledTables, table) {
			d[table] = w.hashRows(t, table, "")
		}
	}
	return d
}

// digestOf hashes what belongs to person c: their row, their relations with anyone but actor,
// and every row of every table with a citizen_id column (sessions included) that is theirs.
// Another person's successful request (B marking all read, B closing B's account) may change none
// of it. A relation between actor and c is the actor's too: closing the actor's account ends it.
func (w *authzWorld) digestOf(t *testing.T, c, actor string) digest {
	t.Helper()
	d := digest{
		"citizens": w.hashRows(t, "citizens", "id = ?", c),
		"relations": w.hashRows(t, "relations", "(representative_id = ? OR subject_id = ?) AND representative_id <> ? AND subject_id <> ?",
			c, c, actor, actor),
	}
	for _, table := range w.tables(t, "citizen_id") {
		if table != "deliveries" && table != "suggest_due" { // the outbox worker writes these in the background
			d[table] = w.hashRows(t, table, "citizen_id = ?", c)
		}
	}
	return d
}

// tables lists the schema's tables, only those with the column when it is given.
func (w *authzWorld) tables(t *testing.T, column string) []string {
	t.Helper()
	db := w.p.DB
	var names []string
	var err error
	switch {
	case db.Kind == store.SQLite && column == "":
		err = db.NewRaw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'bun_%'`).Scan(context.Background(), &names)
	case db.Kind == store.SQLite:
		err = db.NewRaw(`SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = ?`, column).Scan(context.Background(), &names)
	case column == "":
		err = db.NewRaw(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT LIKE 'bun_%'`).Scan(context.Background(), &names)
	default:
		err = db.NewRaw(`SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = ?`, column).Scan(context.Background(), &names)
	}
	if err != nil || len(names) == 0 {
		t.Fatalf("list tables (%q): %v (%d)", column, err, len(names))
	}
	slices.Sort(names)
	return names
}

func (w *authzWorld) hashRows(t *testing.T, table, where string, args ...any) string {
	t.Helper()
	var rows []map[string]any
	q := w.p.DB.NewSelect().TableExpr(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Scan(context.Background(), &rows); err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	lines := make([]string, 0, len(rows))
	for _, row := range rows {
		cols := make([]string, 0, len(row))
		for k, v := range row {
			if slices.Contains(unsettledColumns[table], k) {
				continue
			}
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			cols = append(cols, fmt.Sprintf("%s=%v", k, v))
		}
		slices.Sort(cols)
		lines = append(lines, strings.Join(cols, "\x1f"))
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\x1e")))
	return hex.EncodeToString(sum[:8])
}

// changed names the tables whose rows differ between two digests.
func changed(before, after digest) []string {
	var out []string
	for table, h := range before {
		if after[table] != h {
			out = append(out, table)
		}
	}
	for table := range after {
		if _, ok := before[table]; !ok {
			out = append(out, table)
		}
	}
	slices.Sort(out)
	return out
}
