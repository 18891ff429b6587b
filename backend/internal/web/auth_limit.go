package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/ratelimit"
)

// loginRefusedRateLimited is the reason the PWA shows (message login.rate_limited).
const loginRefusedRateLimited = "rate_limited"

// allowLoginStart counts a login start against its client address: Config.LoginLimit a minute.
// The counter lives on the database, so every replica counts together (a per-process limiter
// would multiply the limit by the number of replicas), and it is keyed by a keyed hash of the
// address, so no address is written down. It is counted before the start is written and counts
// refused starts too, so a flood costs one counter update per request, never a login row.
// It reports false after it has answered the browser.
func (s *Server) allowLoginStart(c *fiber.Ctx) (bool, error) {
	if s.deps.AddressPseudonym == nil { // only servers built without login; app.New always sets it
		return true, nil
	}
	bucket := "login:" + s.deps.AddressPseudonym(c.IP())
	ok, retry, err := ratelimit.Allow(c.UserContext(), s.deps.DB, bucket, s.deps.Config.LoginLimit, time.Minute, s.deps.Now())
	if err != nil || ok {
		return ok, err
	}
	secs := int((retry + time.Second - 1) / time.Second)
	// Logged, not audited: a refused start belongs to no citizen, and an audit row per request
	// would hand the flood the write it was refused.
	s.deps.Log.Warn("login refused: too many starts from one client address",
		"request_id", requestIDOf(c), "retry_after_s", secs)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return false, c.Redirect("/?login=failed&reason="+loginRefusedRateLimited, fiber.StatusSeeOther)
}
