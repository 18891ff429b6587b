package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/uptrace/bun"

	"minside/backend/internal/account"
	"minside/backend/internal/actions"
	"minside/backend/internal/apperr"
	"minside/backend/internal/calendar"
	"minside/backend/internal/idempotency"
	"minside/backend/internal/overview"
	"minside/backend/internal/uploads"
)

// CitizenActions are the services behind the citizen's actions and own-data routes.
// A nil service leaves its routes answering 503.
type CitizenActions struct {
	Actions  *actions.Service
	Calendar *calendar.Service
	Account  *account.Service
}

// idempotent runs an action through the Idempotency-Key machinery: with the header, a replay gets
// the stored answer (marked Idempotency-Replayed: true) and the action happens once; the same key
// with another request is refused with 422. The scope is the logged-in citizen; the request hash
// covers the method, the path, whom the citizen acts for, and the body.
func (s *Server) idempotent(c *fiber.Ctx, fn func(ctx context.Context, tx bun.Tx) (int, any, error)) error {
	return s.idempotentOn(c, c.Body(), fn)
}

// idempotentOn is idempotent with the request's content given in a canonical form: a multipart
// body is framed by a boundary each send chooses anew, so a replay's bytes differ from the
// first send's while what it asks for does not.
func (s *Server) idempotentOn(c *fiber.Ctx, content []byte, fn func(ctx context.Context, tx bun.Tx) (int, any, error)) error {
	p := principalOf(c)
	key := utils.CopyString(c.Get("Idempotency-Key"))
	hash := idempotency.RequestHash(c.Method(), c.Path()+"\x00"+p.SubjectID, content)
	ctx := c.UserContext()
	status, body, replayed, err := idempotency.Do(ctx, s.deps.DB, idempotency.CitizenScope(p.CitizenID), key, hash,
		func(tx bun.Tx) (int, []byte, error) {
			st, v, err := fn(ctx, tx)
			if err != nil {
				return 0, nil, err
			}
			b, err := json.Marshal(v)
			return st, b, err
		})
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotency-Replayed", "true")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(status).Send(body)
}

// formDigest is what a multipart request says, without its framing: a retry of the same form
// carries another boundary, and must still be recognised as the same request. Every multipart
// write (messages, ideas, reports) hashes this, never the raw body.
func formDigest(values map[string][]string, files []uploads.Input) []byte {
	var b bytes.Buffer
	for _, name := range slices.Sorted(maps.Keys(values)) {
		for _, v := range values[name] {
			fmt.Fprintf(&b, "%q=%q\n", name, v)
		}
	}
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		fmt.Fprintf(&b, "file %q %x\n", f.Name, sum)
	}
	return b.Bytes()
}

func (s *Server) actionsService() (*actions.Service, error) {
	if s.deps.Citizen.Actions == nil {
		return nil, apperr.Unavailable(errors.New("web: actions service not configured"))
	}
	return s.deps.Citizen.Actions, nil
}

// cancelBooking answers POST /api/v1/bookings/{id}/cancel with the Booking; cancelling a
// cancelled booking answers it unchanged.
func (s *Server) cancelBooking(c *fiber.Ctx) error {
	svc, err := s.actionsService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	id := utils.CopyString(c.Params("id"))
	lang := languageOf(c)
	return s.idempotent(c, func(ctx context.Context, tx bun.Tx) (int, any, error) {
		b, err := svc.CancelBooking(ctx, tx, p.View(), id, requestIDOf(c), s.deps.Now())
		if err != nil {
			return 0, nil, err
		}
		out, err := overview.PresentBooking(ctx, tx, b, lang, p.ActingAs, s.deps.Now())
		return fiber.StatusOK, out, err
	})
}

// openDoor answers POST /api/v1/keys/{id}/open {accessPointId} with {opened: true, at, useId}.
// Ownership, step-up and the rate limit are checked first, so refused attempts count too; the
// door service then opens and records the attempt in its own transaction, so the
// Idempotency-Key is claimed before it runs (idempotency.DoOutside): one press opens once.
func (s *Server) openDoor(c *fiber.Ctx) error {
	svc, err := s.actionsService()
	if err != nil {
		return err
	}
	var body struct {
		AccessPointID string `json:"accessPointId"`
	}
	if err := json.Unmarshal(c.Body(), &body); err != nil {
		return apperr.BadRequest("error.detail.malformed_json").Wrap(err)
	}
	p := principalOf(c)
	req := actions.OpenRequest{KeyID: utils.CopyString(c.Params("id")), AccessPointID: body.AccessPointID, ACR: p.ACR, RequestID: requestIDOf(c)}
	ctx := c.UserContext()
	if err := svc.CheckOpen(ctx, s.deps.DB, p.View(), req, s.deps.Now()); err != nil {
		if ae, ok := apperr.As(err); ok && ae.Code == apperr.CodeRateLimited {
			if secs, ok := ae.Extra["retryAfter"].(int); ok {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
			}
		}
		return err
	}
	key := utils.CopyString(c.Get("Idempotency-Key"))
	hash := idempotency.RequestHash(c.Method(), c.Path()+"\x00"+p.SubjectID, c.Body())
	status, out, replayed, err := idempotency.DoOutside(ctx, s.deps.DB, idempotency.CitizenScope(p.CitizenID), key, hash,
		func(ctx context.Context) (int, []byte, error) {
			res, err := svc.OpenDoor(ctx, p.View(), req, s.deps.Now())
			if err != nil {
				return 0, nil, err
			}
			b, err := json.Marshal(fiber.Map{"opened": true, "at": res.At, "useId": res.UseID})
			return fiber.StatusOK, b, err
		})
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotency-Replayed", "true")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(status).Send(out)
}

// keyUses answers GET /api/v1/keys/{id}/uses: the key's use log, newest first.
func (s *Server) keyUses(c *fiber.Ctx) error {
	svc, err := s.actionsService()
	if err != nil {
		return err
	}
	keyID := utils.CopyString(c.Params("id"))
	q, err := s.parseList(c, listKeyUses+":"+keyID) // each key's log is a list of its own
	if err != nil {
		return err
	}
	items, next, err := svc.Uses(c.UserContext(), s.deps.DB, principalOf(c).View(), keyID, q.After, q.Limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "nextCursor": s.next(q, next)})
}

// markRead answers POST /api/v1/notifications/{id}/read with {id, readAt}.
func (s *Server) markRead(c *fiber.Ctx) error {
	svc, err := s.actionsService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	id := utils.CopyString(c.Params("id"))
	return s.idempotent(c, func(ctx context.Context, tx bun.Tx) (int, any, error) {
		n, err := svc.MarkRead(ctx, tx, p.View(), id, requestIDOf(c), s.deps.Now())
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusOK, fiber.Map{"id": n.ID, "readAt": n.ReadAt}, nil
	})
}

// markAllRead answers POST /api/v1/notifications/read-all with {marked: n}.
func (s *Server) markAllRead(c *fiber.Ctx) error {
	svc, err := s.actionsService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	return s.idempotent(c, func(ctx context.Context, tx bun.Tx) (int, any, error) {
		n, err := svc.MarkAllRead(ctx, tx, p.View(), requestIDOf(c), s.deps.Now())
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusOK, fiber.Map{"marked": n}, nil
	})
}
