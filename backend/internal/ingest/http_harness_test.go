package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"minside/backend/internal/app"
	"minside/backend/internal/app/apptest"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/web"
)

// testOrigin is where the tests pretend the portal runs, so the document's relative server URL
// resolves for the router.
const testOrigin = "http://portal.test"

var registerNDJSON sync.Once

// agencyAPI is the whole portal on one database, with a validator that checks every request and
// response against the OpenAPI document.
type agencyAPI struct {
	t      *testing.T
	portal *apptest.Portal
	app    *app.App
	router routers.Router
}

// eachEngine runs fn on a fresh portal per configured database engine.
func eachEngine(t *testing.T, fn func(t *testing.T, api *agencyAPI)) {
	t.Helper()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) { fn(t, newAgencyAPI(t, p)) })
}

// newAgencyAPI wraps a running portal (apptest checks at the end that no national identity
// number reached the log).
func newAgencyAPI(t *testing.T, p *apptest.Portal) *agencyAPI {
	t.Helper()
	p.Settle(t) // snapshots compare the whole database: the portal's own start-up work first
	return &agencyAPI{t: t, portal: p, app: p.App, router: openAPIRouter(t)}
}

func openAPIRouter(t *testing.T) routers.Router {
	t.Helper()
	registerNDJSON.Do(func() { openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.PlainBodyDecoder) })
	doc, err := openapi3.NewLoader().LoadFromData(web.AgencyOpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: testOrigin + "/api/agency/v1"}}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// reply is a finished response.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// pointers lists the JSON pointers of a problem's field errors.
func (r reply) pointers(t *testing.T) []string {
	t.Helper()
	var p web.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Pointer+" "+f.Code)
	}
	return out
}

// call sends one request through the real app and validates it against the document: a response
// must always match; a request the document refuses must be refused by the server too (4xx), so
// the document is never looser or stricter than the code without a test failing.
func (api *agencyAPI) call(method, path, key, contentType string, body []byte, header ...string) reply {
	t := api.t
	t.Helper()
	newReq := func() *http.Request {
		req := httptest.NewRequest(method, testOrigin+"/api/agency/v1"+path, bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return req
	}
	ctx := context.Background()
	route, params, routeErr := api.router.FindRoute(newReq())
	var input *openapi3filter.RequestValidationInput
	requestValid := false
	if routeErr == nil {
		input = &openapi3filter.RequestValidationInput{
			Request: newReq(), PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
		}
		requestValid = openapi3filter.ValidateRequest(ctx, input) == nil
	}
	resp, err := api.app.Server.App().Test(newReq(), -1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	r := reply{Status: resp.StatusCode, Header: resp.Header, Body: got}
	if routeErr != nil {
		t.Fatalf("%s %s is not in the OpenAPI document: %v", method, path, routeErr)
	}
	if !requestValid && r.Status < 400 {
		err := openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{Request: newReq(), PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}})
		t.Fatalf("%s %s: the document refuses the request but the server answered %d: %v", method, path, r.Status, err)
	}
	rv := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input, Status: r.Status, Header: r.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	rv.SetBodyBytes(got)
	if err := openapi3filter.ValidateResponse(ctx, rv); err != nil {
		t.Fatalf("%s %s answered %d, which the OpenAPI document does not allow: %v\n%s", method, path, r.Status, err, got)
	}
	return r
}

func (api *agencyAPI) put(path, key string, record any) reply {
	api.t.Helper()
	return api.call(http.MethodPut, path, key, "application/json", mustJSON(api.t, record))
}

func (api *agencyAPI) get(path, key string) reply {
	api.t.Helper()
	return api.call(http.MethodGet, path, key, "", nil)
}

func (api *agencyAPI) del(path, key string) reply {
	api.t.Helper()
	return api.call(http.MethodDelete, path, key, "", nil)
}

// newAgency creates an agency through the service, as the CLI does, with the authorities named
// (kinds of relation it may write), and returns its key.
func (api *agencyAPI) newAgency(slug string, authorities ...string) string {
	api.t.Helper()
	_, key, _, err := api.app.Agencies.Create(context.Background(), slug, "Etat "+slug, "", authorities...)
	if err != nil {
		api.t.Fatal(err)
	}
	return key.Key
}

func (api *agencyAPI) db() *store.DB { return api.app.DB }

// count returns the rows of a table matching an optional condition.
func (api *agencyAPI) count(table, where string, args ...any) int {
	api.t.Helper()
	q := api.db().NewSelect().TableExpr(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	n, err := q.Count(context.Background())
	if err != nil {
		api.t.Fatal(err)
	}
	return int(n)
}

// snapshot counts the rows of every table, to prove a refused request changed nothing.
func (api *agencyAPI) snapshot() map[string]int {
	api.t.Helper()
	ctx := context.Background()
	var tables []string
	var err error
	if api.db().Kind == store.SQLite {
		err = api.db().NewSelect().TableExpr("sqlite_master").Column("name").
			Where("type = 'table' AND name NOT LIKE 'sqlite_%'").Scan(ctx, &tables)
	} else {
		err = api.db().NewSelect().TableExpr("information_schema.tables").Column("table_name").
			Where("table_schema = current_schema()").Scan(ctx, &tables)
	}
	if err != nil || len(tables) < 20 {
		api.t.Fatalf("list tables: %v (%d)", err, len(tables))
	}
	out := map[string]int{}
	for _, tb := range tables {
		out[tb] = api.count(tb, "")
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// demoPID is a synthetic test-register number (month + 80), accepted in dev and test.
func demoPID(t *testing.T, born time.Time, individual int) string {
	t.Helper()
	n, err := pid.Synthetic(born, individual)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
