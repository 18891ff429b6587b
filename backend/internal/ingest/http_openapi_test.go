package ingest_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/ingest"
	"minside/backend/internal/web"
)

func TestAgencyOpenAPIDocumentIsValidAndServed(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(web.AgencyOpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(ctx, openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	// Every kind the service knows has its three operations documented, with an example.
	for _, kind := range ingest.Kinds() {
		item := doc.Paths.Find("/" + string(kind) + "/{externalId}")
		if item == nil || item.Put == nil || item.Get == nil || item.Delete == nil {
			t.Fatalf("%s is not fully documented", kind)
		}
		if item.Put.RequestBody.Value.Content.Get("application/json").Example == nil {
			t.Fatalf("%s has no example", kind)
		}
	}
	api := newAgencyAPI(t, apptest.Start(t))
	r := api.call(http.MethodGet, "/openapi.json", "", "", nil)
	if r.Status != http.StatusOK || !bytes.Equal(r.Body, web.AgencyOpenAPI()) {
		t.Fatalf("GET /openapi.json: %d", r.Status)
	}
}

// The validator the API tests rely on really refuses what the document does not allow: a test of
// the test harness, so a green API test means something.
func TestOpenAPIValidatorRefusesUndocumentedAnswers(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	ctx := context.Background()
	router := openAPIRouter(t)
	req := httptest.NewRequest(http.MethodGet, testOrigin+"/api/agency/v1/tiles/t1", nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	tests := []struct {
		name, contentType, body string
		status                  int
	}{
		{"extra member", "application/json", `{"id":"0193f2a0-8c1e-7a54-b0d4-5b2f1e0c9a11","title":{"nb":"x"},"link":"https://x.no","icon":"child","status":"published","version":1,"secret":"x"}`, 200},
		{"problem without code", "application/problem+json", `{"type":"/problems/not_found","title":"x","status":404}`, 404},
		{"undocumented status", "application/problem+json", `{"type":"/problems/gone","title":"x","status":410,"code":"gone"}`, 410},
	}
	for _, tc := range tests {
		rv := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: tc.status,
			Header: http.Header{"Content-Type": {tc.contentType}}, Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		rv.SetBodyBytes([]byte(tc.body))
		if err := openapi3filter.ValidateResponse(ctx, rv); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}
