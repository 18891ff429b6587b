package web

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/idempotency"
	"minside/backend/internal/reports"
)

// reportsPath is the one route that takes a report with its photos (multipart).
const reportsPath = "/api/v1/reports"

// answerPrefix starts the form fields of answers: answers.<question code>, repeated for a
// multichoice question.
const answerPrefix = "answers."

func (s *Server) reportsService() (*reports.Service, error) {
	if s.deps.Reports == nil {
		return nil, apperr.Unavailable(errors.New("web: reports service not configured"))
	}
	return s.deps.Reports, nil
}

// reportServices answers GET /api/v1/report-services: what can be reported, in the reader's
// language. Public: a person may report without logging in.
func (s *Server) reportServices(c *fiber.Ctx) error {
	svc, err := s.reportsService()
	if err != nil {
		return err
	}
	items, err := svc.Services(c.UserContext(), languageOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

// optionalCitizen lets a request through without a session, and with one checks it like every
// citizen route (a valid session, the CSRF token on unsafe methods).
func (s *Server) optionalCitizen(c *fiber.Ctx) error {
	if s.deps.Sessions == nil || c.Cookies(s.cookie.name) == "" {
		return c.Next()
	}
	return s.requireCitizen(c)
}

func (s *Server) csrfWhenLoggedIn(c *fiber.Ctx) error {
	if principalOf(c).CitizenID == "" {
		return c.Next()
	}
	return s.csrf(c)
}

// reportCreated is the answer to a new report; an anonymous reporter gets the private follow-up
// link once, here.
type reportCreated struct {
	*reports.View
	FollowURL   string `json:"followUrl,omitempty"`
	FollowToken string `json:"followToken,omitempty"`
}

// postReport answers POST /api/v1/reports, a multipart form: service, description, lat, lon,
// address, answers.<code> and up to three photos. Logged in, the report is the person's; without
// a session it is accepted too (rate-limited per client address) with a private follow-up link.
// With an Idempotency-Key (the PWA's outbox sends one) a repeated send stores one report.
func (s *Server) postReport(c *fiber.Ctx) error {
	svc, err := s.reportsService()
	if err != nil {
		return err
	}
	form, err := c.MultipartForm()
	if err != nil {
		return apperr.Invalid(apperr.Field("/service", "field.required", nil)).Wrap(err)
	}
	in := reports.NewReport{Answers: map[string][]string{}}
	var fields apperr.Fields
	value := func(name string) string {
		if v := form.Value[name]; len(v) > 0 {
			return utils.CopyString(v[0])
		}
		return ""
	}
	in.Service, in.Description, in.Address = value("service"), value("description"), value("address")
	in.Lat = formFloat(&fields, "/lat", value("lat"))
	in.Lon = formFloat(&fields, "/lon", value("lon"))
	for name, values := range form.Value {
		code, ok := strings.CutPrefix(name, answerPrefix)
		if !ok {
			continue
		}
		for _, v := range values {
			in.Answers[utils.CopyString(code)] = append(in.Answers[utils.CopyString(code)], utils.CopyString(v))
		}
	}
	if err := fields.Err(); err != nil {
		return err
	}
	if in.Photos, err = readUploads(form.File["photos"], svc.Limits()); err != nil {
		return err
	}
	p := principalOf(c)
	who := reports.Reporter{Channel: reports.ChannelCitizen, CitizenID: p.CitizenID}
	scope := idempotency.CitizenScope(p.CitizenID)
	client := ""
	if p.CitizenID == "" {
		who.Channel = reports.ChannelAnonymous
		client = c.IP()
		if s.deps.AddressPseudonym != nil {
			client = s.deps.AddressPseudonym(client)
		}
		scope = "anonymous-report:" + client
	}
	lang := languageOf(c)
	key := utils.CopyString(c.Get("Idempotency-Key"))
	hash := idempotency.RequestHash(c.Method(), c.Path()+"\x00"+p.SubjectID, formDigest(form.Value, in.Photos))
	ctx := c.UserContext()
	var created *reports.Created
	status, body, replayed, err := idempotency.Do(ctx, s.deps.DB, scope, key, hash, func(tx bun.Tx) (int, []byte, error) {
		if who.Channel == reports.ChannelAnonymous {
			// Counted in the transaction: a report that is refused or replayed does not count.
			if err := svc.AllowAnonymous(ctx, tx, client); err != nil {
				return 0, nil, err
			}
		}
		var err error
		if created, err = svc.CreateTx(ctx, tx, who, in); err != nil {
			return 0, nil, err
		}
		v, err := svc.ViewTx(ctx, tx, created.Report, lang)
		if err != nil {
			return 0, nil, err
		}
		v.Reporter = true
		b, err := json.Marshal(reportCreated{View: v, FollowURL: created.FollowURL, FollowToken: created.FollowToken})
		return fiber.StatusCreated, b, err
	})
	if err != nil {
		svc.Discard(created)
		setRetryAfter(c, err)
		return err
	}
	if replayed {
		c.Set("Idempotency-Replayed", "true")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(status).Send(body)
}

// setRetryAfter sets Retry-After from a rate-limit refusal.
func setRetryAfter(c *fiber.Ctx, err error) {
	if ae, ok := apperr.As(err); ok && ae.Code == apperr.CodeRateLimited {
		if secs, ok := ae.Extra["retryAfter"].(int); ok {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		}
	}
}

// formFloat reads a decimal number; empty is nil.
func formFloat(fields *apperr.Fields, ptr, s string) *float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		fields.Add(ptr, "field.invalid", nil)
		return nil
	}
	return &f
}

// getReport answers GET /api/v1/reports/:id for its reporter, a follower, or with ?token= (the
// anonymous reporter's private link).
func (s *Server) getReport(c *fiber.Ctx) error {
	svc, err := s.reportsService()
	if err != nil {
		return err
	}
	v := reports.Viewer{CitizenID: principalOf(c).CitizenID, Token: utils.CopyString(c.Query("token"))}
	out, err := svc.Get(c.UserContext(), v, utils.CopyString(c.Params("id")), languageOf(c))
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// myReports answers GET /api/v1/me/reports: what the person reported or follows, newest first.
func (s *Server) myReports(c *fiber.Ctx) error {
	svc, err := s.reportsService()
	if err != nil {
		return err
	}
	items, err := svc.Mine(c.UserContext(), principalOf(c).CitizenID, languageOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

// followReport answers POST /api/v1/reports/:id/follow: the person follows an existing report.
func (s *Server) followReport(c *fiber.Ctx) error {
	svc, err := s.reportsService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	id, lang := utils.CopyString(c.Params("id")), languageOf(c)
	return s.idempotent(c, func(ctx context.Context, tx bun.Tx) (int, any, error) {
		v, err := svc.Follow(ctx, tx, p.CitizenID, id, lang)
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusOK, v, nil
	})
}

// nearbyReports answers GET /api/v1/reports/nearby?service=&lat=&lon=: open reports of the
// service within about 50 m, before a person sends a duplicate. Public, without personal data.
func (s *Server) nearbyReports(c *fiber.Ctx) error {
	svc, err := s.reportsService()
	if err != nil {
		return err
	}
	var fields apperr.Fields
	lat := formFloat(&fields, "/lat", c.Query("lat"))
	lon := formFloat(&fields, "/lon", c.Query("lon"))
	if lat == nil && c.Query("lat") == "" {
		fields.Add("/lat", "field.required", nil)
	}
	if lon == nil && c.Query("lon") == "" {
		fields.Add("/lon", "field.required", nil)
	}
	if err := fields.Err(); err != nil {
		return err
	}
	items, err := svc.Nearby(c.UserContext(), utils.CopyString(c.Query("service")), *lat, *lon)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

// publicReports answers GET /api/v1/public/reports?bbox=minLon,minLat,maxLon,maxLat: open
// reports in an area, newest first, bounded; no personal data.
func (s *Server) publicReports(c *fiber.Ctx) error {
	svc, err := s.reportsService()
	if err != nil {
		return err
	}
	parts := strings.Split(c.Query("bbox"), ",")
	var nums [4]float64
	ok := len(parts) == 4
	for i := 0; ok && i < 4; i++ {
		f, err := strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		ok = err == nil
		nums[i] = f
	}
	if !ok {
		return apperr.Invalid(apperr.Field("/bbox", "field.invalid", nil))
	}
	items, truncated, err := svc.PublicList(c.UserContext(), reports.BBox{MinLon: nums[0], MinLat: nums[1], MaxLon: nums[2], MaxLat: nums[3]}, languageOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "truncated": truncated})
}

// signedReportPhoto answers GET /files/v1/report-photos/:id?expires=&sig=: a photo by the signed
// link in the report.created webhook or a reporter's view. The signature is the credential.
func (s *Server) signedReportPhoto(c *fiber.Ctx) error {
	svc, err := s.reportsService()
	if err != nil {
		return err
	}
	ph, err := svc.PhotoByLink(c.UserContext(), utils.CopyString(c.Params("id")), utils.CopyString(c.Query("expires")), utils.CopyString(c.Query("sig")))
	if err != nil {
		return err
	}
	rc, err := svc.OpenPhoto(c.UserContext(), ph)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ph.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentLength, strconv.FormatInt(ph.Size, 10))
	return c.SendStream(rc, int(ph.Size))
}
