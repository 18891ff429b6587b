package web

import (
	"mime"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"minside/backend/internal/apperr"
	"minside/backend/internal/ingest"
)

// agencyRoutes registers the agency API. The OpenAPI document is public; everything else needs a key.
func (s *Server) agencyRoutes(api fiber.Router) {
	g := api.Group("/agency/v1")
	g.Get("/openapi.json", s.agencyOpenAPI)
	if s.deps.Agencies == nil || s.deps.Records == nil {
		return
	}
	authed := g.Group("", s.agencyAuth)
	authed.Post("/bulk", s.agencyBulk)
	if s.deps.Webhooks != nil {
		authed.Post("/webhook/ping", s.agencyWebhookPing)
	}
	if s.deps.Messages != nil {
		authed.Put("/messages/:externalId", s.agencyPutMessage)
		authed.Get("/messages/:externalId", s.agencyGetMessage)
	}
	if s.deps.Ideas != nil { // the moderator of ideas: an agency with the ideas authority
		authed.Get("/ideas", s.agencyListIdeas)
		authed.Get("/ideas/:id", s.agencyGetIdea)
		authed.Get("/ideas/:id/photo", s.agencyIdeaPhoto)
		authed.Put("/ideas/:id/status", s.agencyIdeaStatus)
		authed.Put("/ideas/:id/hidden", s.agencyIdeaHidden)
	}
	if s.deps.Reports != nil {
		authed.Get("/reports", s.agencyReports)
		authed.Put("/reports/:id/status", s.agencyReportStatus)
	}
	authed.Get("/:kind", s.agencyList)
	authed.Put("/:kind/:externalId", s.agencyPut)
	authed.Get("/:kind/:externalId", s.agencyGet)
	authed.Delete("/:kind/:externalId", s.agencyDelete)
}

// recordPath reads the kind and external id from the path; an unknown kind is an unknown path.
func recordPath(c *fiber.Ctx) (ingest.Kind, string, error) {
	kind, ok := ingest.ParseKind(c.Params("kind"))
	if !ok {
		return "", "", apperr.NotFound()
	}
	return kind, utils.CopyString(c.Params("externalId")), nil
}

func (s *Server) agencyPut(c *fiber.Ctx) error {
	kind, id, err := recordPath(c)
	if err != nil {
		return err
	}
	if err := requireMediaType(c, "application/json"); err != nil {
		return err
	}
	st, outcome, err := s.deps.Records.Put(c.UserContext(), ingestRequest(c), kind, id, c.Body())
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if outcome == ingest.Created {
		status = fiber.StatusCreated
		c.Location(c.Path())
	}
	return sendRecord(c, status, st)
}

func (s *Server) agencyGet(c *fiber.Ctx) error {
	kind, id, err := recordPath(c)
	if err != nil {
		return err
	}
	if kind == ingest.KindErrands {
		// Every agency of an errand reads it here (another lead's by ?lead=<slug>): the merged
		// status, its own cases and what the others shared.
		v, err := s.deps.Records.Errand(c.UserContext(), ingestRequest(c), utils.CopyString(c.Query("lead")), id)
		if err != nil {
			return err
		}
		return c.JSON(v)
	}
	st, err := s.deps.Records.Get(c.UserContext(), ingestRequest(c), kind, id)
	if err != nil {
		return err
	}
	return sendRecord(c, fiber.StatusOK, st)
}

func (s *Server) agencyDelete(c *fiber.Ctx) error {
	kind, id, err := recordPath(c)
	if err != nil {
		return err
	}
	if err := s.deps.Records.Delete(c.UserContext(), ingestRequest(c), kind, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func sendRecord(c *fiber.Ctx, status int, st *ingest.Stored) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderETag, `"`+st.ObjectID+"."+strconv.FormatInt(st.Version, 10)+`"`)
	return c.Status(status).Send(st.Body)
}

// requireMediaType answers 415 unless the body is of the given type (parameters such as charset
// allowed).
func requireMediaType(c *fiber.Ctx, want string) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || !strings.EqualFold(mt, want) {
		return apperr.New(apperr.CodeUnsupportedMediaType).WithDetail("error.detail.media_type", map[string]any{"Expected": want})
	}
	return nil
}
