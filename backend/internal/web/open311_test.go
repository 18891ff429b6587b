package web_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
)

// Every answer under /open311 that is not found is in Open311's error format, never
// problem+json or the PWA, and an api_key a client sends reaches no log line, wherever it is put.
// The live endpoints are tested in open311_live_test.go and open311_requests_test.go.

func TestOpen311NotFoundAnswersOpen311Errors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.Anonymous(t)
		r := c.Get(t, "/open311/v2/services.txt").Status(t, http.StatusNotFound)
		if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		var errs []struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		}
		r.JSON(t, &errs)
		if len(errs) != 1 || errs[0].Code != http.StatusNotFound || errs[0].Description == "" || strings.Contains(errs[0].Description, "error.") {
			t.Errorf("errors %+v", errs)
		}
		if r.Header.Get("Content-Language") != "en" {
			t.Errorf("a program without Accept-Language reads English, got %q", r.Header.Get("Content-Language"))
		}

		r = c.Get(t, "/open311/v2/requests/r1.xml").Status(t, http.StatusNotFound)
		if ct := r.Header.Get("Content-Type"); ct != "text/xml; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		var doc struct {
			XMLName xml.Name `xml:"errors"`
			Errors  []struct {
				Code        int    `xml:"code"`
				Description string `xml:"description"`
			} `xml:"error"`
		}
		if err := xml.Unmarshal(r.Body, &doc); err != nil || len(doc.Errors) != 1 || doc.Errors[0].Code != http.StatusNotFound {
			t.Errorf("XML errors %+v (%v):\n%s", doc, err, r.Body)
		}
	})
}

// TestOpen311APIKeyNeverLogged: a key sent in the query string and in the form body, refused or
// not, is in no log line.
func TestOpen311APIKeyNeverLogged(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		const queryKey, formKey = "ms_0a1b2c3d_querysecretquerysecret", "form-secret-4711"
		c := p.Anonymous(t)
		c.Get(t, "/open311/v2/requests.json?api_key="+queryKey).Status(t, http.StatusOK)
		req := c.NewRequest(t, http.MethodPost, "/open311/v2/requests.json?api_key="+queryKey,
			strings.NewReader(url.Values{"api_key": {formKey}, "service_code": {"001"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		c.Do(t, req).Status(t, http.StatusForbidden) // an unknown key is refused before the form is read
		req = c.NewRequest(t, http.MethodPost, "/open311/v2/requests.json?api_key="+queryKey,
			strings.NewReader(url.Values{"service_code": {"001"}, "address_string": {"Torget"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		c.Do(t, req).Status(t, http.StatusForbidden) // the same, with a service that does not exist
		req = c.NewRequest(t, http.MethodPost, "/open311/v2/requests/"+queryKey+".json", strings.NewReader("api_key="+formKey))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r := c.Do(t, req).Status(t, http.StatusNotFound)
		var errs []map[string]any
		if err := json.Unmarshal(r.Body, &errs); err != nil || len(errs) != 1 {
			t.Errorf("not an Open311 error: %s", r.Body)
		}
		logs := p.Logs()
		if !strings.Contains(logs, "/open311/v2/requests") {
			t.Fatalf("no access line for the Open311 requests:\n%s", logs)
		}
		for _, secret := range []string{"querysecretquerysecret", formKey} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log carries the api_key %q:\n%s", secret, logs)
			}
		}
	})
}
