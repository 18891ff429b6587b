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

// messagesPathSuffix ends the one multipart route (POST /api/v1/cases/:id/messages), which takes
// Config.UploadLimit instead of the general body limit.
const messagesPathSuffix = "/messages"

func (s *Server) messagesService() (*messages.Service, error) {
	if s.deps.Messages == nil {
		return nil, apperr.Unavailable(errors.New("web: messages service not configured"))
	}
	return s.deps.Messages, nil
}

// messageJSON is a message as the citizen sees it, with both receipts.
type messageJSON struct {
	ID          string           `json:"id"`
	From        string           `json:"from"` // "citizen" or "agency"
	Body        string           `json:"body"`
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

func messageOut(m *messages.Message) messageJSON {
	out := messageJSON{ID: m.ID, From: m.Direction, Body: m.Body, CreatedAt: m.CreatedAt, SeenAt: m.SeenAt, Attachments: []attachmentJSON{}}
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
	svc, err := s.messagesService()
	if err != nil {
		return err
	}
	p := principalOf(c)
	thread, err := svc.Thread(c.UserContext(), p.View(), utils.CopyString(c.Params("id")), requestIDOf(c))
	if err != nil {
		return err
	}
	items := make([]messageJSON, 0, len(thread))
	for _, m := range thread {
		items = append(items, messageOut(m))
	}
	return c.JSON(fiber.Map{"items": items})
}

// postCaseMessage answers POST /api/v1/cases/:id/messages, a multipart form with "body" and up
// to the limit of "attachments" files. With an Idempotency-Key (the PWA's outbox sends one) a
// repeated send stores the message once.
func (s *Server) postCaseMessage(c *fiber.Ctx) error {
	svc, err := s.messagesService()
	if err != nil {
		return err
	}
	form, err := c.MultipartForm()
	if err != nil {
		return apperr.Invalid(apperr.Field("/body", "field.required", nil)).Wrap(err)
	}
	body := ""
	if v := form.Value["body"]; len(v) > 0 {
		body = utils.CopyString(v[0])
	}
	inputs, err := readUploads(form.File["attachments"], svc.Limits())
	if err != nil {
		return err
	}
	p := principalOf(c)
	caseID := utils.CopyString(c.Params("id"))
	return s.idempotent(c, func(ctx context.Context, tx bun.Tx) (int, any, error) {
		m, err := svc.PostTx(ctx, tx, p.View(), caseID, body, inputs, requestIDOf(c))
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

// citizenAttachment answers GET /api/v1/attachments/:id for someone who may see its case.
func (s *Server) citizenAttachment(c *fiber.Ctx) error {
	svc, err := s.messagesService()
	if err != nil {
		return err
	}
	a, open, err := svc.CitizenAttachment(c.UserContext(), principalOf(c).View(), utils.CopyString(c.Params("id")))
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
