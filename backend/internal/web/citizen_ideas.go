package web

import (
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/i18n"
	"minside/backend/internal/ideas"
	"minside/backend/internal/paging"
	"minside/backend/internal/uploads"
)

// ideasPath is the multipart route that takes Config.UploadLimit (a photo) instead of the general
// body limit.
const ideasPath = "/api/v1/ideas"

// An idea is always the logged-in person's own voice: someone acting for another person submits,
// supports and lists as themself, never in the other's name.

func (s *Server) ideasService() (*ideas.Service, error) {
	if s.deps.Ideas == nil {
		return nil, apperr.Unavailable(errors.New("web: ideas service not configured"))
	}
	return s.deps.Ideas, nil
}

// pickedText is the moderator's text in the reader's language, and the language it is in (so the
// PWA can set lang and dir on it).
type pickedText struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
}

func pick(texts map[string]string, lang string) *pickedText {
	text, used := i18n.Pick(texts, lang)
	if text == "" {
		return nil
	}
	return &pickedText{Text: text, Lang: used}
}

// ideaJSON is an idea as a resident sees it. District is all anyone learns of the author: "a
// resident of <district>" ("" when the portal does not know it).
type ideaJSON struct {
	ID           string      `json:"id"`
	Title        string      `json:"title"`
	Body         string      `json:"body"`
	Area         string      `json:"area"`
	District     string      `json:"district"`
	Status       string      `json:"status"`
	StatusReason *pickedText `json:"statusReason"`
	SupportCount int64       `json:"supportCount"`
	Supported    bool        `json:"supported"`
	Mine         bool        `json:"mine"`
	Hidden       bool        `json:"hidden,omitempty"`       // only the author sees a hidden idea
	HiddenReason *pickedText `json:"hiddenReason,omitempty"` // and why
	PhotoURL     string      `json:"photoUrl,omitempty"`
	CreatedAt    time.Time   `json:"createdAt"`
	UpdatedAt    time.Time   `json:"updatedAt"`
}

func ideaOut(idea *ideas.Idea, viewerID, lang string) ideaJSON {
	out := ideaJSON{ID: idea.ID, Title: idea.Title, Body: idea.Body, Area: idea.Area, District: idea.District, Status: idea.Status,
		StatusReason: pick(idea.StatusReason, lang), SupportCount: idea.SupportCount, Supported: idea.Supported,
		Mine: idea.AuthorID == viewerID, CreatedAt: idea.CreatedAt, UpdatedAt: idea.UpdatedAt}
	if idea.Hidden() && out.Mine {
		out.Hidden, out.HiddenReason = true, pick(idea.HiddenReason, lang)
	}
	if idea.HasPhoto() {
		out.PhotoURL = "/api/v1/ideas/" + idea.ID + "/photo"
	}
	return out
}

func ideasOut(list []*ideas.Idea, viewerID, lang string) []ideaJSON {
	out := make([]ideaJSON, len(list))
	for i, idea := range list {
		out[i] = ideaOut(idea, viewerID, lang)
	}
	return out
}

// listIdeas answers GET /api/v1/ideas?sort=newest|supported&area=&limit=&cursor=: the ideas no
// moderator has hid. A cursor opens only for the same person, sort and area.
func (s *Server) listIdeas(c *fiber.Ctx) error {
	svc, err := s.ideasService()
	if err != nil {
		return err
	}
	query := ideas.Query{Sort: queryText(c, "sort"), Area: queryText(c, "area")}
	if err := ideas.CheckQuery(query); err != nil {
		return err
	}
	q, err := s.parseList(c, "ideas/"+query.Sort+"/"+query.Area)
	if err != nil {
		return err
	}
	query.Limit = q.Limit
	if query.Limit == 0 {
		query.Limit = paging.DefaultLimit
	}
	if q.After != "" {
		if query.Offset, err = strconv.Atoi(q.After); err != nil || query.Offset < 0 {
			return apperr.Invalid(apperr.Field("/cursor", "field.invalid", nil))
		}
	}
	p := principalOf(c)
	list, more, err := svc.List(c.UserContext(), p.CitizenID, query)
	if err != nil {
		return err
	}
	var next *string
	if more {
		next = s.next(q, strconv.Itoa(query.Offset+len(list)))
	}
	return c.JSON(fiber.Map{"items": ideasOut(list, p.CitizenID, languageOf(c)), "nextCursor": next})
}

