package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"minside/backend/internal/config"
	"minside/backend/internal/i18n"
	"minside/locales"
)

// keyTranslator answers the message id itself, so tests see which key an answer carries.
type keyTranslator struct{}

func (keyTranslator) Negotiate(saved, accept string) string {
	if strings.HasPrefix(accept, "en") {
		return "en"
	}
	return "nb"
}
func (keyTranslator) Translate(lang, id string, _ map[string]any) string { return lang + ":" + id }

type readiness struct{ err error }

func (r readiness) Ready(context.Context) error { return r.err }

var testPWA = fstest.MapFS{
	"index.html":           {Data: []byte("<!doctype html><title>Min side</title>")},
	"assets/app-1a2b3c.js": {Data: []byte(strings.Repeat("console.log('min side');\n", 100))},
	"sw.js":                {Data: []byte("self.addEventListener('fetch', () => {})")},
}

func newTestServer(t *testing.T, ready error) *Server {
	t.Helper()
	return newTestServerWith(t, config.Default(), ready)
}

func newTestServerWith(t *testing.T, cfg config.Config, ready error) *Server {
	t.Helper()
	bundle, err := i18n.New(locales.FS, i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{
		Catalog:    bundle,
		Config:     cfg,
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Translator: keyTranslator{},
		Ready:      readiness{ready},
		Registry:   prometheus.NewRegistry(),
		PWA:        testPWA,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func do(t *testing.T, s *Server, req *http.Request) *http.Response {
	t.Helper()
	resp, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func decodeProblem(t *testing.T, resp *http.Response) Problem {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	var p Problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

func assertSecurityHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for header, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
		"Permissions-Policy": "camera=(self), microphone=(), geolocation=(self), payment=()"} {
		if got := resp.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-ID")
	}
}

func TestHealthAndReadiness(t *testing.T) {
	up := newTestServer(t, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		if resp := do(t, up, httptest.NewRequest("GET", path, nil)); resp.StatusCode != 200 {
			t.Errorf("%s = %d", path, resp.StatusCode)
		}
	}
	down := newTestServer(t, errors.New("database is gone"))
	if resp := do(t, down, httptest.NewRequest("GET", "/healthz", nil)); resp.StatusCode != 200 {
		t.Errorf("healthz depends on the database: %d", resp.StatusCode)
	}
	resp := do(t, down, httptest.NewRequest("GET", "/readyz", nil))
	if resp.StatusCode != 503 {
		t.Fatalf("readyz with the database down = %d", resp.StatusCode)
	}
	p := decodeProblem(t, resp)
	if p.Code != "unavailable" || strings.Contains(p.Title+p.Detail, "database is gone") {
		t.Fatalf("problem leaks or is wrong: %+v", p)
	}
}

func TestErrorsAreProblemsWithHeaders(t *testing.T) {
	s := newTestServer(t, nil)
	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
		wantCode   string
	}{
		// Under /api/v1 the session is checked first (401 without one; see TestNoSessionIs401).
		{"unknown API route", httptest.NewRequest("GET", "/api/nothing-here", nil), 404, "not_found"},
		{"unknown API method", httptest.NewRequest("DELETE", "/api/nothing-here", nil), 404, "not_found"},
		{"unknown auth route", httptest.NewRequest("GET", "/auth/nowhere", nil), 404, "not_found"},
		{"missing asset", httptest.NewRequest("GET", "/assets/missing.js", nil), 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
			resp := do(t, s, tt.req)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			assertSecurityHeaders(t, resp)
			p := decodeProblem(t, resp)
			if string(p.Code) != tt.wantCode || p.Status != tt.wantStatus || p.Title != "en:error."+tt.wantCode || p.RequestID == "" {
				t.Fatalf("problem = %+v", p)
			}
		})
	}
}

// TestOversizedBody goes through a real listener: fasthttp refuses the body before any handler.
func TestOversizedBody(t *testing.T) {
	s := newTestServer(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.App().Listener(ln) }()
	t.Cleanup(func() { _ = s.App().Shutdown() })
	// A raw connection: the server answers 413 and closes before the body is sent, which makes
	// net/http's client fail now and then with "connection reset" while it is still writing.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/api/v1/anything", bytes.NewReader(make([]byte, 300<<10)))
	req.Header.Set("Content-Type", "application/json")
	go func() { _ = req.Write(conn) }() // may fail half-way once the server has answered
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	assertSecurityHeaders(t, resp)
	if p := decodeProblem(t, resp); p.Code != "too_large" || p.Detail != "nb:error.detail.body_too_large" {
		t.Fatalf("problem = %+v", p)
	}
}

func TestPWAIsServedWithCacheRules(t *testing.T) {
	s := newTestServer(t, nil)
	for path, wantCache := range map[string]string{
		"/":                     "no-cache",
		"/cases/0192-deep":      "no-cache", // deep link → index.html
		"/sw.js":                "no-cache",
		"/assets/app-1a2b3c.js": "public, max-age=31536000, immutable",
	} {
		resp := do(t, s, httptest.NewRequest("GET", path, nil))
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != wantCache {
			t.Errorf("%s: %d %q", path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		assertSecurityHeaders(t, resp)
	}
	req := httptest.NewRequest("GET", "/assets/app-1a2b3c.js", nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	resp := do(t, s, req)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatal("asset not served gzipped")
	}
	req = httptest.NewRequest("GET", "/", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if etag := do(t, s, httptest.NewRequest("GET", "/", nil)).Header.Get("ETag"); etag != "" {
		req.Header.Set("If-None-Match", etag)
		if got := do(t, s, req).StatusCode; got != 304 {
			t.Fatalf("revalidation = %d, want 304", got)
		}
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	s := newTestServer(t, nil)
	do(t, s, httptest.NewRequest("GET", "/healthz", nil))
	resp := do(t, s, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), `minside_http_requests_total{method="GET",route="/healthz",status="2xx"} 1`) {
		t.Fatalf("metrics lack the healthz request:\n%s", body)
	}
}

// TestShutdownDoesNotWaitForConnectionsThatNeverSentARequest: a client's spare connection, dialled
// ahead of need and never used, is closed at shutdown without a word instead of holding the
// shutdown until its read timeout runs out.
func TestShutdownDoesNotWaitForConnectionsThatNeverSentARequest(t *testing.T) {
	cfg := config.Default()
	cfg.HTTPReadTimeout, cfg.HTTPIdleTimeout, cfg.ShutdownTimeout = 30*time.Second, 30*time.Second, 25*time.Second
	s := newTestServerWith(t, cfg, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, shutdown := context.WithCancel(context.Background())
	defer shutdown()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	spare, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer spare.Close()
	// A request on a later connection is answered only after the spare one was accepted (the
	// server accepts in order): from here on the server holds the spare connection.
	used := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := used.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	start := time.Now()
	shutdown()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the shutdown still waits for a connection that never sent a request, after 10 s")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the shutdown took %s with a spare connection open; want it prompt", took.Round(time.Millisecond))
	}
	if err := spare.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(spare); len(got) > 0 || err != nil {
		t.Errorf("the spare connection read %q, %v; want a silent close", got, err)
	}
}

// TestShutdownBeforeTheServerListensStillEnds: a context cancelled before fasthttp has taken the
// listener (a test that ends at once, a signal during start-up) must still end Serve; fasthttp's
// shutdown closes only the listeners it already holds.
func TestShutdownBeforeTheServerListensStillEnds(t *testing.T) {
	s := newTestServer(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, shutdown := context.WithCancel(context.Background())
	shutdown()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	select {
	case err := <-served:
		if err != nil && !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not end after a shutdown that came before it listened")
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("the listener still accepts connections after the shutdown")
	}
}
