package web

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// agencyOpenAPIDoc is the agency API's OpenAPI 3 document. The API tests validate every request
// and response they make against it, so it cannot drift from the code.
//
//go:embed openapi/agency.json
var agencyOpenAPIDoc []byte

// AgencyOpenAPI returns the document (for tests and tools).
func AgencyOpenAPI() []byte { return agencyOpenAPIDoc }

func (s *Server) agencyOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*") // a public document: let Swagger UI and friends read it
	return c.Send(agencyOpenAPIDoc)
}
