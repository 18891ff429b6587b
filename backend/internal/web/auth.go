package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/auth"
	"minside/backend/internal/auth/login"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
)

// safeReturnTo keeps the post-login redirect on this site: a local path ("/…", never "//…" or
// "/\…", which browsers treat as another host), else "/".
func safeReturnTo(v string) string {
	if len(v) == 0 || len(v) > 512 || v[0] != '/' || strings.HasPrefix(v, "//") || strings.HasPrefix(v, "/\\") {
		return "/"
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	return v
}

// authLogin starts a login at the identity provider: GET /auth/login?returnTo=&shared=1&acr=.
// acr may only raise the configured level (step-up), never lower it.
func (s *Server) authLogin(c *fiber.Ctx) error {
	returnTo := safeReturnTo(c.Query("returnTo"))
	shared := c.Query("shared") == "1"
	acr := s.deps.Config.RequiredACR
	if want := c.Query("acr"); want != "" {
		if !auth.ACRKnown(want) {
			return apperr.Invalid(apperr.Field("/acr", "field.invalid", nil))
		}
		if auth.ACRSatisfies(want, acr) {
			acr = want
		}
	}
	if ok, err := s.allowLoginStep(c, loginStepStart); !ok {
		return err
	}
	target, err := s.deps.Login.Start(c.UserContext(), s.deps.Sessions.LoginAttempt(returnTo, shared), acr)
	if err != nil {
		return err
	}
	u, err := url.Parse(target)
	if err != nil || u.Query().Get("state") == "" {
		return fmt.Errorf("web: authorization URL without state: %w", err)
	}
	s.setLoginCookie(c, u.Query().Get("state"))
	return c.Redirect(target, fiber.StatusFound)
}

// The login cookie binds a started login to the browser that started it: the callback must come
// with the same state in the cookie as in the URL, so nobody can finish their own login in someone
// else's browser (login CSRF). SameSite=Lax still sends it on the provider's top-level redirect.
func (s *Server) loginCookieName() string {
	if s.cookie.secure {
		return "__Secure-minside-login"
	}
	return "minside-login"
}

func (s *Server) setLoginCookie(c *fiber.Ctx, state string) {
	c.Cookie(&fiber.Cookie{Name: s.loginCookieName(), Value: state, Path: "/auth/", MaxAge: 600,
		HTTPOnly: true, Secure: s.cookie.secure, SameSite: fiber.CookieSameSiteLaxMode})
}

func (s *Server) clearLoginCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: s.loginCookieName(), Value: "", Path: "/auth/", MaxAge: -1,
		Expires: time.Unix(0, 0), HTTPOnly: true, Secure: s.cookie.secure, SameSite: fiber.CookieSameSiteLaxMode})
}

// queryValues copies the request's query (Fiber's buffers are reused after the handler).
func queryValues(c *fiber.Ctx) url.Values {
	q := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) { q.Add(string(k), string(v)) })
	return q
}

// authCallback finishes a login: the identity provider sends the browser back here with code and
// state. On success the citizen gets a fresh session (any cookie they came with is ended) and goes
// to where the login started; on failure they go to /?login=failed&reason=… and nothing is kept.
func (s *Server) authCallback(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if ok, err := s.allowLoginStep(c, loginStepFinish); !ok {
		return err
	}
	q := queryValues(c)
	bound := c.Cookies(s.loginCookieName())
	if q.Get("state") == "" || subtle.ConstantTimeCompare([]byte(bound), []byte(q.Get("state"))) != 1 {
		// Not started in this browser: refused without consuming the attempt of the browser that did.
		return s.loginFailed(c, apperr.Unauthorized().WithDetail(login.ReasonStateUnknown, nil))
	}
	s.clearLoginCookie(c)
	attempt := s.deps.Sessions.Callback(q.Get("state"))
	id, err := s.deps.Login.Finish(ctx, attempt, q)
	if err != nil {
		return s.loginFailed(c, err)
	}
	number, err := s.deps.Citizens.Parse(id.PID)
	if err != nil {
		return s.loginFailed(c, apperr.Unauthorized().WithDetail(login.ReasonPID, nil).Wrap(fmt.Errorf("web: pid: %w", err)))
	}
	now := store.UTC(s.deps.Now())
	citizen, err := s.deps.Citizens.Ensure(ctx, s.deps.DB, number, "", now)
	if err != nil {
		return err
	}
	if err := s.deps.Citizens.RecordLogin(ctx, s.deps.DB, citizen, now); err != nil {
		return err
	}
	token, sess, err := s.deps.Sessions.Create(ctx, sessions.Start{CitizenID: citizen.ID, ACR: id.ACR, IdPSID: id.SID,
		SharedDevice: attempt.SharedDevice, UserAgent: c.Get(fiber.HeaderUserAgent)}, c.Cookies(s.cookie.name))
	if err != nil {
		return err
	}
	if err := s.recordAuth(c, s.deps.DB, audit.ActionLogin, citizen.ID, map[string]any{"acr": id.ACR, "sharedDevice": attempt.SharedDevice}); err != nil {
		return err
	}
	expires := sess.AbsoluteExpiresAt
	if sess.SharedDevice {
		expires = time.Time{} // a browser-session cookie: gone when the shared browser closes
	}
	s.setSessionCookie(c, token, expires)
	s.deps.Log.Info("login", "request_id", requestIDOf(c), "citizen_id", citizen.ID, "acr", id.ACR)
	return c.Redirect(attempt.ReturnTo, fiber.StatusSeeOther)
}

