package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"minside/backend/internal/live"
)

// eventsHeartbeat keeps proxies and the browser from closing a quiet stream, and is when the
// session is checked again (it is also checked before each event).
const eventsHeartbeat = 20 * time.Second

// events streams "change" events ({kind, id}) for the viewer's people and tiles, and "messages"
// events when the UI messages changed (a translator published). It ends when the
// session ends (logout, expiry, checked at every event and heartbeat), when the client goes away
// (a write fails), and when the server shuts down (the broker closes every subscription). The
// *fiber.Ctx never reaches the stream goroutine: what it needs is copied first.
func (s *Server) events(c *fiber.Ctx) error {
	viewer := s.viewerOf(c)
	people, err := s.deps.Overview.Audience(c.UserContext(), viewer)
	if err != nil {
		return err
	}
	// The viewer's own objects are theirs to hear of; those of someone they act for are told only
	// when the relation lets them see the object (a scoped fullmakt hides the rest).
	hinted := func(ev live.Event) bool {
		if ev.CitizenID == viewer.CitizenID && viewer.SubjectID == viewer.CitizenID {
			return true
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		ok, err := s.deps.Overview.Hinted(ctx, viewer, ev.CitizenID, ev.Kind, ev.ID)
		return ok && err == nil // in doubt, say nothing: the next fetch of the feed has it all
	}
	token := utils.CopyString(c.Cookies(s.cookie.name))
	sessions, broker, log := s.deps.Sessions, s.deps.Live, s.deps.Log
	requestID := requestIDOf(c)
	// The server's WriteTimeout is set once per response: a stream would die after it. Each write
	// of the stream pushes the connection's deadline on instead (the conn is safe to use from the
	// stream goroutine; the Ctx is not).
	conn := c.Context().Conn()
	extend := func() { _ = conn.SetWriteDeadline(time.Now().Add(2 * eventsHeartbeat)) }
	sub := broker.Subscribe(people)

	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no") // tell a buffering reverse proxy to pass events through at once
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer broker.Cancel(sub)
		alive := func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			sess, err := sessions.Lookup(ctx, token)
			if err != nil {
				return true // the database is away: keep the stream, check again later
			}
			return sess != nil
		}
		end := func() {
			_, _ = fmt.Fprint(w, "event: end\ndata: {}\n\n")
			_ = w.Flush()
		}
		extend()
		if _, err := fmt.Fprint(w, "retry: 3000\n: open\n\n"); err != nil || w.Flush() != nil {
			return
		}
		heartbeat := time.NewTicker(eventsHeartbeat)
		defer heartbeat.Stop()
		for {
			select {
			case ev, open := <-sub.C:
				if !open { // server shutting down
					return
				}
				if !alive() {
					end()
					return
				}
				if !hinted(ev) {
					continue
				}
				extend()
				if err := writeEvent(w, ev); err != nil {
					log.Debug("events: client gone", "request_id", requestID)
					return
				}
			case <-heartbeat.C:
				if !alive() {
					end()
					return
				}
				extend()
				if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil || w.Flush() != nil {
					return
				}
			}
		}
	})
	return nil
}

func writeEvent(w *bufio.Writer, ev live.Event) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	// UI messages are not data of the overview: their own event name keeps them out of the
	// client's changes-feed handler.
	name := "change"
	if ev.Kind == live.KindMessages {
		name = live.KindMessages
	}
	if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data); err != nil {
		return err
	}
	return w.Flush()
}
