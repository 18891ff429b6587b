package ingest_test

import (
	"net/http"
	"reflect"
	"slices"
	"testing"
)

// TestAgencyLinksFollowTheOneLinkPolicy: every agency-supplied link (notification link, case
// deep link, document URL, tile link) is judged as a browser reads it; a link that leaves the
// portal after browser parsing is a 422 naming the field, and changes nothing.
func TestAgencyLinksFollowTheOneLinkPolicy(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("lenker")
		number := demoPID(t, born, 433)
		type field struct {
			kind, pointer string
			set           func(m map[string]any, link string)
			pathAllowed   bool
		}
		fields := []field{
			{"notifications", "/link", func(m map[string]any, l string) { m["link"] = l }, true},
			{"cases", "/deepLink", func(m map[string]any, l string) { m["deepLink"] = l }, false},
			{"cases", "/documents/0/url", func(m map[string]any, l string) {
				m["documents"].([]map[string]any)[0]["url"] = l
			}, false},
			{"tiles", "/link", func(m map[string]any, l string) { m["link"] = l }, false},
		}
		refused := []struct{ link, code string }{
			{"/\t/evil.example", "field.invalid_url"},
			{"/\\evil.example", "field.invalid_url"},
			{" //evil", "field.invalid_url"},
			{"//evil.example", "field.invalid_url"},
			{"javascript:alert(1)", "field.must_be_https"},
			{"https://user@ok.example/", "field.invalid_url"},
			{"https://ok.example\\@evil.example/", "field.invalid_url"},
			{"https:evil.example", "field.invalid_url"},
		}
		for i, f := range fields {
			for j, tc := range refused {
				record := recordsOfEveryKind(t, number, demoPID(t, born, 434))[f.kind]
				f.set(record, tc.link)
				before := api.snapshot()
				r := api.put("/"+f.kind+"/link-"+string(rune('a'+i))+string(rune('a'+j)), key, record)
				want := []string{f.pointer + " " + tc.code}
				if r.Status != http.StatusUnprocessableEntity || !slices.Equal(r.pointers(t), want) {
					t.Errorf("%s %s = %q: %d %q, want 422 %q", f.kind, f.pointer, tc.link, r.Status, r.pointers(t), want)
				}
				if after := api.snapshot(); !reflect.DeepEqual(before, after) {
					t.Fatalf("a refused link changed the database: %v → %v", before, after)
				}
			}
		}
		// Accepted links last: an accepted notification starts deliveries in the background.
		for i, f := range fields {
			for _, ok := range []string{"https://ok.example/sak/1", "/cases"} {
				record := recordsOfEveryKind(t, number, demoPID(t, born, 434))[f.kind]
				f.set(record, ok)
				r := api.put("/"+f.kind+"/ok-"+string(rune('a'+i)), key, record)
				accepted := r.Status == http.StatusCreated || r.Status == http.StatusOK
				if wantOK := ok[0] != '/' || f.pathAllowed; accepted != wantOK {
					t.Errorf("%s %s = %q: %d %s", f.kind, f.pointer, ok, r.Status, r.Body)
				}
			}
		}
	})
}
