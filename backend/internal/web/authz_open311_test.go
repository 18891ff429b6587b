package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
)

// Access classes of Open311 GeoReport v2 (/open311/v2): reading is public, submitting takes an
// agency's api_key in the form, and refusals are in Open311's own error format.
const (
	open311Read   access = "Open311: public requests by id, no token resolves" // requests/{id}, tokens/{token}
	open311Submit access = "Open311: an agency api_key, its own services only" // POST requests
)

var open311JSON = map[string]string{"format": "json"}

// open311Form is a report to X's service with X's key: what the owner sends.
func open311Form(_ *testing.T, w *authzWorld, _ *actor) (string, any) {
	return "", open311Body(w.x.key)
}

func open311Body(key string) multipartBody {
	form := url.Values{"service_code": {"x-pothole"}, "description": {"Hull meldt i FixMyStreet"}, "address_string": {"Storgata 2"}}
	if key != "" {
		form.Set("api_key", key)
	}
	return multipartBody{contentType: "application/x-www-form-urlencoded", data: []byte(form.Encode())}
}

// checkOpen311Classes runs the checks of Open311's classes; false for any other.
func (row authzRoute) checkOpen311Classes(t *testing.T, w *authzWorld) bool {
	switch row.access {
	case open311Read:
		row.checkOpen311Read(t, w)
	case open311Submit:
		row.checkOpen311Submit(t, w)
	default:
		return false
	}
	return true
}

// checkOpen311Read: anyone reads A's report and the anonymous one as public requests without A's
// name or id, or the private link's token; a token (the anonymous report's private one included)
// resolves to nothing.
func (row authzRoute) checkOpen311Read(t *testing.T, w *authzWorld) {
	token := w.objects[objReportToken]
	if strings.Contains(row.path, "/tokens/") {
		t.Run("no token resolves", func(t *testing.T) {
			open311Refused(t, row.send(t, w, row.method, request{params: map[string]string{"token": token}}), http.StatusNotFound)
			open311Refused(t, row.send(t, w, row.method, request{who: w.b, params: map[string]string{"token": "nope"}}), http.StatusNotFound)
		})
		return
	}
	t.Run("anyone", func(t *testing.T) {
		for _, id := range []string{w.objects[objReport], w.objects[objAnonReport]} {
			r := row.send(t, w, row.method, request{who: w.b, params: map[string]string{"id": id}})
			succeeded(t, r)
			holdsNone(t, r, "a public request with A's", append([]string{token}, w.strangerMarks...))
		}
		open311Refused(t, row.send(t, w, row.method, request{params: map[string]string{"id": token}}), http.StatusNotFound)
	})
}

// checkOpen311Submit: no key, a wrong key, a citizen's session and agency Y's key on X's service
// are all 403 and change nothing; X's key submits to X's service.
func (row authzRoute) checkOpen311Submit(t *testing.T, w *authzWorld) {
	as := func(key string) authzRoute {
		r := row
		r.prepare = func(*testing.T, *authzWorld, *actor) (string, any) { return "", open311Body(key) }
		return r
	}
	t.Run("no key, wrong key, session, another agency", func(t *testing.T) {
		unchanged(t, "refused Open311 POSTs", w.wholeDigest, func() {
			open311Refused(t, as("").send(t, w, row.method, request{}), http.StatusForbidden)
			open311Refused(t, as("").send(t, w, row.method, request{who: w.a}), http.StatusForbidden)
			open311Refused(t, as(w.x.key+"x").send(t, w, row.method, request{}), http.StatusForbidden)
			open311Refused(t, as(w.y.key).send(t, w, row.method, request{}), http.StatusForbidden)
		})
	})
	t.Run("own", func(t *testing.T) {
		succeeded(t, row.send(t, w, row.method, request{}))
	})
}

// open311Refused: the status, in Open311's error format (never problem+json).
func open311Refused(t *testing.T, r *apptest.Response, status int) {
	t.Helper()
	o311Errors(t, r, status)
}
