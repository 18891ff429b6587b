package web

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/messages"
	"minside/backend/internal/uploads"
)

// messagesPathSuffix ends the multipart routes (POST /api/v1/cases/:id/messages and
// /api/v1/me/errands/:id/messages), which take Config.UploadLimit instead of the general body limit.
const messagesPathSuffix = "/messages"

func (s *Server) messagesService() (*messages.Service, error) {
	if s.deps.Messages == nil {
		return nil, apperr.Unavailable(errors.New("web: messages service not configured"))
	}
	return s.deps.Messages, nil
}

// messageJSON is a message as the citizen sees it, with both receipts. A withheld one (sensitive,
// below the step-up level) has no body and no attachments, and carries the step-up login.
type messageJSON struct {
	ID          string           `json:"id"`
	From        string           `json:"from"`   // "citizen" or "agency"
	Agency      agencyRef        `json:"agency"` // who wrote it, or whom it is for
	Body        string           `json:"body"`
	Withheld    bool             `json:"withheld,omitempty"`
	StepUpURL   string           `json:"stepUpUrl,omitempty"`
	CreatedAt   time.Time        `json:"createdAt"`
	SeenAt      *time.Time       `json:"seenAt"`              // by the agency (from citizen) or by the person (from agency)
	WrittenBy   string           `json:"writtenBy,omitempty"` // the representative who wrote it for the person
	Attachments []attachmentJSON `json:"attachments"`
}

type attachmentJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

// agencyRef names an agency in a message (on an errand, messages go to and come from several).
type agencyRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func messageOut(m *messages.Message) messageJSON {
	out := messageJSON{ID: m.ID, From: m.Direction, Agency: agencyRef{Slug: m.AgencySlug, Name: m.AgencyName}, Body: m.Body, Withheld: m.Withheld,
		CreatedAt: m.CreatedAt, SeenAt: m.SeenAt, Attachments: []attachmentJSON{}}
	if m.OnBehalf() {
		out.WrittenBy = m.AuthorName
	}
	for _, a := range m.Attachments {
		out.Attachments = append(out.Attachments, attachmentJSON{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size,
			URL: "/api/v1/attachments/" + a.ID})
	}
	return out
}

// caseMessages answers GET /api/v1/cases/:id/messages: the thread, oldest first.
func (s *Server) caseMessages(c *fiber.Ctx) error {
	return s.thread(c, messages.SubjectCase, "/cases/")
}

// errandMessages answers GET /api/v1/me/errands/:id/messages: the errand's thread with all its
// agencies, oldest first.
func (s *Server) errandMessages(c *fiber.Ctx) error {
	return s.thread(c, messages.SubjectErrand, "/errands/")
}

// thread answers the thread of a case or an errand; page is where the PWA shows it (the step-up
// login comes back there).
func (s *Server) thread(c *fiber.Ctx, kind, page string) error {
	svc, err := s.messagesService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	id := utils.CopyString(c.Params("id"))
	thread, err := svc.Thread(c.UserContext(), p.View(), kind, id, s.cleared(p), requestIDOf(c))
	if err != nil {
		return err
	}
	items := make([]messageJSON, 0, len(thread))
	for _, m := range thread {
		out := messageOut(m)
		if m.Withheld {
			out.StepUpURL = s.stepUpURL(page + id)
		}
		items = append(items, out)
	}
	// Whom a new message may be for: the case's agency, or the errand's lead first, then the
	// agencies it let join (the PWA's choice on the errand page).
	to, err := svc.Recipients(c.UserContext(), p.View(), kind, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "recipients": to})
}

// postCaseMessage answers POST /api/v1/cases/:id/messages, a multipart form with "body" and up
// to the limit of "attachments" files. With an Idempotency-Key (the PWA's outbox sends one) a
// repeated send stores the message once.
func (s *Server) postCaseMessage(c *fiber.Ctx) error {
	return s.postMessage(c, messages.SubjectCase)
}

