package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
)

// check runs the row's checks for its access class, each as a subtest. Refusals come before the
// owner's own request, so "nothing changed" is measured on untouched objects.
func (row authzRoute) check(t *testing.T, w *authzWorld) {
	switch row.access {
	case public, operator:
		row.checkPublic(t, w)
	case devOnly:
		row.checkDevOnly(t, w)
	case secretLink:
		row.checkSecretLink(t, w)
	case citizenSelf:
		row.checkCitizenSelf(t, w)
	case citizenObject:
		row.checkCitizenObject(t, w)
	case editor:
		row.checkEditor(t, w)
	case translator:
		row.checkTranslator(t, w)
	case agencyRecord:
		row.checkAgencyRecord(t, w)
	case agencyBulk:
		row.checkAgencyBulk(t, w)
	case agencyList:
		row.checkAgencyList(t, w)
	case agencySelf:
		row.checkAgencySelf(t, w)
	case agencyMessage:
		row.checkAgencyMessage(t, w)
	case signedLink:
		row.checkSignedLink(t, w)
	case citizenIdea:
		row.checkCitizenIdea(t, w)
	case agencyIdeas:
		row.checkAgencyIdeas(t, w)
	default:
		if !row.checkReportClasses(t, w) && !row.checkOpen311Classes(t, w) {
			t.Fatalf("access class %q has no checks", row.access)
		}
	}
}

// request is one request of a check.
type request struct {
	who    *actor // nil: no session (anonymous client)
	client *apptest.Client
	params map[string]string
	header http.Header
	spell  func(path string) string // another spelling of the filled path (nil: as is)
}

// spellings are other ways to write a path; the router may take one as the same route (then it
// meets the same refusal) or as none (404), but no spelling may slip past a group's middleware.
var spellings = map[string]func(string) string{
	"":               nil,
	"upper case":     strings.ToUpper,
	"trailing slash": func(p string) string { return p + "/" },
	"double slash":   func(p string) string { return strings.Replace(p, "/", "//", 2)[1:] },
}

// send makes the row's request as r.who (or with r.client), its path parameters filled from
// r.params, then the row's own. It fails the test on any 5xx.
func (row authzRoute) send(t *testing.T, w *authzWorld, method string, r request) *apptest.Response {
	t.Helper()
	params := map[string]string{}
	for k, v := range row.params {
		params[k] = v
	}
	for k, v := range r.params {
		params[k] = v
	}
	target := fill(t, row.path, params)
	if r.spell != nil {
		target = r.spell(target)
	}
	var body any
	if row.prepare != nil {
		who := r.who
		if who == nil {
			who = w.a
		}
		var query string
		query, body = row.prepare(t, w, who)
		if query != "" {
			target += "?" + query
		}
	}
	c := r.client
	switch {
	case c == nil && r.who != nil:
		c = r.who.c
	case c == nil:
		c = w.p.Anonymous(t)
	}
	resp := do(t, c, method, target, body, r.header)
	if resp.StatusCode >= 500 {
		t.Errorf("%s %s as %s: %d (a server error for a request any client can send); body: %.300s", method, target, r.whoName(), resp.StatusCode, resp.Body)
	}
	return resp
}

func (r request) whoName() string {
	if r.who == nil {
		return "anyone"
	}
	return r.who.String()
}

// fill puts values into a route pattern's parameters; a parameter without a value fails the test.
func fill(t *testing.T, pattern string, params map[string]string) string {
	t.Helper()
	parts := strings.Split(pattern, "/")
	for i, part := range parts {
		if strings.Contains(part, ".:") { // Open311's ":id.:format", "services.:format"
			parts[i] = fill(t, strings.ReplaceAll(part, ".", "/"), params)
			parts[i] = strings.ReplaceAll(parts[i], "/", ".")
			continue
		}
		name, isParam := strings.CutPrefix(part, ":")
		if part == "*" {
			name, isParam = "*", true
		}
		if !isParam {
			continue
		}
		v, ok := params[name]
		if !ok {
			t.Fatalf("%s: no value for the path parameter %q: give the row params, or teach its access class", pattern, name)
		}
		parts[i] = v
	}
	return strings.Join(parts, "/")
}

