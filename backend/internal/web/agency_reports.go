package web

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"minside/backend/internal/apperr"
	"minside/backend/internal/paging"
	"minside/backend/internal/reports"
)

func agencyReportRequest(c *fiber.Ctx) reports.AgencyRequest {
	return reports.AgencyRequest{AgencyID: agencyOf(c).AgencyID, RequestID: requestIDOf(c)}
}

// agencyReports answers GET /api/agency/v1/reports?cursor=&limit=: the reports of the agency's
// own services, oldest first, with cursors that open only for the same agency.
func (s *Server) agencyReports(c *fiber.Ctx) error {
	svc, err := s.reportsService()
	if err != nil {
		return err
	}
	agencyID := agencyOf(c).AgencyID
	q := listQuery{binding: paging.Binding{List: "agency/reports", Owner: agencyID}}
	if q.Limit, err = paging.Limit(c.Query("limit")); err != nil {
		return err
	}
	if q.Limit <= 0 {
		q.Limit = paging.DefaultLimit
	}
	if token := c.Query("cursor"); token != "" {
		sealer, err := s.cursors()
		if err != nil {
			return err
		}
		if q.After, err = sealer.Open(q.binding, token, s.deps.Now()); err != nil {
			return err
		}
	}
	page, err := svc.AgencyList(c.UserContext(), agencyReportRequest(c), q.After, q.Limit)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"reports": page.Reports, "nextCursor": s.next(q, page.Next)})
}

// agencyReportStatus answers PUT /api/agency/v1/reports/:id/status {status, reason, duplicateOf}:
// 200 with the report; the same change again changes nothing. Another agency's report is 404.
func (s *Server) agencyReportStatus(c *fiber.Ctx) error {
	svc, err := s.reportsService()
	if err != nil {
		return err
	}
	if err := requireMediaType(c, "application/json"); err != nil {
		return err
	}
	var ch reports.StatusChange
	if err := json.Unmarshal(c.Body(), &ch); err != nil {
		return apperr.BadRequest("error.detail.malformed_json").Wrap(err)
	}
	v, _, err := svc.SetStatus(c.UserContext(), agencyReportRequest(c), utils.CopyString(c.Params("id")), ch)
	if err != nil {
		return err
	}
	return c.JSON(v)
}