// postErrandMessage answers POST /api/v1/me/errands/:id/messages: as on a case, with an optional
// form field "agency" (the slug of one of the errand's agencies; default the lead) naming whom
// the message is for. Only that agency receives and sees it.
func (s *Server) postErrandMessage(c *fiber.Ctx) error {
	return s.postMessage(c, messages.SubjectErrand)
}

func (s *Server) postMessage(c *fiber.Ctx, kind string) error {
	svc, err := s.messagesService()
	if err != nil {
		return err
	}
	form, err := c.MultipartForm()
	if err != nil {
		return apperr.Invalid(apperr.Field("/body", "field.required", nil)).Wrap(err)
	}
	body, agency := "", ""
	if v := form.Value["body"]; len(v) > 0 {
		body = utils.CopyString(v[0])
	}
	if v := form.Value["agency"]; len(v) > 0 && kind == messages.SubjectErrand {
		agency = utils.CopyString(v[0])
	}
	inputs, err := readUploads(form.File["attachments"], svc.Limits())
	if err != nil {
		return err
	}
	p := principalOf(c)
	to := messages.Target{Kind: kind, ID: utils.CopyString(c.Params("id")), Agency: agency}
	return s.idempotentOn(c, formDigest(form.Value, inputs), func(ctx context.Context, tx bun.Tx) (int, any, error) {
		m, err := svc.PostTx(ctx, tx, p.View(), to, body, inputs, requestIDOf(c))
		if err != nil {
			return 0, nil, err
		}
		return fiber.StatusCreated, messageOut(m), nil
	})
}

// readUploads reads each file part, at most one byte over the per-file limit (uploads.Check
// refuses it with the field named).
func readUploads(parts []*multipart.FileHeader, lim uploads.Limits) ([]uploads.Input, error) {
	out := make([]uploads.Input, 0, len(parts))
	for _, fh := range parts {
		f, err := fh.Open()
		if err != nil {
			return nil, apperr.BadRequest("error.detail.malformed_json").Wrap(err)
		}
		data, err := io.ReadAll(io.LimitReader(f, lim.MaxFileBytes+1))
		_ = f.Close()
		if err != nil {
			return nil, apperr.BadRequest("error.detail.malformed_json").Wrap(err)
		}
		out = append(out, uploads.Input{Name: utils.CopyString(fh.Filename), Data: data})
	}
	return out, nil
}

// citizenAttachment answers GET /api/v1/attachments/:id for someone who may see its case or
// errand; a withheld one is refused (403) with the step-up login that opens it.
func (s *Server) citizenAttachment(c *fiber.Ctx) error {
	svc, err := s.messagesService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	a, m, open, err := svc.CitizenAttachment(c.UserContext(), p.View(), utils.CopyString(c.Params("id")), s.cleared(p))
	if e, ok := apperr.As(err); ok && m != nil && e.Code == apperr.CodeForbidden {
		page := "/cases/"
		if m.SubjectKind == messages.SubjectErrand {
			page = "/errands/"
		}
		return e.WithExtra("stepUpUrl", s.stepUpURL(page+m.SubjectID))
	}
	if err != nil {
		return err
	}
	return sendAttachment(c, a, open)
}

// signedAttachment answers GET /files/v1/attachments/:id?expires=…&sig=…: the link in the
// message.received webhook. No session, no API key: the signature is the credential.
func (s *Server) signedAttachment(c *fiber.Ctx) error {
	svc, err := s.messagesService()
	if err != nil {
		return err
	}
	a, open, err := svc.SignedAttachment(c.UserContext(), utils.CopyString(c.Params("id")),
		utils.CopyString(c.Query("expires")), utils.CopyString(c.Query("sig")), requestIDOf(c))
	if err != nil {
		return err
	}
	return sendAttachment(c, a, open)
}

// sendAttachment streams the file as a download that no browser will sniff or render inline.
func sendAttachment(c *fiber.Ctx, a *messages.Attachment, open func() (io.ReadCloser, error)) error {
	rc, err := open()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, "attachment; filename*=UTF-8''"+url.PathEscape(a.Name))
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set(fiber.HeaderContentLength, strconv.FormatInt(a.Size, 10))
	return c.SendStream(rc, int(a.Size))
}
