package web

import (
	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/strictjson"
)

// Handlers of the console's rules: list, create, edit, publish, the live check of the
// expressions, the preview of whom a rule reaches, and what became of its suggestions.

func (s *Server) consoleRules(c *fiber.Ctx) error {
	out, err := s.deps.Console.Rules(c.UserContext(), s.editorOf(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rules": out})
}

func (s *Server) consoleCreateRule(c *fiber.Ctx) error {
	r, err := s.deps.Console.CreateRule(c.UserContext(), s.editorOf(c), c.Params("slug"), c.Body())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (s *Server) consoleUpdateRule(c *fiber.Ctx) error {
	r, err := s.deps.Console.UpdateRule(c.UserContext(), s.editorOf(c), c.Params("slug"), c.Params("id"), c.Body())
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// consoleRuleStatus publishes or withdraws a rule; the optional body {"version": n} guards
// against publishing a rule someone else just changed.
func (s *Server) consoleRuleStatus(status string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body struct {
			Version int64 `json:"version"`
		}
		if len(c.Body()) > 0 {
			if err := strictjson.Unmarshal(c.Body(), &body); err != nil {
				return err
			}
		}
		r, err := s.deps.Console.SetRuleStatus(c.UserContext(), s.editorOf(c), c.Params("slug"), c.Params("id"), status, body.Version)
		if err != nil {
			return err
		}
		return c.JSON(r)
	}
}

func (s *Server) consoleCheckRule(c *fiber.Ctx) error {
	problems, err := s.deps.Console.CheckRule(c.UserContext(), s.editorOf(c), c.Params("slug"), c.Body())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"problems": problems})
}

func (s *Server) consolePreviewRule(c *fiber.Ctx) error {
	p, err := s.deps.Console.PreviewRule(c.UserContext(), s.editorOf(c), c.Params("slug"), c.Body())
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) consoleRuleStats(c *fiber.Ctx) error {
	st, err := s.deps.Console.RuleStats(c.UserContext(), s.editorOf(c), c.Params("slug"), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(st)
}
