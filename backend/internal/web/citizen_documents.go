package web

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/uptrace/bun"

	"minside/backend/internal/cases"
	"minside/backend/internal/overview"
)

// acknowledgeDocument answers POST /api/v1/documents/{id}/acknowledge with the acknowledgement
// ({id, caseId, requires, acknowledgedAt, byRepresentative, level}). Signing needs the step-up
// level (403 with stepUpUrl below it); a second press answers the first acknowledgement.
func (s *Server) acknowledgeDocument(c *fiber.Ctx) error {
	svc, err := s.actionsService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	id := utils.CopyString(c.Params("id"))
	requestID := requestIDOf(c)
	return s.idempotent(c, func(ctx context.Context, tx bun.Tx) (int, any, error) {
		a, err := svc.AcknowledgeDocument(ctx, tx, p.View(), id, p.ACR, requestID, s.deps.Now())
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusOK, a, nil
	})
}

// withSignStepUp points every document of the case still to be signed at the step-up login when
// the session is below that level, so the page offers the login instead of a refused "Sign".
func (s *Server) withSignStepUp(d *overview.CaseDetail, p Principal) {
	if s.cleared(p) {
		return
	}
	for i, doc := range d.Documents {
		if doc.Requires != nil && *doc.Requires == cases.RequiresSign && doc.Acknowledgement == nil {
			u := s.stepUpURL("/cases/" + d.ID)
			d.Documents[i].StepUpURL = &u
		}
	}
}
