package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/overview"
)

// Handlers of the citizen's reads: the overview, lists, case detail, search and the
// changes feed. Each parses, calls one overview.Service method and answers.

func (s *Server) viewerOf(c *fiber.Ctx) overview.Viewer {
	p := principalOf(c)
	v := overview.Viewer{CitizenID: p.CitizenID, SubjectID: p.SubjectID, Lang: languageOf(c), Cleared: s.cleared(p)}
	if p.Known != nil {
		v.Known = &overview.Known{Represents: p.Known.Represents, People: p.Known.People}
	}
	return v
}

// listPage checks ?limit=&cursor= of list for an overview list.
func (s *Server) listPage(c *fiber.Ctx, list string) (listQuery, overview.PageRequest, error) {
	q, err := s.parseList(c, list)
	return q, overview.PageRequest{Cursor: q.After, Limit: q.Limit}, err
}

// answerPage answers a page of an overview list with its next position sealed.
func answerPage[T any](s *Server, c *fiber.Ctx, q listQuery, page overview.Page[T]) error {
	if page.NextCursor != nil {
		page.NextCursor = s.next(q, *page.NextCursor)
	}
	return c.JSON(page)
}

// getOverview answers the first screen. The ETag is computed from a few indexed queries before
// anything is built, so an unchanged overview costs a 304 and no body.
func (s *Server) getOverview(c *fiber.Ctx) error {
	prepared, err := s.prepareOverview(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, prepared.ETag)
	c.Set(fiber.HeaderVary, "Accept-Language, Cookie")
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), prepared.ETag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	o, err := s.deps.Overview.Build(c.UserContext(), prepared)
	if err != nil {
		return err
	}
	if o.Cursor, err = s.sealFeedCursor(c, o.Cursor); err != nil {
		return err
	}
	s.withStepUp(o)
	return c.JSON(o)
}

// etagMatches applies If-None-Match (a list of entity tags, or *), comparing weakly as RFC 9110 asks.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}

func (s *Server) listCases(c *fiber.Ctx) error {
	q, req, err := s.listPage(c, listCases)
	if err != nil {
		return err
	}
	page, err := s.deps.Overview.Cases(c.UserContext(), s.viewerOf(c), c.Query("status"), req)
	if err != nil {
		return err
	}
	return answerPage(s, c, q, page)
}

func (s *Server) getCase(c *fiber.Ctx) error {
	d, err := s.deps.Overview.Case(c.UserContext(), s.viewerOf(c), c.Params("id"), s.deps.CaseSeen)
	if err != nil {
		return err
	}
	s.withSignStepUp(&d, principalOf(c))
	return c.JSON(d)
}

// getErrand answers one errand merged over its cases (overview.ErrandOf).
func (s *Server) getErrand(c *fiber.Ctx) error {
	d, err := s.deps.Overview.ErrandOf(c.UserContext(), s.viewerOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	s.withErrandStepUp(&d)
	return c.JSON(d)
}

func (s *Server) listBookings(c *fiber.Ctx) error {
	q, req, err := s.listPage(c, listBookings)
	if err != nil {
		return err
	}
	page, err := s.deps.Overview.Bookings(c.UserContext(), s.viewerOf(c), c.Query("when"), req)
	if err != nil {
		return err
	}
	return answerPage(s, c, q, page)
}

func (s *Server) listKeys(c *fiber.Ctx) error {
	q, req, err := s.listPage(c, listKeys)
	if err != nil {
		return err
	}
	page, err := s.deps.Overview.Keys(c.UserContext(), s.viewerOf(c), req)
	if err != nil {
		return err
	}
	return answerPage(s, c, q, page)
}

func (s *Server) listNotifications(c *fiber.Ctx) error {
	unread, err := queryFlag(c, "unread")
	if err != nil {
		return err
	}
	q, req, err := s.listPage(c, listNotifications)
	if err != nil {
		return err
	}
	page, err := s.deps.Overview.Notifications(c.UserContext(), s.viewerOf(c), unread, req)
	if err != nil {
		return err
	}
	return answerPage(s, c, q, page)
}

func (s *Server) listTiles(c *fiber.Ctx) error {
	q, req, err := s.listPage(c, listTiles)
	if err != nil {
		return err
	}
	page, err := s.deps.Overview.Tiles(c.UserContext(), s.viewerOf(c), req)
	if err != nil {
		return err
	}
	return answerPage(s, c, q, page)
}

func (s *Server) search(c *fiber.Ctx) error {
	hits, err := s.deps.Overview.Search(c.UserContext(), s.viewerOf(c), queryText(c, "q"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": hits})
}

func (s *Server) changesFeed(c *fiber.Ctx) error {
	after, err := s.parseFeedCursor(c)
	if err != nil {
		return err
	}
	d, err := s.deps.Overview.Changes(c.UserContext(), s.viewerOf(c), after)
	if err != nil {
		return err
	}
	if d.Cursor, err = s.sealFeedCursor(c, d.Cursor); err != nil {
		return err
	}
	return c.JSON(d)
}
