package web

import (
	"context"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/ingest"
)

// AgencyAuthenticator resolves an agency API key (agency.Service implements it).
type AgencyAuthenticator interface {
	Authenticate(ctx context.Context, key string) (agency.Caller, error)
}

// AgencyRecords stores what agencies push (ingest.Service implements it).
type AgencyRecords interface {
	Put(ctx context.Context, req ingest.Request, kind ingest.Kind, externalID string, body []byte) (*ingest.Stored, ingest.Outcome, error)
	Get(ctx context.Context, req ingest.Request, kind ingest.Kind, externalID string) (*ingest.Stored, error)
	Delete(ctx context.Context, req ingest.Request, kind ingest.Kind, externalID string) error
	List(ctx context.Context, req ingest.Request, kind ingest.Kind, q ingest.ListQuery) (ingest.Page, error)
	Bulk(ctx context.Context, req ingest.Request, r io.Reader, emit func(ingest.LineResult) error) error
	Errand(ctx context.Context, req ingest.Request, lead, externalID string) (*ingest.ErrandView, error)
}

const localAgency = "agency"

// agencyAuth admits requests with a valid, unrevoked agency API key. There are no cookies on this
// API, so there is no CSRF to guard against.
func (s *Server) agencyAuth(c *fiber.Ctx) error {
	scheme, key, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="minside-agency"`)
		return apperr.Unauthorized()
	}
	caller, err := s.deps.Agencies.Authenticate(c.UserContext(), strings.TrimSpace(key))
	if err != nil {
		if apperr.Is(err, apperr.CodeUnauthorized) {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="minside-agency", error="invalid_token"`)
		}
		return err
	}
	c.Locals(localAgency, caller)
	return c.Next()
}

func agencyOf(c *fiber.Ctx) agency.Caller {
	a, _ := c.Locals(localAgency).(agency.Caller)
	return a
}

func ingestRequest(c *fiber.Ctx) ingest.Request {
	return ingest.Request{AgencyID: agencyOf(c).AgencyID, RequestID: requestIDOf(c)}
}
