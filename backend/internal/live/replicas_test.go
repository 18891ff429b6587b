package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/live"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestAgencyWriteOnOneReplicaReachesAStreamOnAnother runs two portals on one PostgreSQL database:
// an agency PUTs a case 200 times through replica A while the citizen's event stream is open on
// replica B. Every change must arrive on B; the latencies (PUT to
// event, split at the PUT's answer, and event to feed) are logged as distributions with -v, or
// printed as table rows with MINSIDE_PRINT_LATENCY=1 (docs/performance.md has the figures; tests
// never assert speed).
func TestAgencyWriteOnOneReplicaReachesAStreamOnAnother(t *testing.T) {
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		return // one SQLite file is one replica; the broker's own tests cover a single portal
	}
	url := storetest.PostgresURL(t)
	shared := apptest.WithConfig(func(c *config.Config) { c.PIDKey = strings.Repeat("b2", 32) }) // replicas share their keys
	a := apptest.Start(t, apptest.WithDatabaseURL(url), shared)
	b := apptest.Start(t, apptest.WithDatabaseURL(url), shared)

	number := apptest.PID(t, 1968, 21)
	citizen := b.LoginAs(t, number)
	citizen.Get(t, "/api/v1/me").Status(t, http.StatusOK)
	_, key, _, err := a.App.Agencies.Create(context.Background(), "byggesak", "Byggesak", "")
	if err != nil {
		t.Fatal(err)
	}
	agency := a.Anonymous(t)
	agency.Header.Set("Authorization", "Bearer "+key.Key)
	put := func(version int) {
		body, _ := json.Marshal(map[string]any{"pid": number, "title": map[string]string{"nb": "Byggesøknad"}, "kind": "building_permit",
			"area": "building", "status": "in_progress", "deepLink": "https://byggesak.example.no/sak/1", "version": version})
		req := agency.NewRequest(t, http.MethodPut, "/api/agency/v1/cases/c1", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if res := agency.Do(t, req); res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
			t.Fatalf("PUT version %d: %d", version, res.StatusCode)
		}
	}

	var overview struct{ Cursor string }
	citizen.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &overview)
	feed := &changesFeed{client: citizen, cursor: overview.Cursor}
	events := citizen.OpenEvents(t)
	<-b.App.Live.Ready()
	// A steady writer: each PUT as soon as the last change reached B.
	const changes = 200
	var total, putOnly, afterPut []time.Duration
	cpuBefore := storetest.SelfCPU()
	version := 0
	for range changes {
		version++
		start := time.Now()
		put(version)
		answered := time.Now()
		events.WaitForChange(t, "case", "", 10*time.Second)
		total = append(total, time.Since(start))
		putOnly = append(putOnly, answered.Sub(start))
		afterPut = append(afterPut, time.Since(answered))
	}
	t.Logf("CPU of both replicas and the client: %s per change", ((storetest.SelfCPU() - cpuBefore) / changes).Round(10*time.Microsecond))

	// Then as the PWA does: read the feed after each event. The feed shows a change as soon as it
	// is committed, whatever other transactions run on the PostgreSQL server (other tests, other
	// databases); on a loaded machine it may still be late: a late change is counted, not failed.
	const feedChanges, feedWait = 50, time.Second
	late := 0
	var inFeed []time.Duration
	for range feedChanges {
		version++
		put(version)
		events.WaitForChange(t, "case", "", 10*time.Second)
		hinted := time.Now()
		if !feed.waitForCase(t, feedWait) {
			late++
		}
		inFeed = append(inFeed, time.Since(hinted))
	}
	if late > 0 {
		t.Logf("%d of %d changes were not in the feed %s after their event ", late, feedChanges, feedWait)
	}
	// The PUT's own time is the writing replica's; what follows its answer is the way to the other
	// replica (commit notified, poll, fan-out, the stream's session check and write). The event is
	// a hint: the client then reads the changes feed, and that read is part of what the citizen
	// waits for.
	for _, l := range []struct {
		what      string
		latencies []time.Duration
	}{
		{"PUT on A → event on B", total}, {"PUT alone", putOnly}, {"PUT answered → event on B", afterPut},
		{"event → change read from the feed on B", inFeed},
	} {
		t.Logf("%s over %d changes: %s", l.what, len(l.latencies), distribution(l.latencies))
		if os.Getenv("MINSIDE_PRINT_LATENCY") != "" {
			fmt.Printf("| %s | %d | %s |\n", l.what, len(l.latencies), distribution(l.latencies))
		}
	}
}

// distribution is "p50 …, p90 …, p99 …, max …" of some latencies.
func distribution(latencies []time.Duration) string {
	s := slices.Sorted(slices.Values(latencies))
	at := func(q int) time.Duration { return s[len(s)*q/100].Round(100 * time.Microsecond) }
	return fmt.Sprintf("p50 %s, p90 %s, p99 %s, max %s", at(50), at(90), at(99), s[len(s)-1].Round(100*time.Microsecond))
}

// changesFeed reads GET /api/v1/changes from a cursor on, as the PWA does after an event.
type changesFeed struct {
	client *apptest.Client
	cursor string
}

// waitForCase reads the feed until a case change arrives, reading again at once while it has
// none; false if none arrived within the wait.
func (f *changesFeed) waitForCase(t *testing.T, within time.Duration) bool {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); {
		var d struct {
			Changes []struct{ Kind string }
			Cursor  string
		}
		f.client.Get(t, "/api/v1/changes?cursor="+f.cursor).Status(t, http.StatusOK).JSON(t, &d)
		f.cursor = d.Cursor
		if slices.ContainsFunc(d.Changes, func(c struct{ Kind string }) bool { return c.Kind == "case" }) {
			return true
		}
	}
	return false
}

// TestACommitWakesTheBrokerBeforeItsNextPoll: on PostgreSQL a commit that adds changes notifies
// every broker, so with a poll interval of an hour the event still arrives.
func TestACommitWakesTheBrokerBeforeItsNextPoll(t *testing.T) {
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		return // SQLite has one process, which polls
	}
	db := storetest.Postgres(t)
	ctx, cancel := context.WithCancel(context.Background())
	b := live.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour)
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	<-b.Ready()
	kari := store.NewID()
	s := b.Subscribe([]string{kari})
	// The listening connection starts beside the first poll: write until a first event shows it is up.
	for warm := time.Now(); ; {
		record(t, db, &kari, "case", store.NewID())
		select {
		case <-s.C:
		case <-time.After(500 * time.Millisecond):
			if time.Since(warm) > 10*time.Second {
				t.Fatal("no event: commits do not wake the broker")
			}
			continue
		}
		break
	}
	for drained := false; !drained; {
		select {
		case <-s.C:
		case <-time.After(300 * time.Millisecond):
			drained = true
		}
	}
	for range 3 {
		id := store.NewID()
		record(t, db, &kari, "case", id)
		select {
		case ev := <-s.C:
			if ev.ID != id {
				t.Fatalf("event %+v, want %s", ev, id)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no event: the commit did not wake the broker")
		}
	}
}
