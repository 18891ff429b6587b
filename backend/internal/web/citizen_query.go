package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"minside/backend/internal/apperr"
	"minside/backend/internal/changes"
	"minside/backend/internal/paging"
)

// The query parameters of the citizen's lists, read the same way by every list: ?limit= is a
// whole number 1..100 (empty: the list's default), ?cursor= is a cursor this server sealed for
// this person and this list, not yet expired. Lists hand the position inside a cursor to their
// service and never see the token; the service's next position goes out sealed again.

// listQuery is the checked ?limit=&cursor= of one list.
type listQuery struct {
	Limit   int    // 0: the list's default
	After   string // the position the cursor carries; "" for the first page
	binding paging.Binding
}

// Names of the lists a cursor can belong to.
const (
	listCases         = "cases"
	listBookings      = "bookings"
	listKeys          = "keys"
	listNotifications = "notifications"
	listTiles         = "tiles"
	listDeliveries    = "deliveries"
	listAccessLog     = "access-log"
	listKeyUses       = "key-uses"
	listChanges       = "changes"
)

// cursorBinding ties a cursor to the person asking, whom they act for, and the list.
func cursorBinding(c *fiber.Ctx, list string) paging.Binding {
	p := principalOf(c)
	return paging.Binding{List: list, Owner: p.CitizenID + "/" + p.SubjectID}
}

func (s *Server) cursors() (*paging.Sealer, error) {
	if s.deps.Cursors == nil {
		return nil, apperr.Unavailable(errors.New("web: cursor sealer not configured"))
	}
	return s.deps.Cursors, nil
}

// parseList reads ?limit= and ?cursor= of list; every problem is a 422 naming the parameter.
func (s *Server) parseList(c *fiber.Ctx, list string) (listQuery, error) {
	q := listQuery{binding: cursorBinding(c, list)}
	var err error
	if q.Limit, err = paging.Limit(c.Query("limit")); err != nil {
		return q, err
	}
	if token := c.Query("cursor"); token != "" {
		sealer, err := s.cursors()
		if err != nil {
			return q, err
		}
		if q.After, err = sealer.Open(q.binding, token, s.deps.Now()); err != nil {
			return q, err
		}
	}
	return q, nil
}

// next seals the position after a page (nil on the last page), usable for paging.ListLifetime.
func (s *Server) next(q listQuery, position string) *string {
	if position == "" || s.deps.Cursors == nil {
		return nil
	}
	sealed := s.deps.Cursors.Seal(q.binding, position, s.deps.Now().Add(paging.ListLifetime))
	return &sealed
}

// parseFeedCursor opens the changes feed's ?cursor=. It lives as long as the feed keeps changes,
// so a phone offline for weeks can still catch up; past that it is the feed's 410 ("start over
// from the overview"), naming the cursor. A missing cursor is left to the feed (422, required).
func (s *Server) parseFeedCursor(c *fiber.Ctx) (string, error) {
	token := c.Query("cursor")
	if token == "" {
		return "", nil
	}
	sealer, err := s.cursors()
	if err != nil {
		return "", err
	}
	position, err := sealer.Open(cursorBinding(c, listChanges), token, s.deps.Now())
	if errors.Is(err, paging.ErrExpired) {
		gone := changes.ErrExpired()
		gone.Fields = []apperr.FieldError{apperr.Field("/cursor", "field.invalid", nil)}
		return "", gone.Wrap(err)
	}
	return position, err
}

// sealFeedCursor seals a position in the changes feed for the asking person.
func (s *Server) sealFeedCursor(c *fiber.Ctx, position string) (string, error) {
	sealer, err := s.cursors()
	if err != nil {
		return "", err
	}
	return sealer.Seal(cursorBinding(c, listChanges), position, s.deps.Now().Add(changes.Retention)), nil
}

// queryFlag reads a yes/no query parameter: 1/true, 0/false or absent (false); anything else is a
// 422 naming it.
func queryFlag(c *fiber.Ctx, name string) (bool, error) {
	switch v := c.Query(name); v {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	default:
		return false, apperr.Invalid(apperr.Field("/"+name, "field.invalid_enum", map[string]any{"Allowed": "1, 0, true, false"}))
	}
}

// queryText copies a free-text query parameter (Fiber reuses its memory after the handler).
func queryText(c *fiber.Ctx, name string) string { return utils.CopyString(c.Query(name)) }