// do sends one request with c's cookies and headers, and the CSRF token on unsafe methods unless
// header sets X-CSRF-Token itself. An event stream is read up to its first chunk.
func do(t *testing.T, c *apptest.Client, method, target string, body any, header http.Header) *apptest.Response {
	t.Helper()
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, contentType = bytes.NewReader(b), "application/x-ndjson"
	case multipartBody:
		rd, contentType = bytes.NewReader(b.data), b.contentType
	default:
		encoded, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, contentType = bytes.NewReader(encoded), "application/json"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := c.NewRequest(t, method, target, rd).WithContext(ctx)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if _, set := req.Header["X-Csrf-Token"]; !set && c.CSRFToken != "" && method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("X-CSRF-Token", c.CSRFToken)
	}
	for k, vs := range c.Header {
		if _, set := req.Header[k]; !set {
			req.Header[k] = vs
		}
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	var got []byte
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		got = buf[:n]
	} else if got, err = io.ReadAll(resp.Body); err != nil {
		t.Fatalf("%s %s: read: %v", method, target, err)
	}
	return &apptest.Response{Response: resp, Body: got}
}

// refused fails unless the answer is a problem+json with one of the statuses.
func refused(t *testing.T, r *apptest.Response, statuses ...int) {
	t.Helper()
	if !slices.Contains(statuses, r.StatusCode) {
		t.Errorf("%s %s: %d, want %v; body: %.300s", r.Request.Method, r.Request.URL.Path, r.StatusCode, statuses, r.Body)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") && r.Request.Method != http.MethodHead {
		t.Errorf("%s %s: %d as %q, want application/problem+json", r.Request.Method, r.Request.URL.Path, r.StatusCode, ct)
	}
}

// succeeded fails unless the answer is a success: the owner's request proves the fixture is right.
func succeeded(t *testing.T, r *apptest.Response) {
	t.Helper()
	if r.StatusCode < 200 || r.StatusCode > 299 {
		t.Errorf("%s %s by its owner: %d, want a success; body: %.300s", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.Body)
	}
}

// holdsNone fails if the answer (each file of a zip) holds any of the marks.
func holdsNone(t *testing.T, r *apptest.Response, whose string, marks []string) {
	t.Helper()
	text := string(r.Body)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/zip") {
		text = unzipped(t, r.Body)
	}
	for _, m := range marks {
		if strings.Contains(text, m) {
			t.Errorf("%s %s answered %s %q (%d): %.300s", r.Request.Method, r.Request.URL.Path, whose, m, r.StatusCode, text)
		}
	}
}

func unzipped(t *testing.T, b []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	var all strings.Builder
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(&all, rc)
		_ = rc.Close()
	}
	return all.String()
}

// unchanged runs fn and fails if the digest taken by take differs afterwards.
func unchanged(t *testing.T, what string, take func(*testing.T) digest, fn func()) {
	t.Helper()
	before := take(t)
	fn()
	if diff := changed(before, take(t)); len(diff) > 0 {
		t.Errorf("%s changed %v", what, diff)
	}
}

// notCredentialed is the refusal of a request without credentials: 401, or 404 for a spelling
// the router does not take as the route.
func notCredentialed(spell func(string) string) []int {
	if spell == nil {
		return []int{http.StatusUnauthorized}
	}
	return []int{http.StatusUnauthorized, http.StatusNotFound}
}

func unsafe(method string) bool { return method != http.MethodGet && method != http.MethodHead }

// checkNoCredentials: without a session (or key) the route answers 401, for GET also on HEAD.
func (row authzRoute) checkNoCredentials(t *testing.T, w *authzWorld, params map[string]string) {
	t.Run("no credentials", func(t *testing.T) {
		unchanged(t, "a request without credentials", w.wholeDigest, func() {
			for _, spell := range spellings {
				r := row.send(t, w, row.method, request{params: params, spell: spell})
				refused(t, r, notCredentialed(spell)...)
			}
			if row.method == http.MethodGet {
				refused(t, row.send(t, w, http.MethodHead, request{params: params}), http.StatusUnauthorized)
			}
			// An agency's key is no session.
			refused(t, row.send(t, w, row.method, request{client: w.x.c, params: params}), http.StatusUnauthorized)
		})
	})
}

// checkCSRF: an unsafe method from the right session without the token, or cross-site with it, is 403.
func (row authzRoute) checkCSRF(t *testing.T, w *authzWorld, who *actor, params map[string]string) {
	if !unsafe(row.method) {
		return
	}
	t.Run("no CSRF token", func(t *testing.T) {
		unchanged(t, "a request without the CSRF token", w.wholeDigest, func() {
			refused(t, row.send(t, w, row.method, request{who: who, params: params, header: http.Header{"X-Csrf-Token": {""}}}), http.StatusForbidden)
			refused(t, row.send(t, w, row.method, request{who: who, params: params, header: http.Header{"Sec-Fetch-Site": {"cross-site"}}}), http.StatusForbidden)
		})
	})
}
