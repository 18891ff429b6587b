package web

import (
	"context"

	"github.com/gofiber/fiber/v2"
)

// dbDeadline bounds every request's database work by Config.DBTimeout: the request's context ends
// then, the query in flight is abandoned (and canceled on the server), and the error handler
// answers 503 problem+json (store.Unavailable). Without it a database that hangs holds every
// request, and every connection of the pool, until TCP gives up minutes later.
//
// Exceptions:
//   - the agency bulk route runs for as long as its body takes to read: each of its transactions
//     gets a deadline of its own instead (ingest.Service.WithBatchTimeout);
//   - the live event stream (/api/v1/events) is bounded here only while it starts: the stream
//     itself runs after the handler returned, and checks the session with a deadline per check;
//   - /readyz keeps its own one-second deadline.
func (s *Server) dbDeadline(c *fiber.Ctx) error {
	if c.Path() == agencyBulkPath || s.deps.Config.DBTimeout <= 0 {
		return c.Next()
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), s.deps.Config.DBTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// pastDeadline reports whether the request's database deadline has passed: whatever the driver
// made of it (an interrupted statement, a closed connection), the database did not answer in time.
func pastDeadline(c *fiber.Ctx) bool {
	return c.UserContext().Err() == context.DeadlineExceeded
}
