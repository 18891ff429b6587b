package web

import (
	"crypto/rand"
	"encoding/base32"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"minside/backend/internal/config"
	"minside/backend/internal/pid"
)

// Keys of values kept in fiber.Ctx.Locals for the duration of one request.
const (
	localRequestID = "requestID"
	localLanguage  = "lang"
	localAlong     = "along" // a session lookup travelling with the reader's statement (alongLookup)
)

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID tags the request with an id for logs, problem bodies and the audit log. An
// X-Request-ID is taken over only from a proxy listed in MINSIDE_TRUSTED_PROXIES, and only in a
// safe format: anyone else could plant a chosen value (or a national identity number) in the
// audit log.
func (s *Server) requestID(c *fiber.Ctx) error {
	s.ensureRequestID(c)
	return c.Next()
}

func (s *Server) ensureRequestID(c *fiber.Ctx) {
	if _, ok := c.Locals(localRequestID).(string); ok {
		return
	}
	id, ok := s.forwardedRequestID(c)
	if !ok {
		// Base32, not hex: a hex id can hold eleven digits in a row that pass the national-id
		// check, and the log scanner rightly refuses any such run.
		b := make([]byte, 15)
		_, _ = rand.Read(b)
		id = strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	}
	c.Locals(localRequestID, id)
	c.Set(fiber.HeaderXRequestID, id)
}

// forwardedRequestID is the X-Request-ID set by a trusted proxy, copied (the header's bytes are
// reused after the handler), or false.
func (s *Server) forwardedRequestID(c *fiber.Ctx) (string, bool) {
	// IsProxyTrusted says yes to everyone when no proxy is configured: check the list first.
	if len(s.deps.Config.TrustedProxies) == 0 || !c.IsProxyTrusted() {
		return "", false
	}
	id := c.Get(fiber.HeaderXRequestID)
	if !validRequestID.MatchString(id) || pid.HasDigitRun(id) {
		return "", false
	}
	return utils.CopyString(id), true
}

func requestIDOf(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// contentSecurityPolicy allows only our own origin: no inline script or style, no plugins, no
// framing, no <base> tricks. An operator's map tile server (MINSIDE_MAP_TILES_URL) is the one
// other origin, and only as an image source: see contentSecurityPolicyFor.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// contentSecurityPolicyFor is the policy of this deployment: the tile server's origin joins
// img-src when a map is configured, and nothing else changes.
func contentSecurityPolicyFor(cfg config.Config) string {
	origin := cfg.MapTilesOrigin()
	if origin == "" {
		return contentSecurityPolicy
	}
	return strings.Replace(contentSecurityPolicy, "img-src 'self' data:;", "img-src 'self' data: "+origin+";", 1)
}

func (s *Server) secureHeaders(c *fiber.Ctx) error {
	s.setSecurityHeaders(c)
	return c.Next()
}

// permissionsPolicy lets the app's own pages use the camera (a photo of what is reported) and
// the position (where it is), only when the person asks; no frame or other origin gets either.
const permissionsPolicy = "camera=(self), microphone=(), geolocation=(self), payment=()"

func (s *Server) setSecurityHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, s.csp)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set(fiber.HeaderPermissionsPolicy, permissionsPolicy)
	if !s.deps.Config.Dev() {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=63072000; includeSubDomains")
	}
}

// noStore keeps personal API answers out of shared and browser HTTP caches.
func (s *Server) noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// accessLog writes one structured line per request and feeds the metrics. The query string is
// left out: it is the one part of a URL a client might fill with something personal. The path
// is logged with every run of 11 digits masked (a national identity number in a path), and the
// logger itself masks any such run that reaches another line (see logredact).
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	elapsed := time.Since(start)
	status := c.Response().StatusCode()
	method, route := methodLabel(c.Method()), routeOf(c)
	s.metrics.observe(method, route, status, elapsed)
	size := -1 // a streamed body (server-sent events) has no size yet: Body() would read the whole stream
	if !c.Response().IsBodyStream() {
		size = len(c.Response().Body())
	}
	s.deps.Log.Info("request",
		"request_id", requestIDOf(c),
		"method", method,
		"path", pid.MaskDigitRuns(c.Path()), // a new string: c.Path's bytes are reused
		"route", route,
		"status", status,
		"bytes", size,
		"duration_ms", float64(elapsed.Microseconds())/1000,
	)
	return nil
}

// unmatchedRoute labels a request no route pattern matched.
const unmatchedRoute = "unmatched"

// routeOf names the matched route pattern (bounded cardinality for metrics, and no national id
// from a path), never the raw path. Fiber answers an unmatched request with a stand-in route
// that holds the raw path and no handlers.
func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" && len(r.Handlers) > 0 {
		return r.Path // the registered pattern: lives as long as the app, not the request
	}
	return unmatchedRoute
}

// otherMethod labels any method outside the standard set, so a client cannot grow the metrics.
const otherMethod = "other"

// methodLabel maps a request method to a constant from a fixed set: the constant, never the
// request's own bytes, which fasthttp reuses.
func methodLabel(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodOptions:
		return fiber.MethodOptions
	case fiber.MethodConnect:
		return fiber.MethodConnect
	case fiber.MethodTrace:
		return fiber.MethodTrace
	}
	return otherMethod
}

// language picks the reader's language once per request: saved preference (set later by the
// session middleware), else Accept-Language, else nb. A program calling a machine API (agency
// systems, Open311 clients) is read by a developer: without Accept-Language, or with none of
// ours, it gets English; asking for a language still gets that language.
func (s *Server) language(c *fiber.Ctx) error {
	accept := c.Get(fiber.HeaderAcceptLanguage)
	if machineClient(c) {
		// The lowest weight: English only when nothing the client asked for is supported.
		accept = strings.TrimSpace(accept + ",en;q=0.001")
		accept = strings.TrimPrefix(accept, ",")
	}
	c.Locals(localLanguage, s.deps.Translator.Negotiate("", accept))
	return c.Next()
}

// machineAPIs are the path prefixes of the APIs that programs call, not people.
var machineAPIs = []string{"/api/agency/", "/open311/"}

func machineClient(c *fiber.Ctx) bool {
	path := c.Path()
	for _, prefix := range machineAPIs {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// languageOf is the language chosen for this request; before the middleware ran (an error raised
// by the server itself), the default of its kind of client.
func languageOf(c *fiber.Ctx) string {
	if lang, ok := c.Locals(localLanguage).(string); ok && lang != "" {
		return lang
	}
	if machineClient(c) {
		return "en"
	}
	return "nb"
}
