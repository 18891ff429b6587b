package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
)

// o311Request is a service request as GET requests.json answers it.
type o311Request struct {
	ID          string   `json:"service_request_id"`
	Status      string   `json:"status"`
	StatusNotes *string  `json:"status_notes"`
	ServiceCode string   `json:"service_code"`
	ServiceName string   `json:"service_name"`
	Description string   `json:"description"`
	Agency      string   `json:"agency_responsible"`
	Requested   string   `json:"requested_datetime"`
	Updated     string   `json:"updated_datetime"`
	Address     *string  `json:"address"`
	Lat         *float64 `json:"lat"`
	Long        *float64 `json:"long"`
	MediaURL    *string  `json:"media_url"`
}

// o311Error is one entry of Open311's error list.
type o311Error struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// o311Post sends POST requests.{format} as a form, the way Open311 clients do.
func o311Post(t *testing.T, c *apptest.Client, format string, form url.Values) *apptest.Response {
	t.Helper()
	req := c.NewRequest(t, http.MethodPost, "/open311/v2/requests."+format, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(t, req)
}

// o311Errors reads an Open311 error answer with this status: every entry carries it.
func o311Errors(t *testing.T, r *apptest.Response, status int) []o311Error {
	t.Helper()
	r.Status(t, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("error content type %q: %s", ct, r.Body)
	}
	var errs []o311Error
	r.JSON(t, &errs)
	if len(errs) == 0 {
		t.Fatalf("no errors in %s", r.Body)
	}
	for _, e := range errs {
		if e.Code != status || e.Description == "" {
			t.Fatalf("error entry %+v, want code %d", e, status)
		}
	}
	return errs
}

// o311Requests reads GET requests.json?query.
func o311Requests(t *testing.T, c *apptest.Client, query string) []o311Request {
	t.Helper()
	var out []o311Request
	c.Get(t, "/open311/v2/requests.json?"+query).Status(t, http.StatusOK).JSON(t, &out)
	return out
}

func o311IDs(rs []o311Request) map[string]bool {
	out := map[string]bool{}
	for _, r := range rs {
		out[r.ID] = true
	}
	return out
}

// o311Parses fails unless body is well-formed XML with root element root, and returns its
// elements named name (e.g. every <service_code>) in order.
func o311Parses(t *testing.T, body []byte, root, name string) []string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(body)))
	var out []string
	first := true
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			t.Fatalf("XML does not parse: %v\n%s", err, body)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if first && se.Name.Local != root {
				t.Fatalf("XML root <%s>, want <%s>", se.Name.Local, root)
			}
			first = false
			if se.Name.Local == name {
				var v string
				if err := dec.DecodeElement(&v, &se); err != nil {
					t.Fatal(err)
				}
				out = append(out, v)
			}
		}
	}
}

// rowCounts are the rows a refused POST must not add: reports and outbox messages.
func rowCounts(t *testing.T, p *apptest.Portal) [2]int64 {
	t.Helper()
	var out [2]int64
	for i, table := range []string{"reports", "outbox"} {
		n, err := p.DB.NewSelect().Table(table).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out[i] = n
	}
	return out
}

// webhookOf finds the report.created webhook of report id among what rec received.
func webhookOf(t *testing.T, rec *receiver, id string) []byte {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, b := range rec.body {
		var ev struct {
			Type string
			Data struct{ ReportID, Channel string }
		}
		if json.Unmarshal(b, &ev) == nil && ev.Type == "report.created" && ev.Data.ReportID == id {
			return b
		}
	}
	t.Fatalf("no report.created webhook for %s among %d", id, len(rec.body))
	return nil
}

// o311World is a roads agency (its webhooks go to rec) with the street-light service, whose
// questions become attributes, and a parks agency with a bench service that asks nothing extra.
type o311World struct {
	roads, parks       *apptest.Client // the agency API with each agency's key
	roadsKey, parksKey string
	rec                *receiver
}

func newO311World(t *testing.T, p *apptest.Portal) o311World {
	t.Helper()
	w := o311World{rec: &receiver{}}
	hooks := httptest.NewServer(w.rec)
	t.Cleanup(hooks.Close)
	ctx := context.Background()
	_, roadsKey, _, err := p.App.Agencies.Create(ctx, "bymiljo", "Bymiljøetaten", hooks.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, parksKey, _, err := p.App.Agencies.Create(ctx, "park", "Parketaten", "")
	if err != nil {
		t.Fatal(err)
	}
	w.roadsKey, w.parksKey = roadsKey.Key, parksKey.Key
	w.roads, w.parks = p.Anonymous(t), p.Anonymous(t)
	w.roads.Header.Set("Authorization", "Bearer "+w.roadsKey)
	w.parks.Header.Set("Authorization", "Bearer "+w.parksKey)
	w.roads.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", streetLight(1)).Status(t, http.StatusCreated)
	bench := streetLight(1)
	bench["name"] = map[string]string{"nb": "Ødelagt benk", "en": "Broken bench"}
	bench["group"], bench["questions"] = "parks", []any{}
	w.parks.Send(t, http.MethodPut, "/api/agency/v1/report-services/bench", bench).Status(t, http.StatusCreated)
	return w
}
