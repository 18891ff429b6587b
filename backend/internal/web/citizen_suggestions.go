package web

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/uptrace/bun"

	"minside/backend/internal/actions"
	"minside/backend/internal/apperr"
)

// listSuggestions answers GET /api/v1/me/suggestions with {items}: every visible suggestion, newest first.
func (s *Server) listSuggestions(c *fiber.Ctx) error {
	items, err := s.deps.Overview.Suggestions(c.UserContext(), s.viewerOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

// chooseSuggestion answers POST /api/v1/me/suggestions/{id}/{dismiss|snooze|done|act} with the
// suggestion's new state (and, after act, the link to open).
func (s *Server) chooseSuggestion(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		svc, err := s.actionsService()
		if err != nil {
			return err
		}
		choice, err := decodeChoice(kind, c.Body())
		if err != nil {
			return err
		}
		p := principalOf(c)
		id := utils.CopyString(c.Params("id"))
		return s.idempotent(c, func(ctx context.Context, tx bun.Tx) (int, any, error) {
			out, err := svc.ChooseSuggestion(ctx, tx, p.View(), id, choice, requestIDOf(c), s.deps.Now())
			return fiber.StatusOK, out, err
		})
	}
}

// decodeChoice reads a choice's body: {reason?} for dismiss, {until} for snooze (an RFC 3339 time
// or a date, which means its start in Oslo), nothing (or {}) for done and act.
func decodeChoice(kind string, body []byte) (actions.Choice, error) {
	choice := actions.Choice{Kind: kind}
	var known []string
	switch kind {
	case actions.ChoiceDismiss:
		known = []string{"reason"}
	case actions.ChoiceSnooze:
		known = []string{"until"}
	}
	members := map[string]json.RawMessage{}
	if len(body) > 0 {
		var err error
		if members, err = objectMembers(body, known...); err != nil {
			return choice, err
		}
	}
	if raw, ok := members["reason"]; ok {
		if err := json.Unmarshal(raw, &choice.Reason); err != nil {
			return choice, apperr.Invalid(apperr.Field("/reason", "field.invalid", nil)).Wrap(err)
		}
	}
	if raw, ok := members["until"]; ok {
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return choice, apperr.Invalid(apperr.Field("/until", "field.invalid_time", nil)).Wrap(err)
		}
		until, err := parseUntil(text)
		if err != nil {
			return choice, apperr.Invalid(apperr.Field("/until", "field.invalid_time", nil)).Wrap(err)
		}
		choice.Until = &until
	}
	return choice, nil
}

func parseUntil(text string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, text); err == nil {
		return t, nil
	}
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		return time.Time{}, err
	}
	return time.ParseInLocation(time.DateOnly, text, oslo)
}

// suggestionsShown answers POST /api/v1/me/suggestions/shown {ids} with {marked}: the PWA reports
// in one call which suggestions it showed, apart from the overview's read.
func (s *Server) suggestionsShown(c *fiber.Ctx) error {
	svc, err := s.actionsService()
	if err != nil {
		return err
	}
	members, err := objectMembers(c.Body(), "ids")
	if err != nil {
		return err
	}
	var ids []string
	if raw, ok := members["ids"]; ok {
		if err := json.Unmarshal(raw, &ids); err != nil {
			return apperr.Invalid(apperr.Field("/ids", "field.invalid", nil)).Wrap(err)
		}
	}
	p := principalOf(c)
	return s.idempotent(c, func(ctx context.Context, tx bun.Tx) (int, any, error) {
		n, err := svc.MarkSuggestionsShown(ctx, tx, p.View(), ids, s.deps.Now())
		return fiber.StatusOK, fiber.Map{"marked": n}, err
	})
}
