package web

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/console"
	"minside/backend/internal/strictjson"
)

// Handlers of the agency console: an agency editor writes the agency's tiles and sends
// notices. Every route checks the role for the agency in the path (console.Service.authorize).

func (s *Server) editorOf(c *fiber.Ctx) console.Editor {
	return console.Editor{CitizenID: principalOf(c).CitizenID, RequestID: requestIDOf(c)}
}

func (s *Server) consoleAgencies(c *fiber.Ctx) error {
	out, err := s.deps.Console.Agencies(c.UserContext(), s.editorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"agencies": out})
}

// consoleDistricts lists the districts a tile or notice may target, for the console's picker.
func (s *Server) consoleDistricts(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"districts": s.deps.Console.Districts()})
}

func (s *Server) consoleTiles(c *fiber.Ctx) error {
	out, err := s.deps.Console.Tiles(c.UserContext(), s.editorOf(c), c.Params("slug"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tiles": out})
}

func (s *Server) consoleCreateTile(c *fiber.Ctx) error {
	t, err := s.deps.Console.Create(c.UserContext(), s.editorOf(c), c.Params("slug"), c.Body())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(t)
}

func (s *Server) consoleUpdateTile(c *fiber.Ctx) error {
	t, err := s.deps.Console.Update(c.UserContext(), s.editorOf(c), c.Params("slug"), c.Params("id"), c.Body())
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// consoleTileStatus publishes or withdraws; the optional body {"version": n} guards against
// publishing a tile someone else just changed.
func (s *Server) consoleTileStatus(status string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var body struct {
			Version int64 `json:"version"`
		}
		if len(c.Body()) > 0 {
			if err := strictjson.Unmarshal(c.Body(), &body); err != nil {
				return err
			}
		}
		t, err := s.deps.Console.SetStatus(c.UserContext(), s.editorOf(c), c.Params("slug"), c.Params("id"), status, body.Version)
		if err != nil {
			return err
		}
		return c.JSON(t)
	}
}

func (s *Server) consolePreview(c *fiber.Ctx) error {
	var body struct {
		Tile json.RawMessage `json:"tile"`
		Lang string          `json:"lang"`
	}
	if err := strictjson.Unmarshal(c.Body(), &body); err != nil {
		return err
	}
	if body.Lang == "" {
		body.Lang = languageOf(c)
	}
	p, err := s.deps.Console.Preview(c.UserContext(), s.editorOf(c), c.Params("slug"), body.Tile, body.Lang)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) consoleNotice(c *fiber.Ctx) error {
	res, err := s.deps.Console.Notice(c.UserContext(), s.editorOf(c), c.Params("slug"), c.Body())
	if err != nil {
		return err
	}
	if res.DryRun {
		return c.JSON(fiber.Map{"reach": res.Reach})
	}
	return c.Status(fiber.StatusCreated).JSON(res)
}
