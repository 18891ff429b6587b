package ingest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"minside/backend/internal/ingest"
	"minside/backend/internal/web"
)

// TestEveryBadFieldIsListedAtOnce sends a record with an unknown member and several invalid
// values: the unknown member is one more field error, not the only one.
func TestEveryBadFieldIsListedAtOnce(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("bibliotek")
		before := api.snapshot()
		tile := map[string]any{"titel": map[string]string{"nb": "Lånekort"}, "link": "http://example.no",
			"icon": "rocket", "status": "published", "version": 1}
		r := api.put("/tiles/lanekort", key, tile)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("PUT = %d %s", r.Status, r.Body)
		}
		got := r.pointers(t)
		for _, want := range []string{"/titel field.unknown", "/title field.required", "/link field.must_be_https", "/icon field.invalid_enum"} {
			if !slices.Contains(got, want) {
				t.Errorf("errors %v lack %q", got, want)
			}
		}
		// A bad external id is listed with them too, and says why.
		r = api.put("/tiles/01018512345", key, tile)
		got = r.pointers(t)
		if r.Status != http.StatusUnprocessableEntity || !slices.Contains(got, "/externalId field.external_id_looks_like_pid") ||
			!slices.Contains(got, "/titel field.unknown") || !slices.Contains(got, "/icon field.invalid_enum") {
			t.Fatalf("11-digit external id: %d %v", r.Status, got)
		}
		if detail := fieldDetail(t, r, "/externalId"); !strings.Contains(detail, "URL") || !strings.Contains(detail, "national identity number") {
			t.Errorf("the external id error does not say why: %q", detail)
		}
		// In a bulk line too, and the kind is named as documented (the plural of the path).
		body := `{"kind":"tiles","externalId":"lanekort","record":{"titel":{"nb":"x"},"icon":"rocket","link":"https://example.no","status":"published","version":1}}` + "\n" +
			`{"kind":"tile","externalId":"lanekort","record":{}}` + "\n"
		br := api.call(http.MethodPost, "/bulk", key, "application/x-ndjson", []byte(body))
		lines := strings.Split(strings.TrimSpace(string(br.Body)), "\n")
		if br.Status != http.StatusOK || len(lines) != 2 {
			t.Fatalf("bulk: %d %s", br.Status, br.Body)
		}
		var first, second struct {
			Status int
			Errors []web.ProblemField
		}
		_ = json.Unmarshal([]byte(lines[0]), &first)
		_ = json.Unmarshal([]byte(lines[1]), &second)
		var codes []string
		for _, f := range first.Errors {
			codes = append(codes, f.Pointer+" "+f.Code)
		}
		if first.Status != 422 || !slices.Contains(codes, "/record/titel field.unknown") || !slices.Contains(codes, "/record/title field.required") ||
			!slices.Contains(codes, "/record/icon field.invalid_enum") {
			t.Errorf("bulk line 1: %d %v", first.Status, codes)
		}
		if second.Status != 422 || len(second.Errors) == 0 || second.Errors[0].Pointer != "/kind" ||
			!strings.Contains(second.Errors[0].Detail, "tiles") {
			t.Errorf("bulk line with a singular kind: %s", lines[1])
		}
		if after := api.snapshot(); !mapsEqual(before, after) {
			t.Errorf("refused requests changed the database: %v → %v", before, after)
		}
	})
}

// TestBulkKindsAreTheDocumentedOnes keeps the OpenAPI document's BulkLine kinds and the code's one list.
func TestBulkKindsAreTheDocumentedOnes(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				BulkLine struct {
					Properties struct {
						Kind struct {
							Enum []string `json:"enum"`
						} `json:"kind"`
					} `json:"properties"`
				} `json:"BulkLine"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(web.AgencyOpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, k := range ingest.Kinds() {
		kinds = append(kinds, string(k))
	}
	if got := doc.Components.Schemas.BulkLine.Properties.Kind.Enum; !slices.Equal(got, kinds) {
		t.Fatalf("BulkLine kinds %v, the code takes %v", got, kinds)
	}
}

// TestAPIErrorsDefaultToEnglish: a program gets English unless it asks for another language;
// a citizen's browser keeps the portal's default.
func TestAPIErrorsDefaultToEnglish(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("bibliotek")
		r := api.get("/tiles/nothing-here", key)
		if r.Status != http.StatusNotFound || r.Header.Get("Content-Language") != "en" {
			t.Fatalf("no Accept-Language: %d %q %s", r.Status, r.Header.Get("Content-Language"), r.Body)
		}
		// Worded for the developer, not for a citizen ("We could not find what you were looking for").
		if title := r.json(t)["title"]; title != "Unknown path, or this agency has no record with this external id" {
			t.Errorf("404 title for a program: %q", title)
		}
		if title := api.get("/tiles/x", "ms_wrong").json(t)["title"]; !strings.Contains(title.(string), "API key") {
			t.Errorf("401 title for a program: %q", title)
		}
		r = api.call(http.MethodGet, "/tiles/nothing-here", key, "", nil, "Accept-Language", "nb")
		if r.Header.Get("Content-Language") != "nb" {
			t.Fatalf("Accept-Language nb: %q %s", r.Header.Get("Content-Language"), r.Body)
		}
		r = api.call(http.MethodGet, "/tiles/nothing-here", key, "", nil, "Accept-Language", "de-DE")
		if r.Header.Get("Content-Language") != "en" {
			t.Fatalf("Accept-Language de: %q", r.Header.Get("Content-Language"))
		}
		resp, err := api.app.Server.App().Test(httptestRequest(http.MethodGet, "/api/v1/me"), -1)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Language") != "nb" {
			t.Fatalf("citizen API without Accept-Language: %d %q", resp.StatusCode, resp.Header.Get("Content-Language"))
		}
	})
}

func fieldDetail(t *testing.T, r reply, pointer string) string {
	t.Helper()
	var p web.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Errors {
		if f.Pointer == pointer {
			return f.Detail
		}
	}
	return ""
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func httptestRequest(method, path string) *http.Request {
	req, _ := http.NewRequest(method, testOrigin+path, nil)
	return req
}
