package citizenread_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
	"minside/backend/internal/config"
	"minside/backend/internal/store/storetest"
)

// stream is an open GET /api/v1/events read line by line in the background.
type stream struct {
	events chan sseEvent
	closed chan struct{}
	cancel context.CancelFunc
}

type sseEvent struct {
	name string
	data string
}

func openStream(t *testing.T, c *apptest.Client) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req := c.NewRequest(t, http.MethodGet, "/api/v1/events", nil).WithContext(ctx)
	// The apptest client's timeout would cut a long stream: same cookies, no timeout.
	res, err := (&http.Client{Jar: c.HTTP.Jar}).Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &stream{events: make(chan sseEvent, 64), closed: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(s.closed)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			case line == "" && ev.name != "":
				s.events <- ev
				ev = sseEvent{}
			}
		}
	}()
	t.Cleanup(cancel)
	return s
}

// next waits up to within for an event.
func (s *stream) next(t *testing.T, within time.Duration) sseEvent {
	t.Helper()
	select {
	case ev := <-s.events:
		return ev
	case <-s.closed:
		t.Fatal("the stream ended")
	case <-time.After(within):
		t.Fatalf("no event within %s", within)
	}
	return sseEvent{}
}

func (s *stream) waitFor(t *testing.T, kind, id string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ev := s.next(t, time.Until(deadline))
		var body struct{ Kind, ID string }
		if ev.name == "change" && json.Unmarshal([]byte(ev.data), &body) == nil && body.Kind == kind && body.ID == id {
			return
		}
	}
}

func TestEventsReachAnOpenStreamAndEndWithTheSession(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1985, 10)
		other := loginReader(t, p, 1985, 11)
		ag := p.Agency(t, "plan")
		id := addCase(t, p, ag.ID, r.me.ID, cases.StatusReceived, "Sak")
		s := openStream(t, r.client)
		otherStream := openStream(t, other.client)
		<-p.App.Live.Ready()

		start := time.Now()
		setStatus(t, p, id, r.me.ID, cases.StatusAwaitingCitizen)
		s.waitFor(t, "case", id, time.Second)
		t.Logf("delivered in %s", time.Since(start))
		select {
		case ev := <-otherStream.events:
			t.Errorf("another person's stream got %+v", ev)
		case <-time.After(300 * time.Millisecond):
		}

		// Logout ends the stream at its next event at the latest.
		r.client.Send(t, http.MethodPost, "/auth/logout", nil).Status(t, http.StatusOK)
		setStatus(t, p, id, r.me.ID, cases.StatusInProgress)
		for deadline := time.Now().Add(2 * time.Second); ; { // events sent before the logout may still be queued
			if ev := s.next(t, time.Until(deadline)); ev.name == "end" {
				break
			}
		}
		select {
		case <-s.closed:
		case <-time.After(2 * time.Second):
			t.Error("the stream stayed open after logout")
		}
		// otherStream stays open: the portal's shutdown at cleanup must close it, not wait for it.
	})
}

// TestEventsCrossReplicas runs two portals on one PostgreSQL database: a case opened through
// instance A (its first open writes a change) reaches a stream on instance B within a second.
func TestEventsCrossReplicas(t *testing.T) {
	t.Parallel()
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		return // one SQLite file is one replica; TestEventsReachAnOpenStreamAndEndWithTheSession covers it
	}
	url := storetest.PostgresURL(t)
	// Replicas share their configuration: the same pseudonym and session keys.
	shared := apptest.WithConfig(func(c *config.Config) {
		c.PIDKey = strings.Repeat("a1", 32)
	})
	a := apptest.Start(t, apptest.WithDatabaseURL(url), shared)
	b := apptest.Start(t, apptest.WithDatabaseURL(url), shared)
	onA := loginReader(t, a, 1970, 12)
	onB := b.LoginAs(t, apptest.PID(t, 1970, 12))
	ag := a.Agency(t, "plan")
	id := addCase(t, a, ag.ID, onA.me.ID, cases.StatusReceived, "Sak")
	s := openStream(t, onB)
	<-b.App.Live.Ready()
	start := time.Now()
	onA.client.Get(t, "/api/v1/cases/"+id).Status(t, http.StatusOK) // first open: case_seen + change row, through A
	s.waitFor(t, "case", id, time.Second)
	t.Logf("A → B in %s", time.Since(start))
}
