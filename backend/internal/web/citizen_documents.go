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

// withSignStepUp points a withheld case, and every document of the case that is withheld or still
// to be signed, at the step-up login when the session is below that level, so the page offers the
// login instead of a refused "Sign" or an empty page.
func (s *Server) withSignStepUp(d *overview.CaseDetail, p Principal) {
	if s.cleared(p) {
		return
	}
	u := s.stepUpURL("/cases/" + d.ID)
	if d.Withheld {
		d.StepUpURL = &u
	}
	for i, doc := range d.Documents {
		if doc.Withheld || (doc.Requires != nil && *doc.Requires == cases.RequiresSign && doc.Acknowledgement == nil) {
			d.Documents[i].StepUpURL = &u
		}
	}
}

// withErrandStepUp points the errand's withheld cases and documents at the step-up login that
// comes back to the errand.
func (s *Server) withErrandStepUp(d *overview.ErrandDetail) {
	u := s.stepUpURL("/errands/" + d.ID)
	for i := range d.Cases {
		if d.Cases[i].Withheld {
			d.Cases[i].StepUpURL = &u
		}
	}
	for i := range d.Documents {
		if d.Documents[i].Withheld {
			d.Documents[i].StepUpURL = &u
		}
	}
}
