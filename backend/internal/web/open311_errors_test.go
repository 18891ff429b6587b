package web

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/valyala/fasthttp"

	"minside/backend/internal/apperr"
	"minside/backend/internal/open311"
)

// TestOpen311ErrorStatuses: the specification's statuses (403 for the key, 404 for what does not
// exist, 400 for the rest), and the honest ones where a client must back off or retry.
func TestOpen311ErrorStatuses(t *testing.T) {
	tests := []struct {
		err     *apperr.Error
		status  int
		message string
	}{
		{apperr.Forbidden(), http.StatusForbidden, "en:error.open311.api_key"},
		{apperr.Unauthorized(), http.StatusForbidden, "en:error.open311.api_key"},
		{apperr.NotFound(), http.StatusNotFound, "en:error.open311.not_found"},
		{apperr.New(apperr.CodeBadRequest), http.StatusBadRequest, "en:error.bad_request"},
		{apperr.New(apperr.CodeUnsupportedMediaType).WithDetail("error.detail.media_type", nil), http.StatusBadRequest,
			"en:error.unsupported_media_type en:error.detail.media_type"},
		{apperr.New(apperr.CodeConflict), http.StatusBadRequest, "en:error.api.conflict"},
		{apperr.New(apperr.CodeTooLarge), http.StatusRequestEntityTooLarge, "en:error.too_large"},
		{apperr.New(apperr.CodeRateLimited), http.StatusTooManyRequests, "en:error.rate_limited"},
		{apperr.New(apperr.CodeInternal), http.StatusInternalServerError, "en:error.internal"},
		{apperr.New(apperr.CodeUnavailable), http.StatusServiceUnavailable, "en:error.unavailable"},
	}
	s := newTestServer(t, nil)
	for _, tt := range tests {
		status, body, contentType := writeOpen311ErrorFor(t, s, "/open311/v2/requests.json", tt.err)
		if status != tt.status || contentType != "application/json; charset=utf-8" {
			t.Errorf("%s: %d %s, want %d", tt.err.Code, status, contentType, tt.status)
		}
		var errs []struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		}
		if err := json.Unmarshal(body, &errs); err != nil || len(errs) != 1 || errs[0].Code != tt.status || errs[0].Description != tt.message {
			t.Errorf("%s: %s (%v), want [{%d %q}]", tt.err.Code, body, err, tt.status, tt.message)
		}
	}
}

// TestOpen311FieldErrors: one entry per bad parameter, the parameter named first, in XML when
// the URL asks for XML; without a language middleware (an error raised before it), in English.
func TestOpen311FieldErrors(t *testing.T) {
	s := newTestServer(t, nil)
	status, body, contentType := writeOpen311ErrorFor(t, s, "/open311/v2/requests.xml", apperr.Invalid(
		apperr.Field("lat", "field.out_of_range", nil), apperr.Field("attribute[WHISHETN]", "field.required", nil)))
	if status != http.StatusBadRequest || contentType != open311.XML.ContentType() {
		t.Fatalf("%d %s", status, contentType)
	}
	var doc struct {
		Errors []struct {
			Code        int    `xml:"code"`
			Description string `xml:"description"`
		} `xml:"error"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	want := []string{"lat: en:field.out_of_range", "attribute[WHISHETN]: en:field.required"}
	if len(doc.Errors) != len(want) {
		t.Fatalf("errors %+v", doc.Errors)
	}
	for i, e := range doc.Errors {
		if e.Code != http.StatusBadRequest || e.Description != want[i] {
			t.Errorf("error %d: %+v, want {400 %q}", i, e, want[i])
		}
	}
}

// TestOpen311WithoutBackend: a server without an Open311 backend mounts nothing under /open311,
// and still answers there in Open311's error format.
func TestOpen311WithoutBackend(t *testing.T) {
	s := newTestServer(t, nil)
	resp := do(t, s, httptest.NewRequest(http.MethodGet, "/open311/v2/services.json", nil))
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != open311.JSON.ContentType() {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var errs []struct{ Code int }
	if err := json.NewDecoder(resp.Body).Decode(&errs); err != nil || len(errs) != 1 || errs[0].Code != http.StatusNotFound {
		t.Fatalf("errors %+v, %v", errs, err)
	}
}

func writeOpen311ErrorFor(t *testing.T, s *Server, path string, ae *apperr.Error) (int, []byte, string) {
	t.Helper()
	fctx := &fasthttp.RequestCtx{}
	fctx.Request.SetRequestURI(path)
	c := s.App().AcquireCtx(fctx)
	defer s.App().ReleaseCtx(c)
	if err := s.writeOpen311Error(c, ae); err != nil {
		t.Fatal(err)
	}
	return fctx.Response.StatusCode(), append([]byte(nil), fctx.Response.Body()...), string(fctx.Response.Header.ContentType())
}
