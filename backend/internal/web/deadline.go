package web

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// outsideCallTimeout is added to the deadline of the requests that wait for a system outside the
// portal as well as for the database: the identity provider during login and logout, the lock
// system when a door opens. Each of those calls has this bound of its own (login's HTTP client,
// the door adapter's default), and must not be cut short by the database's.
const outsideCallTimeout = 10 * time.Second

func callsOutside(path string) bool {
	return strings.HasPrefix(path, "/auth/") || strings.HasPrefix(path, "/dev-idp/") ||
		(strings.HasPrefix(path, "/api/v1/keys/") && strings.HasSuffix(path, "/open"))
}

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
//   - login, logout and opening a door also wait for another system: outsideCallTimeout more;
//   - /readyz keeps its own one-second deadline.
func (s *Server) dbDeadline(c *fiber.Ctx) error {
	path := c.Path()
	if path == agencyBulkPath || s.deps.Config.DBTimeout <= 0 {
		return c.Next()
	}
	d := s.deps.Config.DBTimeout
	if callsOutside(path) {
		d += outsideCallTimeout
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), d)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// pastDeadline reports whether the request's database deadline has passed: whatever the driver
// made of it (an interrupted statement, a closed connection), the database did not answer in time.
func pastDeadline(c *fiber.Ctx) bool {
	return c.UserContext().Err() == context.DeadlineExceeded
}
