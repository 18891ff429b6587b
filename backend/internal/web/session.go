package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/apperr"
	"minside/backend/internal/config"
	"minside/backend/internal/represent"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
)

// sessionCookie is how the session token travels: __Host-minside (Secure, so a sub-domain or a
// plain-http network path can neither set nor read it), or minside on plain-http localhost in dev.
type sessionCookie struct {
	name   string
	secure bool
	origin string // BaseURL's origin, the only one allowed to send unsafe requests
}

// newSessionCookie derives the cookie from BaseURL and refuses a cookie that would travel in clear
// text anywhere but a dev machine's loopback.
func newSessionCookie(cfg config.Config) (sessionCookie, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Host == "" {
		return sessionCookie{}, fmt.Errorf("web: MINSIDE_BASE_URL %q is not an absolute URL", cfg.BaseURL)
	}
	origin := base.Scheme + "://" + base.Host
	if base.Scheme == "https" {
		return sessionCookie{name: "__Host-minside", secure: true, origin: origin}, nil
	}
	switch base.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		if cfg.Dev() {
			return sessionCookie{name: "minside", origin: origin}, nil
		}
	}
	return sessionCookie{}, errors.New("web: the session cookie must be Secure: MINSIDE_BASE_URL must be https " +
		"(plain http is allowed only for localhost or 127.0.0.1 in dev mode)")
}

func (s *Server) setSessionCookie(c *fiber.Ctx, token string, expires time.Time) {
	c.Cookie(&fiber.Cookie{Name: s.cookie.name, Value: token, Path: "/", Expires: expires,
		HTTPOnly: true, Secure: s.cookie.secure, SameSite: fiber.CookieSameSiteLaxMode})
}

func (s *Server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: s.cookie.name, Value: "", Path: "/", MaxAge: -1,
		Expires: time.Unix(0, 0), HTTPOnly: true, Secure: s.cookie.secure, SameSite: fiber.CookieSameSiteLaxMode})
}

// headerRoundTrips tells, in dev mode only, how many database round trips a citizen request took
// (session included): what the round-trip budget tests read.
const headerRoundTrips = "X-DB-Round-Trips"

// requireCitizen admits requests with a live session: it sets the Principal (checking an act-as
// choice against the relation again, on every request) and the reader's saved language. Without a
// session it answers 401 problem+json. The overview's own request of a session this process has
// seen is admitted from the session's hint instead, with the lookup left to travel in the
// overview's statement (alongLookup).
func (s *Server) requireCitizen(c *fiber.Ctx) error {
	if s.deps.Sessions == nil {
		return apperr.Unauthorized()
	}
	token := c.Cookies(s.cookie.name)
	if token == "" {
		return apperr.Unauthorized()
	}
	if s.deps.Config.Dev() {
		ctx, trips := store.CountRoundTrips(c.UserContext())
		c.SetUserContext(ctx)
		defer func() { c.Set(headerRoundTrips, strconv.FormatInt(trips.Count(), 10)) }()
	}
	if c.Method() == fiber.MethodGet && c.Path() == pathOverview {
		if along := s.lookupAlong(token); along != nil {
			c.Locals(localAlong, along)
			if err := s.admit(c, along.hint); err != nil {
				return err
			}
			return c.Next()
		}
	}
	if err := s.lookupSession(c, token); err != nil {
		return err
	}
	return c.Next()
}

// lookupSession looks the session up on its own and admits the request (admitFound).
func (s *Server) lookupSession(c *fiber.Ctx, token string) error {
	req, err := s.deps.Sessions.LookupRequest(c.UserContext(), s.deps.DB.NewReads(), token, s.deps.Access)
	if err != nil {
		return err
	}
	return s.admitFound(c, req)
}

// admitFound admits the request on what a lookup found, or answers 401 when it found no live session.
func (s *Server) admitFound(c *fiber.Ctx, req *sessions.Request) error {
	if req == nil {
		s.clearSessionCookie(c)
		return apperr.Unauthorized().WithDetail("error.detail.session_expired", nil)
	}
	return s.admit(c, req)
}

// admit sets the request's Principal and saved language from what a session lookup found.
func (s *Server) admit(c *fiber.Ctx, req *sessions.Request) error {
	sess := req.Session
	p := Principal{CitizenID: sess.CitizenID, SubjectID: sess.CitizenID, SessionHash: sess.IDHash,
		ACR: sess.ACR, SharedDevice: sess.SharedDevice, CSRFToken: sess.CSRFToken, SessionStartedAt: sess.CreatedAt, Known: req}
	if subject := sess.ActsFor(); subject != "" {
		view, ok := represent.ViewAmong(req.Represents, sess.CitizenID, subject)
		if ok {
			p.SubjectID, p.ActingAs, p.Areas = view.SubjectID, true, view.Areas
		} else {
			// The relation ended (a child turned 18, a fullmakt ran out): back to one's own data.
			if err := s.deps.Sessions.SetActingAs(c.UserContext(), sess.IDHash, nil); err != nil {
				return err
			}
			s.deps.Log.Info("act-as ended: relation no longer valid", "request_id", requestIDOf(c),
				"citizen_id", sess.CitizenID, "subject_id", subject)
		}
	}
	// Set even without a saved language: a request admitted again (after a stale hint) must not
	// keep the language of the first admission.
	c.Locals(localLanguage, s.deps.Translator.Negotiate(req.Language, c.Get(fiber.HeaderAcceptLanguage)))
	c.Locals(localPrincipal, p)
	return nil
}

// csrf protects unsafe methods of the citizen API: it refuses requests another site started
// (Sec-Fetch-Site, Origin) and requires the session's token in X-CSRF-Token, which a cross-site
// form cannot set. It must run after requireCitizen.
func (s *Server) csrf(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	refuse := func(why string) error {
		s.deps.Log.Info("csrf refused", "request_id", requestIDOf(c), "route", c.Path(), "why", why)
		return apperr.Forbidden().WithDetail("error.detail.csrf", nil)
	}
	switch c.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return refuse("sec-fetch-site")
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && origin != s.cookie.origin {
		return refuse("origin")
	}
	want := principalOf(c).CSRFToken
	got := c.Get("X-CSRF-Token")
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return refuse("token")
	}
	return c.Next()
}
