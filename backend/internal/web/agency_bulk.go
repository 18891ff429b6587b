package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/apperr"
	"minside/backend/internal/idempotency"
	"minside/backend/internal/ingest"
)

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
	RequestID      string         `json:"requestId,omitempty"`
}

// agencyBulk applies NDJSON records as they arrive (the body is never held in memory: limitBody
// leaves it to this handler, which runs after the key was checked) and answers one NDJSON line per
// input line. With an Idempotency-Key, a retried request gets the first answer again and changes
// nothing; the key's claim needs the body's fingerprint first, so the body is then spooled to an
// unnamed temporary file while it is hashed.
func (s *Server) agencyBulk(c *fiber.Ctx) error {
	if err := requireMediaType(c, "application/x-ndjson"); err != nil {
		return err
	}
	body := bulkBody(c)
	key, hash := string([]byte(c.Get("Idempotency-Key"))), ""
	if key != "" {
		spooled, fingerprint, err := spoolBody(c.Method(), c.Path(), body)
		if err != nil {
			return err
		}
		defer func() { _ = spooled.Close() }()
		body, hash = spooled, fingerprint
	}
	req, lang := ingestRequest(c), languageOf(c)
	run := func(ctx context.Context) (int, []byte, error) {
		out, err := s.runBulk(ctx, req, lang, body)
		return http.StatusOK, out, err
	}
	// The batches commit one by one, so the claim of the key cannot share their transaction.
	status, out, replayed, err := idempotency.DoOutside(c.UserContext(), s.deps.DB,
		idempotency.AgencyScope(req.AgencyID), key, hash, run)
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
	}
	c.Set(fiber.HeaderContentType, "application/x-ndjson")
	return c.Status(status).Send(out)
}

// spoolBody copies body to a temporary file, already unlinked so nothing is left behind, and
// returns it rewound with the request's fingerprint.
func spoolBody(method, path string, body io.Reader) (*os.File, string, error) {
	f, err := os.CreateTemp("", "minside-bulk-*")
	if err != nil {
		return nil, "", fmt.Errorf("web: bulk: spool: %w", err)
	}
	_ = os.Remove(f.Name())
	hash, err := idempotency.StreamRequestHash(method, path, io.TeeReader(body, f))
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		if _, ok := apperr.As(err); ok {
			return nil, "", err // over the limit
		}
		return nil, "", fmt.Errorf("web: bulk: spool: %w", err)
	}
	return f, hash, nil
}

func (s *Server) runBulk(ctx context.Context, req ingest.Request, lang string, body io.Reader) ([]byte, error) {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	err := s.deps.Records.Bulk(ctx, req, body, func(r ingest.LineResult) error {
		return enc.Encode(s.bulkAnswer(lang, req.RequestID, r))
	})
	return out.Bytes(), err
}

func (s *Server) bulkAnswer(lang, requestID string, r ingest.LineResult) bulkLine {
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
		// The database refused this line alone (it was undone; the others were applied): a 500
		// for the line, logged under the request id the line carries.
		s.deps.Log.Error("bulk line failed", "request_id", requestID, "line", r.Line, "kind", r.Kind, "err", r.Err)
		ae = apperr.New(apperr.CodeInternal)
		l.RequestID = requestID
	}
	l.Status = statusOf[ae.Code]
	l.Code = ae.Code
	l.Title = s.deps.Translator.Translate(lang, ae.Key, ae.Data)
	l.CurrentVersion = ae.Extra["currentVersion"]
	for _, f := range ae.Fields {
		l.Errors = append(l.Errors, ProblemField{Pointer: f.Pointer, Code: f.Key, Detail: s.deps.Translator.Translate(lang, f.Key, f.Data)})
	}
	return l
}
