package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/apperr"
	"minside/backend/internal/idempotency"
	"minside/backend/internal/ingest"
)

// agencyBulkPath takes bodies up to agencyBulkBodyLimit; every other route keeps Config.BodyLimit.
const (
	agencyBulkPath      = "/api/agency/v1/bulk"
	agencyBulkBodyLimit = 16 << 20
)

// limitBody enforces each route's body limit before the body is read: the server streams request
// bodies, so an oversized upload is refused from its Content-Length (or, when chunked, after the
// limit) without being held in memory.
func (s *Server) limitBody(c *fiber.Ctx) error {
	limit := s.deps.Config.BodyLimit
	if c.Path() == agencyBulkPath && s.deps.Records != nil {
		limit = agencyBulkBodyLimit
	}
	req := c.Request()
	tooLarge := func() error {
		// The connection may still carry the unread rest of the body: close it after answering.
		c.Set(fiber.HeaderConnection, "close")
		return apperr.New(apperr.CodeTooLarge).WithDetail("error.detail.body_too_large", map[string]any{"Limit": limit})
	}
	if req.Header.ContentLength() > limit {
		return tooLarge()
	}
	if stream := req.BodyStream(); stream != nil {
		body, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
		if err != nil {
			return apperr.BadRequest("error.detail.malformed_json").Wrap(err)
		}
		if len(body) > limit {
			return tooLarge()
		}
		req.SetBody(body)
	}
	return c.Next()
}

// bulkLine is one line of the bulk answer.
type bulkLine struct {
	Line           int            `json:"line"`
	Kind           string         `json:"kind,omitempty"`
	ExternalID     string         `json:"externalId,omitempty"`
	Status         int            `json:"status"`
	ID             string         `json:"id,omitempty"`
	Version        int64          `json:"version,omitempty"`
	Code           apperr.Code    `json:"code,omitempty"`
	Title          string         `json:"title,omitempty"`
	CurrentVersion any            `json:"currentVersion,omitempty"`
	Errors         []ProblemField `json:"errors,omitempty"`
}

// agencyBulk applies NDJSON records and answers one NDJSON line per input line. With an
// Idempotency-Key, a retried request gets the first answer again and changes nothing.
func (s *Server) agencyBulk(c *fiber.Ctx) error {
	if err := requireMediaType(c, "application/x-ndjson"); err != nil {
		return err
	}
	run := func(ctx context.Context) (int, []byte, error) {
		body, err := s.runBulk(ctx, c)
		return http.StatusOK, body, err
	}
	// The batches commit one by one, so the claim of the key cannot share their transaction.
	hash := idempotency.RequestHash(c.Method(), c.Path(), c.Body())
	status, body, replayed, err := idempotency.DoOutside(c.UserContext(), s.deps.DB,
		idempotency.AgencyScope(agencyOf(c).AgencyID), string([]byte(c.Get("Idempotency-Key"))), hash, run)
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
	}
	c.Set(fiber.HeaderContentType, "application/x-ndjson")
	return c.Status(status).Send(body)
}

func (s *Server) runBulk(ctx context.Context, c *fiber.Ctx) ([]byte, error) {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	lang := languageOf(c)
	err := s.deps.Records.Bulk(ctx, ingestRequest(c), bytes.NewReader(c.Body()), func(r ingest.LineResult) error {
		return enc.Encode(s.bulkAnswer(lang, r))
	})
	return out.Bytes(), err
}

func (s *Server) bulkAnswer(lang string, r ingest.LineResult) bulkLine {
	l := bulkLine{Line: r.Line, Kind: string(r.Kind), ExternalID: r.ExternalID}
	if r.Err == nil {
		l.Status, l.ID, l.Version = http.StatusOK, r.Stored.ObjectID, r.Stored.Version
		if r.Outcome == ingest.Created {
			l.Status = http.StatusCreated
		}
		return l
	}
	ae, ok := apperr.As(r.Err)
	if !ok {
		ae = apperr.New(apperr.CodeInternal)
	}
	l.Status = statusOf[ae.Code]
	l.Code = ae.Code
	l.Title = s.deps.Translator.Translate(lang, developerKey(ae.Key), ae.Data)
	l.CurrentVersion = ae.Extra["currentVersion"]
	for _, f := range ae.Fields {
		l.Errors = append(l.Errors, ProblemField{Pointer: f.Pointer, Code: f.Key, Detail: s.deps.Translator.Translate(lang, f.Key, f.Data)})
	}
	return l
}
