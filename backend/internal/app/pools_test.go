package app_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestOutboxDeliversWhileRequestsHoldEveryConnection: on PostgreSQL background work has a pool of
// its own, so the outbox delivers while citizens' requests hold every connection of theirs (and a
// fan-out never takes the connections requests wait for).
func TestOutboxDeliversWhileRequestsHoldEveryConnection(t *testing.T) {
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		return // SQLite has one handle for both: one file, one writer
	}
	p := apptest.Start(t, allowLoopback, apptest.WithDatabaseURL(apptest.PostgresURL(t)+"&pool_max_conns=2"))
	ctx := context.Background()
	first, err := p.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Close() }()
	second, err := p.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = second.Close() }()
	full, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := p.DB.PingContext(full); err == nil {
		t.Fatal("the request pool handed out a third connection beside the two held")
	}

	got := enqueueWebhook(t, p, first) // written on a held request connection, as a request would
	p.App.Outbox.Notify()
	awaitWebhook(t, got)
}

// TestPoolsAreWatchedInMetrics: each pool's connections and waits are in /metrics under its name;
// SQLite has the one.
func TestPoolsAreWatchedInMetrics(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		body := string(p.Anonymous(t).Get(t, "/metrics").Status(t, http.StatusOK).Body)
		if !strings.Contains(body, `go_sql_wait_count_total{db_name="requests"}`) {
			t.Error("no wait count of the request pool in /metrics")
		}
		background := strings.Contains(body, `go_sql_max_open_connections{db_name="background"}`)
		if want := p.DB.Kind == store.Postgres; background != want {
			t.Errorf("background pool in /metrics: %v, want %v on %s", background, want, p.DB.Kind)
		}
	})
}
