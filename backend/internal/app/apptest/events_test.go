package apptest

import (
	"errors"
	"testing"
	"time"
)

// An event the server sent just before it ended the stream is read, not lost to the end: the
// logout test flaked when both were ready by the time the test looked.
func TestAStreamThatEndedStillGivesWhatItSentFirst(t *testing.T) {
	for range 100 {
		s := &Events{events: make(chan Event, 1), closed: make(chan struct{})}
		s.events <- Event{Name: "end", Data: "{}"}
		close(s.closed)
		ev, err := s.Receive(time.Second)
		if err != nil || ev.Name != "end" {
			t.Fatalf("receive = %+v, %v; want the end event", ev, err)
		}
		if _, err := s.Receive(time.Second); !errors.Is(err, errStreamEnded) {
			t.Fatalf("then receive = %v, want %v", err, errStreamEnded)
		}
	}
}

func TestAQuietStreamTimesOut(t *testing.T) {
	s := &Events{events: make(chan Event), closed: make(chan struct{})}
	if _, err := s.Receive(10 * time.Millisecond); !errors.Is(err, errNoEvent) {
		t.Fatalf("receive = %v, want %v", err, errNoEvent)
	}
}
