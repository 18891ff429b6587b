package web

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/apperr"
)

// The translator console's API. Only people with the translator role for a language
// may read or change it; the caller is always the logged-in person, never someone acted for.

// translatorFor checks the caller may translate lang and returns their permitted languages.
// An unknown language is 404 before any permission question, so the answer does not depend on roles.
func (s *Server) translatorFor(c *fiber.Ctx, lang string) ([]string, error) {
	langs, err := s.deps.Translate.Permitted(c.UserContext(), principalOf(c).CitizenID)
	if err != nil {
		return nil, err
	}
	if lang != "" {
		if !s.deps.Catalog.Has(lang) {
			return nil, apperr.NotFound()
		}
		for _, l := range langs {
			if l == lang {
				return langs, nil
			}
		}
		return nil, apperr.Forbidden()
	}
	if len(langs) == 0 {
		return nil, apperr.Forbidden()
	}
	return langs, nil
}

func (s *Server) translateLanguages(c *fiber.Ctx) error {
	langs, err := s.translatorFor(c, "")
	if err != nil {
		return err
	}
	progress, err := s.deps.Translate.Languages(c.UserContext(), langs)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"permitted": langs, "languages": progress})
}

func (s *Server) translateMessages(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if _, err := s.translatorFor(c, lang); err != nil {
		return err
	}
	msgs, err := s.deps.Translate.Messages(c.UserContext(), lang, c.Query("filter"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"lang": lang, "messages": msgs})
}

func (s *Server) translatePublish(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if _, err := s.translatorFor(c, lang); err != nil {
		return err
	}
	members, err := objectMembers(c.Body(), "forms", "needsReview")
	if err != nil {
		return err
	}
	var body struct {
		Forms       map[string]string `json:"forms"`
		NeedsReview bool              `json:"needsReview"`
	}
	if err := json.Unmarshal(members["forms"], &body.Forms); members["forms"] != nil && err != nil {
		return apperr.Invalid(apperr.Field("/forms", "field.invalid", nil)).Wrap(err)
	}
	if err := json.Unmarshal(members["needsReview"], &body.NeedsReview); members["needsReview"] != nil && err != nil {
		return apperr.Invalid(apperr.Field("/needsReview", "field.invalid", nil)).Wrap(err)
	}
	if len(body.Forms) == 0 {
		return apperr.Invalid(apperr.Field("/forms", "field.required", nil))
	}
	v, err := s.deps.Translate.Publish(c.UserContext(), lang, c.Params("id"), body.Forms, body.NeedsReview, principalOf(c).CitizenID)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *Server) translateExport(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if _, err := s.translatorFor(c, lang); err != nil {
		return err
	}
	file, err := s.deps.Translate.Export(c.UserContext(), lang)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/toml; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+lang+`.toml"`)
	return c.Send(file)
}

type changeJSON struct {
	ID        int64             `json:"id"`
	MessageID string            `json:"messageId"`
	OldForms  map[string]string `json:"oldForms"`
	NewForms  map[string]string `json:"newForms"`
	ChangedBy string            `json:"changedBy"` // the translator's name
	ChangedAt time.Time         `json:"changedAt"`
}

func (s *Server) translateHistory(c *fiber.Ctx) error {
	lang := c.Params("lang")
	if _, err := s.translatorFor(c, lang); err != nil {
		return err
	}
	changes, err := s.deps.Translate.History(c.UserContext(), lang)
	if err != nil {
		return err
	}
	out := make([]changeJSON, len(changes))
	for i, ch := range changes {
		out[i] = changeJSON{ID: ch.ID, MessageID: ch.MessageID, OldForms: ch.OldForms, NewForms: ch.NewForms, ChangedBy: ch.ChangedByName, ChangedAt: ch.ChangedAt}
	}
	return c.JSON(fiber.Map{"lang": lang, "changes": out})
}
