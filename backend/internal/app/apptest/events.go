package apptest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Events is an open GET /api/v1/events whose server-sent events are read in the background.
type Events struct {
	events chan Event
	closed chan struct{} // closed once the server ended the stream; every event it sent is in events by then
}

// Event is one server-sent event: its name ("change", "messages", "end") and its data line.
type Event struct {
	Name string
	Data string
}

// OpenEvents opens the client's event stream; it is cancelled when the test ends.
func (c *Client) OpenEvents(t testing.TB) *Events {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req := c.NewRequest(t, http.MethodGet, "/api/v1/events", nil).WithContext(ctx)
	// The client's own timeout would cut a long stream: same cookies, no timeout.
	res, err := (&http.Client{Jar: c.HTTP.Jar}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		res.Body.Close()
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &Events{events: make(chan Event, 256), closed: make(chan struct{})}
	go func() {
		defer close(s.closed)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev Event
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = strings.TrimPrefix(line, "data: ")
			case line == "" && ev.Name != "":
				s.events <- ev
				ev = Event{}
			}
		}
	}()
	return s
}

// Closed is closed once the server has ended the stream.
func (s *Events) Closed() <-chan struct{} { return s.closed }

// Next waits up to within for the next event, and fails the test if the stream ends first or
// nothing comes.
func (s *Events) Next(t testing.TB, within time.Duration) Event {
	t.Helper()
	ev, err := s.Receive(within)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

var (
	errStreamEnded = errors.New("the stream ended")
	errNoEvent     = errors.New("no event")
)

// Receive is Next without the test: it says what came, or why nothing did. The events the
// server sent before it ended the stream come first: when both are ready a select picks at
// random, so the end is only believed once nothing is left to read.
func (s *Events) Receive(within time.Duration) (Event, error) {
	timeout := time.NewTimer(within)
	defer timeout.Stop()
	select {
	case ev := <-s.events:
		return ev, nil
	case <-s.closed:
		select {
		case ev := <-s.events:
			return ev, nil
		default:
			return Event{}, errStreamEnded
		}
	case <-timeout.C:
		return Event{}, fmt.Errorf("%w within %s", errNoEvent, within)
	}
}

// WaitForChange reads events until a "change" of kind (and of id, unless it is empty) arrives,
// and fails the test if none does within the wait.
func (s *Events) WaitForChange(t testing.TB, kind, id string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ev := s.Next(t, time.Until(deadline))
		var body struct{ Kind, ID string }
		if ev.Name == "change" && json.Unmarshal([]byte(ev.Data), &body) == nil && body.Kind == kind && (id == "" || body.ID == id) {
			return
		}
	}
}
