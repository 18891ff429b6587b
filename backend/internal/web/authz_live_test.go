package web_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// stream is an open event stream whose text is collected as it arrives.
type stream struct {
	mu     sync.Mutex
	text   strings.Builder
	cancel context.CancelFunc
	done   chan struct{}
}

func (s *stream) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.text.String()
}

func (s *stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.text.Write(p)
}

func (s *stream) close() {
	s.cancel()
	<-s.done
}

// openStream starts who's event stream and waits until the server has sent its first lines, so
// the subscription exists before anything is written.
func openStream(t *testing.T, path string, who *actor) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &stream{cancel: cancel, done: make(chan struct{})}
	req := who.c.NewRequest(t, http.MethodGet, path, nil).WithContext(ctx)
	resp, err := who.c.HTTP.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("%s as %s: %v", path, who, err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		_ = resp.Body.Close()
		t.Fatalf("%s as %s: %d", path, who, resp.StatusCode)
	}
	first := make([]byte, 512)
	n, _ := resp.Body.Read(first)
	_, _ = s.Write(first[:n])
	go func() {
		defer close(s.done)
		defer resp.Body.Close()
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			_, _ = s.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	return s
}

// checkLiveEvents: when agency X writes new cases of A's, A's stream hears of both, R's (acting for
// A with a fullmakt for health) and R2's (the same fullmakt, as themself) only of the health case,
// and B's of neither.
func (row authzRoute) checkLiveEvents(t *testing.T, w *authzWorld) {
	t.Run("live events reach only who may see the object", func(t *testing.T) {
		owner, stranger, rep := openStream(t, row.path, w.a), openStream(t, row.path, w.b), openStream(t, row.path, w.rep)
		repSelf := openStream(t, row.path, w.repSelf)
		defer func() { owner.close(); stranger.close(); rep.close(); repSelf.close() }()
		building := w.liveCase(t, "a-live", "building")
		health := w.liveCase(t, "a-live-health", "health")
		heard(t, owner, "A", building)
		heard(t, owner, "A", health)
		heard(t, rep, "R (acting for A, health only)", health) // R hears of what the fullmakt covers
		heard(t, repSelf, "R2 (as themself, health only for A)", health)
		time.Sleep(300 * time.Millisecond) // the others were sent at the same moment, if at all
		if got := stranger.String(); strings.Contains(got, building) || strings.Contains(got, health) {
			t.Errorf("B's stream carried A's new cases: %q", got)
		}
		holdsNoneOf(t, "R's stream (acting for A, health only)", rep.String(), append([]string{building}, w.scopeMarks...))
		holdsNoneOf(t, "R2's stream (as themself, health only for A)", repSelf.String(), append([]string{building}, w.scopeMarks...))
	})
}

// liveCase has agency X write a new case of A's in area and returns its id.
func (w *authzWorld) liveCase(t *testing.T, ext, area string) string {
	t.Helper()
	var created struct{ ID string }
	w.x.c.Send(t, http.MethodPut, "/api/agency/v1/cases/"+ext, caseRec(w.a.pid, area, "Ny sak Aalesund")).
		Status(t, http.StatusCreated).JSON(t, &created)
	return created.ID
}

// heard waits up to 5 s for the stream to carry id.
func heard(t *testing.T, s *stream, whose, id string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.String(), id) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(s.String(), id) {
		t.Fatalf("%s's stream did not hear of %s within 5 s: %q", whose, id, s.String())
	}
}

func holdsNoneOf(t *testing.T, what, text string, marks []string) {
	t.Helper()
	for _, m := range marks {
		if strings.Contains(text, m) {
			t.Errorf("%s carried %q: %q", what, m, text)
		}
	}
}