// myIdeas answers GET /api/v1/me/ideas: every idea the person wrote, hidden ones with the reason.
func (s *Server) myIdeas(c *fiber.Ctx) error {
	svc, err := s.ideasService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	list, err := svc.Mine(c.UserContext(), p.CitizenID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": ideasOut(list, p.CitizenID, languageOf(c))})
}

// getIdea answers GET /api/v1/ideas/:id: a visible idea, or the person's own.
func (s *Server) getIdea(c *fiber.Ctx) error {
	svc, err := s.ideasService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	idea, err := svc.Get(c.UserContext(), p.CitizenID, utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(ideaOut(idea, p.CitizenID, languageOf(c)))
}

// ideaPhoto answers GET /api/v1/ideas/:id/photo for whoever may see the idea.
func (s *Server) ideaPhoto(c *fiber.Ctx) error {
	svc, err := s.ideasService()
	if err != nil {
		return err
	}
	idea, open, err := svc.Photo(c.UserContext(), principalOf(c).CitizenID, utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return sendPhoto(c, idea, open)
}

// sendPhoto streams a checked, re-encoded image (JPEG or PNG only) for display.
func sendPhoto(c *fiber.Ctx, idea *ideas.Idea, open func() (io.ReadCloser, error)) error {
	rc, err := open()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, *idea.PhotoType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentLength, strconv.FormatInt(*idea.PhotoSize, 10))
	return c.SendStream(rc, int(*idea.PhotoSize))
}

// postIdea answers POST /api/v1/ideas, a multipart form with title, body, area and an optional
// photo. With an Idempotency-Key (the PWA's outbox sends one) a repeated send stores it once.
func (s *Server) postIdea(c *fiber.Ctx) error {
	svc, err := s.ideasService()
	if err != nil {
		return err
	}
	form, err := c.MultipartForm()
	if err != nil {
		return apperr.Invalid(apperr.Field("/title", "field.required", nil)).Wrap(err)
	}
	value := func(name string) string {
		if v := form.Value[name]; len(v) > 0 {
			return utils.CopyString(v[0])
		}
		return ""
	}
	d := ideas.Draft{Title: value("title"), Body: value("body"), Area: value("area")}
	photos, err := readUploads(form.File["photo"], svc.Limits())
	if err != nil {
		return err
	}
	if len(photos) > 1 {
		return apperr.Invalid(apperr.Field("/photo", uploads.KeyTooManyFiles, map[string]any{"Max": 1}))
	}
	if len(photos) == 1 {
		d.Photo = &photos[0]
	}
	p := principalOf(c)
	lang := languageOf(c)
	return s.idempotentOn(c, formDigest(form.Value, photos), func(ctx context.Context, tx bun.Tx) (int, any, error) {
		idea, err := svc.SubmitTx(ctx, tx, p.CitizenID, d)
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusCreated, ideaOut(idea, p.CitizenID, lang), nil
	})
}

// supportIdea answers PUT (support) and DELETE (withdraw) /api/v1/ideas/:id/support; both are
// idempotent and answer the idea with its count.
func (s *Server) supportIdea(support bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		svc, err := s.ideasService()
		if err != nil {
			return err
		}
		p := principalOf(c)
		idea, err := svc.Support(c.UserContext(), p.CitizenID, utils.CopyString(c.Params("id")), support)
		if err != nil {
			return err
		}
		return c.JSON(ideaOut(idea, p.CitizenID, languageOf(c)))
	}
}
