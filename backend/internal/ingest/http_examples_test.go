package ingest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"minside/backend/internal/ingest"
	"minside/backend/internal/represent"
	"minside/backend/internal/web"
)

// An agency developer's first request is an example pasted from the OpenAPI document: every
// example must be accepted exactly as written.
func TestEveryOpenAPIExampleIsAcceptedAsIs(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	doc, err := openapi3.NewLoader().LoadFromData(web.AgencyOpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		// The relation example is a power of attorney: only an agency with that authority may write it.
		key := api.newAgency("eksempel", represent.KindPowerOfAttorney)
		// The errand example allows two agencies to join: they must exist.
		api.newAgency("bymiljoetaten")
		api.newAgency("vann-og-avlop")
		for _, kind := range ingest.Kinds() {
			example := doc.Paths.Find("/" + string(kind) + "/{externalId}").Put.RequestBody.Value.Content.Get("application/json").Example
			body, err := json.Marshal(example)
			if err != nil {
				t.Fatal(err)
			}
			if r := api.call(http.MethodPut, "/"+string(kind)+"/example-1", key, "application/json", body); r.Status != http.StatusCreated {
				t.Errorf("the %s example: %d %s", kind, r.Status, r.Body)
			}
		}
		bulk, ok := doc.Paths.Find("/bulk").Post.RequestBody.Value.Content.Get("application/x-ndjson").Example.(string)
		if !ok || bulk == "" {
			t.Fatal("the bulk example is not NDJSON text")
		}
		other := api.newAgency("eksempel-bulk")
		for _, line := range bulkLines(t, api.call(http.MethodPost, "/bulk", other, "application/x-ndjson", []byte(bulk))) {
			if line.Status != http.StatusCreated {
				t.Errorf("bulk example line %d: %d %+v", line.Line, line.Status, line.Errors)
			}
		}
	})
}
