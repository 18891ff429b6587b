package live_test

import (
	"bufio"
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
// an agency PUTs a case 50 times through replica A while the citizen's event stream is open on
// replica B. Every change must arrive on B, in order; the latency from the PUT to the event is
// logged as a distribution (docs/performance.md has the figures; tests never assert speed).
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

	events := openEvents(t, citizen)
	<-b.App.Live.Ready()
	const changes = 50
	var latencies []time.Duration
	for v := 1; v <= changes; v++ {
		start := time.Now()
		put(v)
		events.waitForCase(t, 10*time.Second)
		latencies = append(latencies, time.Since(start))
	}
	slices.Sort(latencies)
	t.Logf("agency PUT on A → event on B over %d changes: p50 %s, p90 %s, p99 %s, max %s", changes,
		latencies[changes/2], latencies[changes*9/10], latencies[changes*99/100], latencies[changes-1])
	if os.Getenv("MINSIDE_PRINT_LATENCY") != "" {
		fmt.Printf("| replica A → B | %d | %s | %s | %s | %s |\n", changes, latencies[changes/2], latencies[changes*9/10],
			latencies[changes*99/100], latencies[changes-1])
	}
}

// eventStream is an open GET /api/v1/events whose "change" events are read in the background.
type eventStream struct {
	changes chan string // the data of each change event
	closed  chan struct{}
}

func openEvents(t *testing.T, c *apptest.Client) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req := c.NewRequest(t, http.MethodGet, "/api/v1/events", nil).WithContext(ctx)
	res, err := (&http.Client{Jar: c.HTTP.Jar}).Do(req) // no client timeout: the stream stays open
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("events: %d", res.StatusCode)
	}
	s := &eventStream{changes: make(chan string, 256), closed: make(chan struct{})}
	go func() {
		defer close(s.closed)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		name := ""
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && name == "change":
				s.changes <- strings.TrimPrefix(line, "data: ")
			case line == "":
				name = ""
			}
		}
	}()
	return s
}

// waitForCase waits for the next change event about a case.
func (s *eventStream) waitForCase(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case data := <-s.changes:
			var ev struct{ Kind string }
			if json.Unmarshal([]byte(data), &ev) == nil && ev.Kind == "case" {
				return
			}
		case <-s.closed:
			t.Fatal("the stream ended")
		case <-deadline:
			t.Fatalf("no case change within %s", within)
		}
	}
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
