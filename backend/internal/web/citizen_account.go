package web

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"minside/backend/internal/account"
	"minside/backend/internal/apperr"
)

// The calendar, export, access log and closing concern the logged-in person's own account, never
// someone they act for: they use Principal.CitizenID, not SubjectID.

func (s *Server) calendarService() error {
	if s.deps.Citizen.Calendar == nil {
		return apperr.Unavailable(errors.New("web: calendar service not configured"))
	}
	return nil
}

func (s *Server) accountService() error {
	if s.deps.Citizen.Account == nil {
		return apperr.Unavailable(errors.New("web: account service not configured"))
	}
	return nil
}

// getCalendar answers GET /api/v1/me/calendar with {url: null, active}. Only the token's hash is
// stored, so the secret URL is shown once, by POST; afterwards the app can only say one exists.
func (s *Server) getCalendar(c *fiber.Ctx) error {
	if err := s.calendarService(); err != nil {
		return err
	}
	active, err := s.deps.Citizen.Calendar.Active(c.UserContext(), s.deps.DB, principalOf(c).CitizenID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"url": nil, "active": active})
}

// postCalendar answers POST /api/v1/me/calendar with {url, active: true}: a new secret URL; the
// previous one stops working. It takes no Idempotency-Key on purpose: a stored answer would keep
// the secret in clear text for a day.
func (s *Server) postCalendar(c *fiber.Ctx) error {
	if err := s.calendarService(); err != nil {
		return err
	}
	u, err := s.deps.Citizen.Calendar.Create(c.UserContext(), s.deps.DB, principalOf(c).CitizenID, s.deps.Now())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"url": u, "active": true})
}

// deleteCalendar answers DELETE /api/v1/me/calendar: the URL stops working.
func (s *Server) deleteCalendar(c *fiber.Ctx) error {
	if err := s.calendarService(); err != nil {
		return err
	}
	if err := s.deps.Citizen.Calendar.Revoke(c.UserContext(), s.deps.DB, principalOf(c).CitizenID, s.deps.Now()); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// calendarFeed answers GET /calendar/{token}.ics without a session: the token is the secret. The
// path is redacted before the access log sees it, so the secret never reaches the logs.
func (s *Server) calendarFeed(c *fiber.Ctx) error {
	if err := s.calendarService(); err != nil {
		return err
	}
	file := utils.CopyString(c.Params("file"))
	c.Path("/calendar/{token}.ics")
	token, ok := strings.CutSuffix(file, ".ics")
	if !ok {
		return apperr.NotFound()
	}
	body, err := s.deps.Citizen.Calendar.Feed(c.UserContext(), s.deps.DB, token, s.deps.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	c.Set("Referrer-Policy", "no-referrer")
	return c.Send(body)
}

// exportData answers GET /api/v1/me/export with everything the portal holds about the citizen as
// one JSON document (account.Data, documented in docs/citizen-api.md), audited.
func (s *Server) exportData(c *fiber.Ctx) error {
	if err := s.accountService(); err != nil {
		return err
	}
	data, err := s.deps.Citizen.Account.Export(c.UserContext(), s.deps.DB, principalOf(c).CitizenID, languageOf(c), s.cleared(principalOf(c)), requestIDOf(c), s.deps.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="minside-data.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(data)
}

// exportHTML answers GET /api/v1/me/export.html with the same data as a readable, printable page in
// the reader's language (no ids, no scripts), audited like the JSON.
func (s *Server) exportHTML(c *fiber.Ctx) error {
	if err := s.accountService(); err != nil {
		return err
	}
	data, err := s.deps.Citizen.Account.Export(c.UserContext(), s.deps.DB, principalOf(c).CitizenID, languageOf(c), s.cleared(principalOf(c)), requestIDOf(c), s.deps.Now())
	if err != nil {
		return err
	}
	page, err := s.deps.Citizen.Account.RenderHTML(data)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `inline; filename="minside-data.html"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Content-Security-Policy", account.ExportHTMLPolicy())
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(page)
}

// accessLog answers GET /api/v1/me/access-log?cursor=&limit= with {items, nextCursor}.
func (s *Server) accessLogList(c *fiber.Ctx) error {
	if err := s.accountService(); err != nil {
		return err
	}
	q, err := s.parseList(c, listAccessLog)
	if err != nil {
		return err
	}
	items, next, err := s.deps.Citizen.Account.AccessLog(c.UserContext(), s.deps.DB, principalOf(c).CitizenID, languageOf(c), q.After, q.Limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "nextCursor": s.next(q, next)})
}

// closeAccount answers DELETE /api/v1/me {"confirm": true}: everything the portal holds about the
// citizen is deleted, every session with it, and the browser is told to forget the site. The
// answer says, in the reader's language, that what agencies hold stays with them.
func (s *Server) closeAccount(c *fiber.Ctx) error {
	if err := s.accountService(); err != nil {
		return err
	}
	var body struct {
		Confirm bool `json:"confirm"`
	}
	if len(c.Body()) > 0 {
		if err := json.Unmarshal(c.Body(), &body); err != nil {
			return apperr.BadRequest("error.detail.malformed_json").Wrap(err)
		}
	}
	if !body.Confirm {
		return apperr.Invalid(apperr.Field("/confirm", "field.required", nil)).WithDetail("error.detail.confirm_close_account", nil)
	}
	if err := s.deps.Citizen.Account.Close(c.UserContext(), s.deps.DB, principalOf(c).CitizenID, requestIDOf(c), s.deps.Now()); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	c.Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	lang := languageOf(c)
	return c.JSON(fiber.Map{"closed": true, "messageKey": account.ClosedNoteKey,
		"message": s.deps.Translator.Translate(lang, account.ClosedNoteKey, nil)})
}
