package apptest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/pid"
)

// Client is a browser-like HTTP client of one portal: a cookie jar, redirects followed, and the
// session's CSRF token sent on unsafe methods once logged in.
type Client struct {
	HTTP      *http.Client
	Base      string
	CSRFToken string      // set by LoginAs from GET /api/v1/me
	Header    http.Header // sent with every request (e.g. Accept-Language)
	Redirects []*url.URL  // every redirect followed, in order (e.g. to replay a callback)
	SetCookie []string    // every Set-Cookie header received, in order (to check cookie attributes)
}

// recorder keeps the Set-Cookie headers of every answer, redirects included.
type recorder struct{ c *Client }

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		r.c.SetCookie = append(r.c.SetCookie, resp.Header.Values("Set-Cookie")...)
	}
	return resp, err
}

// Anonymous returns a client without a session.
func (p *Portal) Anonymous(t testing.TB) *Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatalf("apptest: cookie jar: %v", err)
	}
	c := &Client{Base: p.URL, Header: http.Header{}}
	c.HTTP = &http.Client{Jar: jar, Transport: recorder{c}, Timeout: 15 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		c.Redirects = append(c.Redirects, req.URL)
		return nil
	}}
	return c
}

// LoginOptions shape a login through the real flow.
type LoginOptions struct {
	ReturnTo string // passed as returnTo to /auth/login
	Shared   bool   // shared=1
	ACR      string // acr= on /auth/login (step-up request)
	LoginACR string // the level chosen on the dev identity provider's page ("" = as requested)
	Cancel   bool   // press "cancel" at the provider
}

// LoginAs logs in as the person with this national identity number through GET /auth/login →
// /dev-idp/authorize (the form post of the pid) → /auth/callback, and returns the logged-in client
// with its CSRF token. The test fails if the login does not end with a session.
func (p *Portal) LoginAs(t testing.TB, number string) *Client {
	t.Helper()
	c := p.Anonymous(t)
	final := c.Login(t, number, LoginOptions{})
	if final.Query().Get("login") == "failed" {
		t.Fatalf("apptest: login refused: %s", final.Query().Get("reason"))
	}
	r := c.Get(t, "/api/v1/me")
	r.Status(t, http.StatusOK)
	var me struct {
		CSRFToken string `json:"csrfToken"`
	}
	r.JSON(t, &me)
	c.CSRFToken = me.CSRFToken
	return c
}

// Login runs the login flow on this client and returns the URL the browser ended on (the
// returnTo path after success, "/?login=failed&reason=…" after a refusal).
func (c *Client) Login(t testing.TB, number string, o LoginOptions) *url.URL {
	t.Helper()
	q := url.Values{}
	if o.ReturnTo != "" {
		q.Set("returnTo", o.ReturnTo)
	}
	if o.Shared {
		q.Set("shared", "1")
	}
	if o.ACR != "" {
		q.Set("acr", o.ACR)
	}
	page := c.do(t, http.MethodGet, "/auth/login?"+q.Encode(), nil, "")
	page.Status(t, http.StatusOK)
	authorize := page.Request.URL
	if !strings.HasSuffix(authorize.Path, "/dev-idp/authorize") {
		t.Fatalf("apptest: /auth/login led to %s, not the dev identity provider", authorize.Path)
	}
	form := authorize.Query() // the page posts the authorization request back with the pid
	form.Set("pid", number)
	if o.LoginACR != "" {
		form.Set("acr", o.LoginACR)
	}
	if o.Cancel {
		form.Set("cancel", "1")
	}
	done := c.do(t, http.MethodPost, authorize.String(), strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	return done.Request.URL
}

// Visit GETs a path or absolute URL (e.g. an end-session URL, or a callback to replay).
func (c *Client) Visit(t testing.TB, rawURL string) *Response {
	t.Helper()
	return c.do(t, http.MethodGet, rawURL, nil, "")
}

// Response is an answer with its body read.
type Response struct {
	*http.Response
	Body []byte
}

// Status fails the test unless the answer has this status.
func (r *Response) Status(t testing.TB, want int) *Response {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body: %.500s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.Body)
	}
	return r
}

// JSON decodes the body into v.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%s %s: decode %.300s: %v", r.Request.Method, r.Request.URL.Path, r.Body, err)
	}
}

// Problem decodes an application/problem+json body, failing the test if it is not one.
func (r *Response) Problem(t testing.TB) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s %s: content type %q, want application/problem+json", r.Request.Method, r.Request.URL.Path, ct)
	}
	var p Problem
	r.JSON(t, &p)
	return p
}

// Problem is the part of a problem+json body tests look at.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
}

// Get sends GET path.
func (c *Client) Get(t testing.TB, path string) *Response {
	t.Helper()
	return c.do(t, http.MethodGet, path, nil, "")
}

// Send sends method path with body encoded as JSON (nil: no body) and the CSRF token on unsafe methods.
func (c *Client) Send(t testing.TB, method, path string, body any) *Response {
	t.Helper()
	if body == nil {
		return c.do(t, method, path, nil, "")
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatalf("apptest: encode body: %v", err)
	}
	return c.do(t, method, path, bytes.NewReader(b), "application/json")
}

// Do sends a prepared request (headers as given; the CSRF token is added on unsafe methods unless
// the request sets X-CSRF-Token itself, even to "").
func (c *Client) Do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	if _, set := req.Header["X-Csrf-Token"]; !set && unsafeMethod(req.Method) && c.CSRFToken != "" {
		req.Header.Set("X-CSRF-Token", c.CSRFToken)
	}
	for k, vs := range c.Header {
		if _, set := req.Header[k]; !set {
			req.Header[k] = vs
		}
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("apptest: %s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("apptest: read %s: %v", req.URL.Path, err)
	}
	return &Response{Response: resp, Body: body}
}

// NewRequest builds a request to path (relative to the portal) or an absolute URL.
func (c *Client) NewRequest(t testing.TB, method, path string, body io.Reader) *http.Request {
	t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = c.Base + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatalf("apptest: request: %v", err)
	}
	return req
}

func (c *Client) do(t testing.TB, method, path string, body io.Reader, contentType string) *Response {
	t.Helper()
	req := c.NewRequest(t, method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return c.Do(t, req)
}

func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// PID returns a synthetic national identity number (as the test register issues) for someone born
// on 1 June of year; n picks different people born that day (0–99).
func PID(t testing.TB, year, n int) string {
	t.Helper()
	return PIDBorn(t, time.Date(year, time.June, 1, 0, 0, 0, 0, time.UTC), n)
}

// PIDBorn is PID for an exact birth date.
func PIDBorn(t testing.TB, birth time.Time, n int) string {
	t.Helper()
	lo := 0
	switch y := birth.Year(); {
	case y >= 2000:
		lo = 500
	case y < 1900:
		lo = 500
	}
	for i := lo + n*3; i < lo+500; i++ {
		if s, err := pid.Synthetic(birth, i); err == nil {
			return s
		}
	}
	t.Fatalf("apptest: no synthetic number for %s/%d", birth.Format(time.DateOnly), n)
	return ""
}
