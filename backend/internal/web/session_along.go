package web

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/overview"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
)

// pathOverview is the one route whose session lookup may travel in the reader's own statement:
// the first screen, asked for on every start of the PWA, in one round trip on PostgreSQL.
const pathOverview = "/api/v1/me/overview"

// alongLookup is a session lookup queued on the reads of the request's reader, and the hint the
// request was admitted on until the lookup's answer is known.
type alongLookup struct {
	reads   *store.Reads
	pending *sessions.PendingLookup
	hint    *sessions.Request
	fresh   *sessions.Request // the lookup's answer, once confirm ran
}

// errHintStale: the lookup that travelled along did not find the session as its hint had it.
var errHintStale = errors.New("web: the session is not as its hint had it")

// lookupAlong queues the lookup of token's session on new reads, if this process has a hint of the
// session to admit the request on meanwhile. Not for a session acting for someone: reading their
// overview writes an audit row, which must not rest on a hint.
func (s *Server) lookupAlong(token string) *alongLookup {
	hint := s.deps.Sessions.Hint(token)
	if hint == nil || hint.Session.ActsFor() != "" {
		return nil
	}
	reads := s.deps.DB.NewReads()
	return &alongLookup{reads: reads, pending: s.deps.Sessions.QueueLookup(reads, token, s.deps.Access), hint: hint}
}

// confirm reads the lookup's answer after the reads ran; errHintStale unless it is the hint's session.
func (a *alongLookup) confirm(ctx context.Context) error {
	fresh, err := a.pending.Finish(ctx)
	if err != nil {
		return err
	}
	a.fresh = fresh
	if !a.hint.Matches(fresh) {
		return errHintStale
	}
	return nil
}

// prepareOverview prepares the overview; for a request admitted on a hint, with the session's
// lookup in the same statement. When that lookup did not find the session as the hint had it, the
// request is admitted again on what it found (or answered 401) and the overview prepared anew.
func (s *Server) prepareOverview(c *fiber.Ctx) (*overview.Prepared, error) {
	along, _ := c.Locals(localAlong).(*alongLookup)
	if along == nil {
		return s.deps.Overview.Prepare(c.UserContext(), s.viewerOf(c))
	}
	c.Locals(localAlong, nil)
	prepared, err := s.deps.Overview.PrepareAlong(c.UserContext(), s.viewerOf(c), overview.Along{Reads: along.reads, Confirm: along.confirm})
	if !errors.Is(err, errHintStale) {
		return prepared, err
	}
	if err := s.admitFound(c, along.fresh); err != nil {
		return nil, err
	}
	return s.deps.Overview.Prepare(c.UserContext(), s.viewerOf(c))
}
