package ingest_test

import (
	"bytes"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// In bulk, a line with unsafe text or a member named twice gets its own answer from validation,
// before the database; the lines around it are applied as if it were not there. Before, a NUL in
// one record reached the database and failed the whole request with a 500.
func TestAgencyBulkRefusesUnsafeLinesOnTheirOwn(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("byggesak")
		number := demoPID(t, born, 430)
		line := func(id string, record []byte) string {
			return `{"kind":"cases","externalId":"` + id + `","record":` + string(record) + `}`
		}
		good := func(id string) string { return line(id, mustJSON(t, caseRecord(number, 1, "received"))) }
		nulTitle := withValue(t, caseRecord(number, 1, "received"), "/title/nb", "Byggesøknad\x00")
		nulBody := withValue(t, caseRecord(number, 1, "received"), "/events/0/body", map[string]string{"nb": "Tekst\x00"})
		surrogate := withValue(t, caseRecord(number, 1, "received"), "/kind", "permit "+loneSurrogate)
		twoPIDs := bytes.Replace(mustJSON(t, caseRecord(number, 1, "received")), []byte(`{`), []byte(`{"pid":"`+demoPID(t, born, 431)+`",`), 1)
		body := strings.Join([]string{
			good("a"),
			line("b", nulTitle),
			line("c", nulBody),
			line("d", surrogate),
			line("e", twoPIDs),
			`{"kind":"cases","kind":"tiles","externalId":"f","record":` + string(mustJSON(t, caseRecord(number, 1, "received"))) + `}`,
			line("g\\u0000", mustJSON(t, caseRecord(number, 1, "received"))),
			"{\"kind\":\"cases\",\"externalId\":\"h\",\"record\":{\"pid\":\"\x00\"}}",
			good("i"),
		}, "\n") + "\n"
		lines := bulkLines(t, api.call(http.MethodPost, "/bulk", key, "application/x-ndjson", []byte(body)))
		type answer struct {
			line, status int
			errors       string
		}
		var got []answer
		for _, l := range lines {
			var errs []string
			for _, e := range l.Errors {
				errs = append(errs, e.Pointer+" "+e.Code)
			}
			got = append(got, answer{l.Line, l.Status, strings.Join(errs, ", ")})
		}
		want := []answer{
			{1, 201, ""},
			{2, 422, "/record/title/nb field.control_character"},
			{3, 422, "/record/events/0/body/nb field.control_character"},
			{4, 422, "/record/kind field.invalid_text"},
			{5, 422, "/record/pid field.duplicate_member"},
			{6, 422, "/kind field.duplicate_member"},
			{7, 422, "/externalId field.invalid"},
			{8, 400, ""}, // a raw NUL byte is not JSON at all
			{9, 201, ""},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("bulk answers\n got %+v\nwant %+v", got, want)
		}
		if n := api.count("cases", ""); n != 2 {
			t.Fatalf("cases stored: %d, want the 2 good lines", n)
		}
		if n := api.count("agency_records", ""); n != 2 {
			t.Fatalf("agency records stored: %d, want 2", n)
		}
	})
}
