package ingest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
)

func tileRecord(version int64) map[string]any {
	return map[string]any{"title": map[string]string{"nb": "Lånekort", "en": "Library card"},
		"link": "https://bibliotek.example.no/kort", "icon": "book", "status": "published", "version": version}
}

type listPage struct {
	Records []struct {
		ExternalID string         `json:"externalId"`
		UpdatedAt  time.Time      `json:"updatedAt"`
		Record     map[string]any `json:"record"`
	} `json:"records"`
	NextCursor *string `json:"nextCursor"`
}

func (api *agencyAPI) list(path, key string) (reply, listPage) {
	api.t.Helper()
	r := api.get(path, key)
	var page listPage
	if r.Status == http.StatusOK {
		mustUnmarshal(api.t, r.Body, &page)
	}
	return r, page
}

// TestAgencyListsItsOwnRecords pages through an agency's records in the order they changed, with
// filters, and only its own; cursors work only for the agency and kind they were made for.
func TestAgencyListsItsOwnRecords(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		api := newAgencyAPI(t, p)
		key, other := api.newAgency("bibliotek"), api.newAgency("skole")
		var want []string
		for i := range 5 {
			id := fmt.Sprintf("kort-%d", 5-i) // stored in the reverse of their id order
			if r := api.put("/tiles/"+id, key, tileRecord(1)); r.Status != http.StatusCreated {
				t.Fatalf("PUT %s: %d %s", id, r.Status, r.Body)
			}
			want = append(want, id)
			p.Clock.Advance(time.Second)
		}
		api.put("/tiles/skolens-kort", other, tileRecord(1))
		api.put("/tiles/annet-1", key, tileRecord(1))
		want = append(want, "annet-1")

		// Every record once, in the order stored, two at a time.
		var got []string
		path := "/tiles?limit=2"
		var firstCursor string
		for pages := 0; ; pages++ {
			r, page := api.list(path, key)
			if r.Status != http.StatusOK || len(page.Records) > 2 || pages > 5 {
				t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
			}
			for _, rec := range page.Records {
				got = append(got, rec.ExternalID)
				if rec.Record["id"] == nil || rec.Record["version"] != float64(1) || rec.Record["icon"] != "book" {
					t.Errorf("entry %s is not the GET body: %v", rec.ExternalID, rec.Record)
				}
			}
			if page.NextCursor == nil {
				break
			}
			if firstCursor == "" {
				firstCursor = *page.NextCursor
			}
			path = "/tiles?limit=2&cursor=" + url.QueryEscape(*page.NextCursor)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
		// A cursor is the agency's and the kind's own.
		for _, c := range []struct{ path, key string }{
			{"/tiles?cursor=" + firstCursor, other}, {"/cases?cursor=" + firstCursor, key},
			{"/tiles?cursor=" + firstCursor[:len(firstCursor)-2] + "AA", key},
		} {
			if r := api.get(c.path, c.key); r.Status != http.StatusUnprocessableEntity || !slices.Contains(r.pointers(t), "/cursor field.invalid") {
				t.Errorf("GET %s with a foreign or forged cursor: %d %s", c.path, r.Status, r.Body)
			}
		}
		// Filters: what changed since a moment, and an id prefix.
		since := p.Clock.Now()
		p.Clock.Advance(time.Second)
		api.put("/tiles/kort-3", key, tileRecord(2))
		_, page := api.list("/tiles?updatedSince="+url.QueryEscape(since.Format(time.RFC3339Nano)), key)
		if len(page.Records) != 1 || page.Records[0].ExternalID != "kort-3" || page.Records[0].Record["version"] != float64(2) {
			t.Errorf("updatedSince: %+v", page.Records)
		}
		_, page = api.list("/tiles?externalIdPrefix=annet", key)
		if len(page.Records) != 1 || page.Records[0].ExternalID != "annet-1" {
			t.Errorf("externalIdPrefix: %+v", page.Records)
		}
		// Bad parameters are named.
		for q, want := range map[string]string{"updatedSince=yesterday": "/updatedSince field.invalid_time",
			"externalIdPrefix=" + url.QueryEscape("a b"): "/externalIdPrefix field.invalid", "limit=0": "/limit field.out_of_range"} {
			if r := api.get("/tiles?"+q, key); r.Status != http.StatusUnprocessableEntity || !slices.Contains(r.pointers(t), want) {
				t.Errorf("GET /tiles?%s: %d %s", q, r.Status, r.Body)
			}
		}
		if r := api.get("/tiles", ""); r.Status != http.StatusUnauthorized {
			t.Errorf("without a key: %d", r.Status)
		}
	})
}

// TestAgencyListMasksAndAuditsCitizenRecords: a list of a citizen's records shows masked numbers
// only, and each read is in the citizen's access log as a GET would be.
func TestAgencyListMasksAndAuditsCitizenRecords(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("byggesak")
		number := demoPID(t, born, 412)
		api.put("/cases/2026-0412", key, caseRecord(number, 1, "received"))
		reads := api.count("audit_log", "action = 'read'")
		r, page := api.list("/cases", key)
		if r.Status != http.StatusOK || len(page.Records) != 1 || page.NextCursor != nil {
			t.Fatalf("GET /cases: %d %s", r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), number) || page.Records[0].Record["pidMasked"] != number[:6]+"*****" {
			t.Errorf("the list shows the number in clear or not masked: %s", r.Body)
		}
		if got := api.count("audit_log", "action = 'read'"); got != reads+1 {
			t.Errorf("reads audited %d, want %d", got, reads+1)
		}
	})
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
}