// loginFailed audits a refused login (without any pid: none is known or it is not to be kept) and
// sends the browser home with the reason. An unavailable provider is answered as a problem.
func (s *Server) loginFailed(c *fiber.Ctx, err error) error {
	ae, ok := apperr.As(err)
	if !ok || ae.Code != apperr.CodeUnauthorized {
		return err
	}
	reason := strings.TrimPrefix(ae.Detail, "login.")
	if reason == "" {
		reason = "failed"
	}
	s.deps.Log.Info("login refused", "request_id", requestIDOf(c), "reason", ae.Detail)
	if err := s.recordAuth(c, s.deps.DB, audit.ActionLoginFailed, "", map[string]any{"reason": reason}); err != nil {
		return err
	}
	return c.Redirect("/?login=failed&reason="+url.QueryEscape(reason), fiber.StatusSeeOther)
}

// recordAuth writes a login, logout or failed login to the audit log, as the citizen's own action.
func (s *Server) recordAuth(c *fiber.Ctx, db bun.IDB, action, citizenID string, detail map[string]any) error {
	e := audit.Entry{At: s.deps.Now(), ActorKind: audit.ActorCitizen, Action: action, ObjectKind: "session",
		Detail: detail, RequestID: requestIDOf(c)}
	if citizenID != "" {
		e.ActorID, e.SubjectID = &citizenID, &citizenID
	}
	return audit.Record(c.UserContext(), db, e)
}

// endSession ends one portal session and what hangs on it: push devices registered in it.
func (s *Server) endSession(c *fiber.Ctx, idHash, citizenID, via string) error {
	ctx := c.UserContext()
	if err := s.deps.Sessions.Delete(ctx, idHash); err != nil {
		return err
	}
	if _, err := s.deps.DB.NewDelete().TableExpr("push_subscriptions").Where("session_hash = ?", idHash).Exec(ctx); err != nil {
		return fmt.Errorf("web: delete session's push devices: %w", err)
	}
	return s.recordAuth(c, s.deps.DB, audit.ActionLogout, citizenID, map[string]any{"via": via})
}

// authLogout ends the session here and answers where to end it at the identity provider.
func (s *Server) authLogout(c *fiber.Ctx) error {
	p := principalOf(c)
	if err := s.endSession(c, p.SessionHash, p.CitizenID, "user"); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	c.Set("Clear-Site-Data", `"cache", "storage"`)
	endURL, err := s.deps.Login.EndSessionURL(c.UserContext(), s.postLogoutURL(), randomState())
	if err != nil {
		// The portal session is over; the provider's session will time out on its own.
		s.deps.Log.Warn("end-session URL unavailable", "request_id", requestIDOf(c), "err", err)
		endURL = "/"
	}
	return c.JSON(fiber.Map{"endSessionUrl": endURL})
}

// postLogoutURL is where the identity provider sends the browser after logout; it must be
// registered with the provider.
func (s *Server) postLogoutURL() string { return strings.TrimRight(s.deps.Config.BaseURL, "/") + "/" }

// authFrontchannelLogout ends the sessions of one provider session (OpenID Connect Front-Channel
// Logout: the provider loads this in an iframe with iss and sid). The page must be frameable by the
// provider, so this route alone relaxes frame-ancestors.
func (s *Server) authFrontchannelLogout(c *fiber.Ctx) error {
	sid, err := s.deps.Login.FrontchannelLogout(queryValues(c))
	if err != nil {
		return err
	}
	ended, err := s.deps.Sessions.DeleteByIdPSID(c.UserContext(), sid)
	if err != nil {
		return err
	}
	for _, sess := range ended {
		if err := s.endSession(c, sess.IDHash, sess.CitizenID, "frontchannel"); err != nil {
			return err
		}
	}
	c.Set(fiber.HeaderContentSecurityPolicy, strings.Replace(s.csp,
		"frame-ancestors 'none'", "frame-ancestors 'self' "+s.idpOrigin(), 1))
	c.Response().Header.Del(fiber.HeaderXFrameOptions)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	return c.SendString("<!doctype html><html lang=\"nb\"><title>Logget ut</title></html>")
}

// idpOrigin is the identity provider's origin, the one allowed to frame front-channel logout.
func (s *Server) idpOrigin() string {
	u, err := url.Parse(s.deps.Config.OIDCIssuer)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func randomState() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
