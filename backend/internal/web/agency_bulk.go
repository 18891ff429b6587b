package web

import (
	"bufio"
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
// input line. The answer, which can be larger than the body (a short bad line gets a long error),
// is written to an unlinked temporary file and sent from there. With an Idempotency-Key, a retried
// request gets the first answer again and changes nothing; the key's claim needs the body's
// fingerprint first, so the body is spooled to such a file while it is hashed, and the answer is
// kept with the key.
func (s *Server) agencyBulk(c *fiber.Ctx) error {
	if err := requireMediaType(c, "application/x-ndjson"); err != nil {
		return err
	}
	body := bulkBody(c)
	req, lang := ingestRequest(c), languageOf(c)
	c.Set(fiber.HeaderContentType, "application/x-ndjson")
	key := string([]byte(c.Get("Idempotency-Key")))
	if key == "" {
		answer, size, err := s.runBulk(c.UserContext(), req, lang, body)
		if err != nil {
			return err
		}
		c.Status(http.StatusOK).Context().SetBodyStream(answer, int(size)) // closed once sent
		return nil
	}
	spooled, hash, err := spoolBody(c.Method(), c.Path(), body)
	if err != nil {
		return err
	}
	defer func() { _ = spooled.Close() }()
	run := func(ctx context.Context) (int, []byte, error) {
		answer, _, err := s.runBulk(ctx, req, lang, spooled)
		if err != nil {
			return 0, nil, err
		}
		defer func() { _ = answer.Close() }()
		out, err := io.ReadAll(answer)
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
	return c.Status(status).Send(out)
}

// unlinkedTemp is a temporary file that is already removed: it is gone when closed, or when the
// process ends, whatever happens in between.
func unlinkedTemp() (*os.File, error) {
	f, err := os.CreateTemp("", "minside-bulk-*")
	if err != nil {
		return nil, fmt.Errorf("web: bulk: temporary file: %w", err)
	}
	_ = os.Remove(f.Name())
	return f, nil
}

// spoolBody copies body to an unlinked temporary file and returns it rewound with the request's
// fingerprint.
func spoolBody(method, path string, body io.Reader) (*os.File, string, error) {
	f, err := unlinkedTemp()
	if err != nil {
		return nil, "", err
	}
	hash, err := idempotency.StreamRequestHash(method, path, io.TeeReader(body, f))
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		if _, ok := apperr.As(err); ok {
			return nil, "", err // over the limit, or the client's read failed
		}
		return nil, "", fmt.Errorf("web: bulk: spool: %w", err)
	}
	return f, hash, nil
}

// runBulk applies body and returns the answer in an unlinked temporary file, rewound, and its size.
func (s *Server) runBulk(ctx context.Context, req ingest.Request, lang string, body io.Reader) (*os.File, int64, error) {
	f, err := unlinkedTemp()
	if err != nil {
		return nil, 0, err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	err = s.deps.Records.Bulk(ctx, req, body, func(r ingest.LineResult) error {
		return enc.Encode(s.bulkAnswer(lang, req.RequestID, r))
	})
	if err == nil {
		err = w.Flush()
	}
	var size int64
	if err == nil {
		size, err = f.Seek(0, io.SeekCurrent)
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, size, nil
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
	l.Title = s.deps.Translator.Translate(lang, developerKey(ae.Key), ae.Data)
	l.CurrentVersion = ae.Extra["currentVersion"]
	for _, f := range ae.Fields {
		l.Errors = append(l.Errors, ProblemField{Pointer: f.Pointer, Code: f.Key, Detail: s.deps.Translator.Translate(lang, f.Key, f.Data), Line: f.Line, Column: f.Column})
	}
	return l
}
