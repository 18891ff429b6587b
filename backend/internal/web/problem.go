package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
)

// statusOf maps a stable error code to its HTTP status: the only place that knows both.
var statusOf = map[apperr.Code]int{
	apperr.CodeBadRequest:           http.StatusBadRequest,
	apperr.CodeUnauthorized:         http.StatusUnauthorized,
	apperr.CodeForbidden:            http.StatusForbidden,
	apperr.CodeNotFound:             http.StatusNotFound,
	apperr.CodeMethodNotAllowed:     http.StatusMethodNotAllowed,
	apperr.CodeConflict:             http.StatusConflict,
	apperr.CodeGone:                 http.StatusGone,
	apperr.CodePreconditionFailed:   http.StatusPreconditionFailed,
	apperr.CodeTooLarge:             http.StatusRequestEntityTooLarge,
	apperr.CodeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	apperr.CodeInvalid:              http.StatusUnprocessableEntity,
	apperr.CodeRateLimited:          http.StatusTooManyRequests,
	apperr.CodeInternal:             http.StatusInternalServerError,
	apperr.CodeUnavailable:          http.StatusServiceUnavailable,
}

// codeOfStatus maps Fiber's own errors (unknown route, body too large, …) back to our codes.
func codeOfStatus(status int) apperr.Code {
	for code, st := range statusOf {
		if st == status {
			return code
		}
	}
	if status >= 500 {
		return apperr.CodeInternal
	}
	return apperr.CodeBadRequest
}

// Problem is the RFC 9457 body of every error answer.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Code      apperr.Code    `json:"code"`
	Instance  string         `json:"instance,omitempty"`
	RequestID string         `json:"requestId,omitempty"`
	Errors    []ProblemField `json:"errors,omitempty"`
	Extra     map[string]any `json:"-"`
}

// ProblemField names one bad input by JSON pointer.
type ProblemField struct {
	Pointer string `json:"pointer"`
	Code    string `json:"code"`
	Detail  string `json:"detail"`
	// Line and Column (from 1) point into an expression field's text, e.g. a rule's condition.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// MarshalJSON inlines the extension members next to the standard ones.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Extra) == 0 {
		return b, err
	}
	members := map[string]any{}
	if err := json.Unmarshal(b, &members); err != nil {
		return nil, err
	}
	for k, v := range p.Extra {
		if _, taken := members[k]; !taken {
			members[k] = v
		}
	}
	return json.Marshal(members)
}

// handleError is Fiber's one error handler: every error answer in the portal is made here.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	// Errors raised before the middleware ran (e.g. a body over the limit) still get our headers.
	s.ensureRequestID(c)
	s.setSecurityHeaders(c)

	ae, ok := apperr.As(err)
	if !ok {
		var fe *fiber.Error
		switch {
		case store.Unavailable(err) || pastDeadline(c):
			// The database is away or too slow (a session lookup, a read): say so, and that it passes.
			s.deps.Log.Warn("database unavailable", "request_id", requestIDOf(c), "route", routeOf(c), "err", err)
			ae = apperr.Unavailable(err)
		case errors.As(err, &fe):
			ae = apperr.New(codeOfStatus(fe.Code))
			if fe.Code == http.StatusRequestEntityTooLarge {
				ae.WithDetail("error.detail.body_too_large", map[string]any{"Limit": s.deps.Config.BodyLimit})
			}
		default:
			s.deps.Log.Error("internal error", "request_id", requestIDOf(c), "method", c.Method(), "route", routeOf(c), "err", err)
			ae = apperr.New(apperr.CodeInternal)
		}
	} else if ae.Err != nil {
		s.deps.Log.Info("request refused", "request_id", requestIDOf(c), "code", ae.Code, "err", ae.Err)
	}
	if ae.Code == apperr.CodeUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if isOpen311(c) {
		return s.writeOpen311Error(c, ae)
	}
	return s.writeProblem(c, ae)
}

// forDevelopers rewords the messages a citizen reads ("You need to log in") for the developer of
// a program calling a machine API ("A valid agency API key is required …"); other keys stay.
var forDevelopers = map[string]string{
	"error.unauthorized":            "error.api.unauthorized",
	"error.forbidden":               "error.api.forbidden",
	"error.not_found":               "error.api.not_found",
	"error.conflict":                "error.api.conflict",
	"error.invalid":                 "error.api.invalid",
	"error.detail.version_conflict": "error.detail.api_version_conflict",
}

// developerKey is the message key for a machine API's client.
func developerKey(key string) string {
	if k, ok := forDevelopers[key]; ok {
		return k
	}
	return key
}

func (s *Server) writeProblem(c *fiber.Ctx, ae *apperr.Error) error {
	lang := languageOf(c)
	status, ok := statusOf[ae.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	title, detail := ae.Key, ae.Detail
	if machineClient(c) {
		title, detail = developerKey(title), developerKey(detail)
	}
	t := s.deps.Translator
	p := Problem{
		Type:      "/problems/" + string(ae.Code),
		Title:     t.Translate(lang, title, ae.Data),
		Status:    status,
		Code:      ae.Code,
		Instance:  c.Path(),
		RequestID: requestIDOf(c),
		Extra:     ae.Extra,
	}
	if detail != "" {
		p.Detail = t.Translate(lang, detail, ae.Data)
	}
	for _, f := range ae.Fields {
		p.Errors = append(p.Errors, ProblemField{Pointer: f.Pointer, Code: f.Key, Detail: t.Translate(lang, f.Key, f.Data), Line: f.Line, Column: f.Column})
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentLanguage, lang)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Send(body)
}

// notFound answers every unmatched path inside a group.
func (s *Server) notFound(c *fiber.Ctx) error { return apperr.NotFound() }
