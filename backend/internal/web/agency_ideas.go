package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"minside/backend/internal/apperr"
	"minside/backend/internal/ideas"
	"minside/backend/internal/paging"
	"minside/backend/internal/strictjson"
)

// agencyIdeaJSON is an idea as its moderator sees it: everything but who wrote it, the reasons in
// every language given, and whether it is hidden.
type agencyIdeaJSON struct {
	ID           string            `json:"id"`
	Title        string            `json:"title"`
	Body         string            `json:"body"`
	Area         string            `json:"area"`
	District     string            `json:"district"`
	Status       string            `json:"status"`
	StatusReason map[string]string `json:"statusReason"`
	Hidden       bool              `json:"hidden"`
	HiddenReason map[string]string `json:"hiddenReason"`
	SupportCount int64             `json:"supportCount"`
	PhotoURL     *string           `json:"photoUrl"`
	CreatedAt    time.Time         `json:"createdAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
}

func agencyIdeaOut(idea *ideas.Idea) agencyIdeaJSON {
	out := agencyIdeaJSON{ID: idea.ID, Title: idea.Title, Body: idea.Body, Area: idea.Area, District: idea.District, Status: idea.Status,
		StatusReason: idea.StatusReason, Hidden: idea.Hidden(), HiddenReason: idea.HiddenReason, SupportCount: idea.SupportCount,
		CreatedAt: idea.CreatedAt, UpdatedAt: idea.UpdatedAt}
	if out.StatusReason == nil {
		out.StatusReason = map[string]string{}
	}
	if out.HiddenReason == nil {
		out.HiddenReason = map[string]string{}
	}
	if idea.HasPhoto() {
		u := "/api/agency/v1/ideas/" + idea.ID + "/photo"
		out.PhotoURL = &u
	}
	return out
}

// agencyListIdeas answers GET /api/agency/v1/ideas?status=&limit=&cursor=: every idea, hidden ones
// too, newest first, for an agency with the ideas authority (403 naming it otherwise).
func (s *Server) agencyListIdeas(c *fiber.Ctx) error {
	svc, err := s.ideasService()
	if err != nil {
		return err
	}
	status := queryText(c, "status")
	q := listQuery{binding: paging.Binding{List: "agency/ideas/" + status, Owner: agencyOf(c).AgencyID}}
	if q.Limit, err = paging.Limit(c.Query("limit")); err != nil {
		return err
	}
	query := ideas.AgencyQuery{Status: status, Limit: q.Limit}
	if token := c.Query("cursor"); token != "" {
		sealer, err := s.cursors()
		if err != nil {
			return err
		}
		if q.After, err = sealer.Open(q.binding, token, s.deps.Now()); err != nil {
			return err
		}
		if query.Offset, err = strconv.Atoi(q.After); err != nil || query.Offset < 0 {
			return apperr.Invalid(apperr.Field("/cursor", "field.invalid", nil))
		}
	}
	list, more, err := svc.AgencyList(c.UserContext(), agencyOf(c).AgencyID, query)
	if err != nil {
		return err
	}
	out := make([]agencyIdeaJSON, len(list))
	for i, idea := range list {
		out[i] = agencyIdeaOut(idea)
	}
	var next *string
	if more {
		next = s.next(q, strconv.Itoa(query.Offset+len(list)))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"ideas": out, "nextCursor": next})
}

// agencyGetIdea answers GET /api/agency/v1/ideas/{id} (the id in idea.created).
func (s *Server) agencyGetIdea(c *fiber.Ctx) error {
	svc, err := s.ideasService()
	if err != nil {
		return err
	}
	idea, err := svc.AgencyGet(c.UserContext(), agencyOf(c).AgencyID, utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(agencyIdeaOut(idea))
}

// agencyIdeaPhoto answers GET /api/agency/v1/ideas/{id}/photo.
func (s *Server) agencyIdeaPhoto(c *fiber.Ctx) error {
	svc, err := s.ideasService()
	if err != nil {
		return err
	}
	idea, open, err := svc.AgencyPhoto(c.UserContext(), agencyOf(c).AgencyID, utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return sendPhoto(c, idea, open)
}

// agencyIdeaStatus answers PUT /api/agency/v1/ideas/{id}/status, {"status": "…", "reason": {lang: text}}.
func (s *Server) agencyIdeaStatus(c *fiber.Ctx) error {
	svc, err := s.ideasService()
	if err != nil {
		return err
	}
	if err := requireMediaType(c, "application/json"); err != nil {
		return err
	}
	var in struct {
		Status string            `json:"status"`
		Reason map[string]string `json:"reason"`
	}
	if err := strictjson.Unmarshal(c.Body(), &in); err != nil {
		return err
	}
	idea, err := svc.SetStatus(c.UserContext(), agencyOf(c).AgencyID, utils.CopyString(c.Params("id")), in.Status, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(agencyIdeaOut(idea))
}

// agencyIdeaHidden answers PUT /api/agency/v1/ideas/{id}/hidden, {"hidden": true, "reason": {lang: text}}.
func (s *Server) agencyIdeaHidden(c *fiber.Ctx) error {
	svc, err := s.ideasService()
	if err != nil {
		return err
	}
	if err := requireMediaType(c, "application/json"); err != nil {
		return err
	}
	var in struct {
		Hidden *bool             `json:"hidden"`
		Reason map[string]string `json:"reason"`
	}
	if err := strictjson.Unmarshal(c.Body(), &in); err != nil {
		return err
	}
	if in.Hidden == nil {
		return apperr.Invalid(apperr.Field("/hidden", "field.required", nil))
	}
	idea, err := svc.SetHidden(c.UserContext(), agencyOf(c).AgencyID, utils.CopyString(c.Params("id")), *in.Hidden, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(agencyIdeaOut(idea))
}
