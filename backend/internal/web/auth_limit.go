package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/ratelimit"
)

// loginRefusedRateLimited is the reason the PWA shows (message login.rate_limited).
const loginRefusedRateLimited = "rate_limited"

// The two steps of a login that anyone may call, each counted on its own.
const (
	loginStepStart  = "login"        // GET /auth/login writes a started login
	loginStepFinish = "login-finish" // GET /auth/callback audits every refusal
)

// allowLoginStep counts one call of a login step against its client address: Config.LoginLimit
// a minute per step. Both steps write to the database before anyone has proven anything (a
// started login; the audit row of a refused callback), so they are where a flood would land.
// The counter lives on the database, so every replica counts together (a per-process limiter
// would multiply the limit by the number of replicas), and it is keyed by a keyed hash of the
// address, so no address is written down. Refused calls count too and write nothing else, so a
// flood costs one counter update per request. It reports false after it has answered the browser.
func (s *Server) allowLoginStep(c *fiber.Ctx, step string) (bool, error) {
	if s.deps.AddressPseudonym == nil { // only servers built without login; app.New always sets it
		return true, nil
	}
	bucket := step + ":" + s.deps.AddressPseudonym(c.IP())
	ok, retry, err := ratelimit.Allow(c.UserContext(), s.deps.DB, bucket, s.deps.Config.LoginLimit, time.Minute, s.deps.Now())
	if err != nil || ok {
		return ok, err
	}
	secs := int((retry + time.Second - 1) / time.Second)
	// Logged, not audited: a refused start belongs to no citizen, and an audit row per request
	// would hand the flood the write it was refused.
	s.deps.Log.Warn("login refused: too many calls from one client address",
		"request_id", requestIDOf(c), "step", step, "retry_after_s", secs)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return false, c.Redirect("/?login=failed&reason="+loginRefusedRateLimited, fiber.StatusSeeOther)
}
