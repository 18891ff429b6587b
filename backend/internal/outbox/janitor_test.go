package outbox

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestJanitorDeletesOnlyWhatExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := db.NewRaw(query, args...).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		old, recent := store.UTC(now.Add(-8*24*time.Hour)), store.UTC(now.Add(-time.Hour))
		for _, row := range []struct {
			status string
			doneAt time.Time
		}{
			{StatusDone, old}, {StatusDone, recent}, {StatusDead, old}, {StatusDead, store.UTC(now.Add(-31 * 24 * time.Hour))},
		} {
			exec("INSERT INTO outbox (topic, payload, status, attempts, available_at, created_at, done_at) VALUES ('job', '{}', ?, 1, ?, ?, ?)",
				row.status, row.doneAt, row.doneAt, row.doneAt)
		}
		enqueue(t, db, "job", 1, old) // pending, however old, stays
		exec("INSERT INTO used_tokens (jti, expires_at) VALUES ('gone', ?), ('live', ?)", store.UTC(now.Add(-time.Second)), store.UTC(now.Add(time.Minute)))
		exec("INSERT INTO login_attempts (state_hash, nonce, verifier, acr, created_at, expires_at) VALUES ('a', 'n', 'v', 'x', ?, ?), ('b', 'n', 'v', 'x', ?, ?)",
			old, store.UTC(now.Add(-time.Minute)), recent, store.UTC(now.Add(time.Minute)))
		exec("INSERT INTO idempotency_keys (scope, key, request_hash, status_code, created_at) VALUES ('s', 'old', 'h', 200, ?), ('s', 'new', 'h', 200, ?)",
			store.UTC(now.Add(-25*time.Hour)), recent)

		exec("INSERT INTO rate_limits (bucket, window_start, count) VALUES ('door:a', ?, 3), ('door:b', ?, 1)",
			store.UTC(now.Add(-49*time.Hour)), recent)
		// The delta feed keeps 30 days (changes.Retention): one row past it, one inside.
		exec("INSERT INTO changes (kind, object_id, op, created_at) VALUES ('tile', 'x', 'upsert', ?), ('tile', 'y', 'upsert', ?)",
			store.UTC(now.Add(-32*24*time.Hour)), recent)

		metrics := NewMetrics(prometheus.NewRegistry())
		j := NewJanitor(db, JanitorOptions{Now: func() time.Time { return now }, Metrics: metrics})
		deleted, err := j.Clean(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"outbox": 2, "used_tokens": 1, "login_attempts": 1, "idempotency_keys": 1, "rate_limits": 1, "changes": 1}
		for table, n := range want {
			if deleted[table] != n {
				t.Errorf("deleted from %s = %d, want %d", table, deleted[table], n)
			}
		}
		for table, n := range map[string]int64{"outbox": 3, "used_tokens": 1, "login_attempts": 1, "idempotency_keys": 1, "rate_limits": 1, "changes": 1} {
			got, err := db.NewSelect().TableExpr(table).Count(ctx)
			if err != nil || int64(got) != n {
				t.Errorf("%s keeps %d rows (%v), want %d", table, got, err, n)
			}
		}
		if err := j.Count(ctx); err != nil {
			t.Fatal(err)
		}
		if got := gauge(t, metrics.messages.WithLabelValues("job", StatusPending)); got != 1 {
			t.Errorf("pending gauge = %v", got)
		}
		if got := gauge(t, metrics.messages.WithLabelValues("job", StatusDead)); got != 1 {
			t.Errorf("dead gauge = %v", got)
		}
		if got, want := gauge(t, metrics.waiting.WithLabelValues("job")), now.Sub(old).Seconds(); got != want {
			t.Errorf("oldest due message waited %v s, want %v", got, want)
		}
	})
}

func gauge(t *testing.T, g prometheus.Gauge) float64 {
	t.Helper()
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}
