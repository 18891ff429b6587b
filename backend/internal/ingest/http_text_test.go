package ingest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// loneSurrogate stands in for a JSON string escape that no UTF-8 text can hold. encoding/json turns
// "\ud800" into U+FFFD, so the test writes the escape into the body by hand.
const loneSurrogate = "LONE-SURROGATE"

// withValue returns record as JSON with the member at ptr (created if missing) set to value.
func withValue(t *testing.T, record map[string]any, ptr string, value any) []byte {
	t.Helper()
	var doc any
	if err := json.Unmarshal(mustJSON(t, record), &doc); err != nil {
		t.Fatal(err)
	}
	tokens := strings.Split(ptr, "/")[1:]
	node := doc
	for i, tok := range tokens {
		last := i == len(tokens)-1
		switch n := node.(type) {
		case map[string]any:
			if last {
				n[tok] = value
			} else {
				if n[tok] == nil {
					n[tok] = map[string]any{}
				}
				node = n[tok]
			}
		case []any:
			idx, err := strconv.Atoi(tok)
			if err != nil || idx >= len(n) {
				t.Fatalf("pointer %s: no index %s", ptr, tok)
			}
			if last {
				n[idx] = value
			} else {
				node = n[idx]
			}
		default:
			t.Fatalf("pointer %s: %T at %s", ptr, node, tok)
		}
	}
	return bytes.ReplaceAll(mustJSON(t, doc), []byte(loneSurrogate), []byte(`\ud800`))
}

// textField is one free-text member of a record; multiline members may hold tabs, newlines and
// bidi controls (Arabic and Urdu bodies use them), names and titles may not.
type textField struct {
	kind, ptr string
	multiline bool
}

var textFields = []textField{
	{"cases", "/title/nb", false},
	{"cases", "/titlePublic/nb", false},
	{"cases", "/kind", false},
	{"cases", "/nextAction/text/nb", false},
	{"cases", "/events/0/title/nb", false},
	{"cases", "/events/0/body/nb", true},
	{"cases", "/documents/0/name", false},
	{"cases", "/documents/0/type", false},
	{"bookings", "/resource/nb", false},
	{"bookings", "/place/name", false},
	{"bookings", "/place/address", false},
	{"keys", "/facility/name", false},
	{"keys", "/facility/address", false},
	{"keys", "/facility/accessPoints/0/name", false},
	{"notifications", "/title/nb", false},
	{"notifications", "/body/nb", true},
	{"notifications", "/dedupeKey", false},
	{"relations", "/representativeName", false},
	{"relations", "/subjectName", false},
	{"tiles", "/title/nb", false},
	{"tiles", "/description/nb", true},
	{"tiles", "/category", false},
	{"tiles", "/targeting/districts/0", false},
	{"tiles", "/targeting/openCaseKinds/0", false},
}

// Every text field of every record kind refuses what no reader can see or trust, with the field's
// pointer, and writes nothing; today a NUL reaches the database and answers 500.
func TestAgencyRefusesUnsafeTextInEveryField(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("byggesak")
		records := recordsOfEveryKind(t, demoPID(t, born, 421), demoPID(t, born.AddDate(30, 0, 0), 522))
		records["tiles"]["targeting"] = map[string]any{"districts": []string{"Sentrum"}, "openCaseKinds": []string{"building_permit"}}
		values := []struct {
			name, value, code string
			singleLineOnly    bool
		}{
			{"NUL", "Mottatt\x00", "field.control_character", false},
			{"escape character", "Mottatt\x1b[31m", "field.control_character", false},
			{"C1 control", "Mottatt\u0085", "field.control_character", false},
			{"lone surrogate", "Mottatt " + loneSurrogate, "field.invalid_text", false},
			{"zero-width only", "\u200b\u200d\ufeff", "field.blank", false},
			{"spaces only", " \u00a0 ", "field.blank", false},
			{"right-to-left override", "faktura\u202Efdp.exe", "field.bidi_control", true},
			{"bidi isolate", "Kari \u2067Nordmann", "field.bidi_control", true},
			{"newline", "Kari\nNordmann", "field.control_character", true},
			{"tab", "Kari\tNordmann", "field.control_character", true},
		}
		for _, f := range textFields {
			for _, v := range values {
				if v.singleLineOnly && f.multiline {
					continue
				}
				t.Run(f.kind+f.ptr+"/"+v.name, func(t *testing.T) {
					before := api.snapshot()
					r := api.call(http.MethodPut, "/"+f.kind+"/unsafe", key, "application/json", withValue(t, records[f.kind], f.ptr, v.value))
					if r.Status != http.StatusUnprocessableEntity || r.Header.Get("Content-Type") != "application/problem+json" {
						t.Fatalf("status %d (%s): %s", r.Status, r.Header.Get("Content-Type"), r.Body)
					}
					if got, want := r.pointers(t), []string{f.ptr + " " + v.code}; !slices.Equal(got, want) {
						t.Fatalf("field errors %q, want %q", got, want)
					}
					if after := api.snapshot(); !reflect.DeepEqual(before, after) {
						t.Fatalf("a refused record changed the database: %v → %v", before, after)
					}
				})
			}
		}
		// Multi-line text keeps its tabs and line breaks (CRLF becomes LF) and is stored in NFC, so
		// "e" + combining acute and "é" are one text.
		body := records["notifications"]
		body["body"] = map[string]string{"nb": "Linje 1\r\n\tLinje 2 Cafe\u0301"}
		body["dedupeKey"] = "nfc"
		r := api.put("/notifications/multiline", key, body)
		if r.Status != http.StatusCreated {
			t.Fatalf("multi-line body: %d %s", r.Status, r.Body)
		}
		if got := r.json(t)["body"].(map[string]any)["nb"]; got != "Linje 1\n\tLinje 2 Café" {
			t.Fatalf("stored body %q", got)
		}
		if api.count("texts", "owner_kind = 'notification' AND field = 'body' AND value = ?", "Linje 1\n\tLinje 2 Café") != 1 {
			t.Fatal("the texts table does not hold the normalised body")
		}
	})
}

// Keys of a lang → text object, external ids and the path's own id are text too: a NUL there is a
// 422 at the object (never a pointer with a control character in it), not a 500.
func TestAgencyRefusesUnsafeKeysAndIDs(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("byggesak")
		number := demoPID(t, born, 423)
		tests := []struct {
			name, path string
			body       []byte
			want       []string
		}{
			{"language key with NUL", "/cases/c1", withValue(t, caseRecord(number, 1, "received"), "/title", map[string]string{"nb": "Sak", "n\x00b": "x"}),
				[]string{"/title field.control_character"}},
			{"unknown member with NUL", "/cases/c1", withValue(t, caseRecord(number, 1, "received"), "/ti\x00tle", "x"),
				[]string{" field.control_character"}},
			{"event id with NUL", "/cases/c1", withValue(t, caseRecord(number, 1, "received"), "/events/0/externalId", "ev\x001"),
				[]string{"/events/0/externalId field.invalid"}},
			{"pid with spaces around it", "/cases/c1", withValue(t, caseRecord(number, 1, "received"), "/pid", " "+number+" "),
				[]string{"/pid field.invalid_pid"}},
			{"pid with a NUL", "/cases/c1", withValue(t, caseRecord(number, 1, "received"), "/pid", number+"\x00"),
				[]string{"/pid field.invalid_pid"}},
			{"representative pid with a newline", "/relations/r1", withValue(t, recordsOfEveryKind(t, number, demoPID(t, born, 426))["relations"], "/representativePid", number+"\n"),
				[]string{"/representativePid field.invalid_pid"}},
			{"path id with NUL", "/cases/c%001", mustJSON(t, caseRecord(number, 1, "received")), []string{"/externalId field.invalid"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := api.snapshot()
				r := api.call(http.MethodPut, tc.path, key, "application/json", tc.body)
				if r.Status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d: %s", r.Status, r.Body)
				}
				if got := r.pointers(t); !slices.Equal(got, tc.want) {
					t.Fatalf("field errors %q, want %q", got, tc.want)
				}
				if after := api.snapshot(); !reflect.DeepEqual(before, after) {
					t.Fatalf("a refused record changed the database: %v → %v", before, after)
				}
			})
		}
	})
}

// A member named twice is refused with the pointer of the second one. Before, the last "pid"
// won, so a body that named two people moved the record to the second one.
func TestAgencyRefusesDuplicateMembers(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("byggesak")
		owner, stranger := demoPID(t, born, 424), demoPID(t, born, 425)
		if r := api.put("/cases/dup", key, caseRecord(owner, 1, "received")); r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		v2 := mustJSON(t, caseRecord(owner, 2, "received"))
		tests := []struct {
			name string
			body []byte
			want string
		}{
			{"pid twice", bytes.Replace(v2, []byte(`{`), []byte(`{"pid":"`+stranger+`",`), 1), "/pid field.duplicate_member"},
			{"nested language twice", bytes.Replace(v2, []byte(`"titlePublic":{`), []byte(`"titlePublic":{"nb":"Annen sak",`), 1), "/titlePublic/nb field.duplicate_member"},
			{"in an array item", bytes.Replace(v2, []byte(`"externalId":"ev-1"`), []byte(`"externalId":"ev-1","externalId":"ev-2"`), 1), "/events/0/externalId field.duplicate_member"},
			{"escaped spelling of the same name", bytes.Replace(v2, []byte(`{`), []byte(`{"p\u0069d":"`+stranger+`",`), 1), "/pid field.duplicate_member"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := api.snapshot()
				r := api.call(http.MethodPut, "/cases/dup", key, "application/json", tc.body)
				if r.Status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d: %s", r.Status, r.Body)
				}
				if got := r.pointers(t); !slices.Contains(got, tc.want) {
					t.Fatalf("field errors %q lack %q", got, tc.want)
				}
				if after := api.snapshot(); !reflect.DeepEqual(before, after) {
					t.Fatalf("a refused record changed the database: %v → %v", before, after)
				}
				if got := api.get("/cases/dup", key).json(t); got["version"] != float64(1) {
					t.Fatalf("the stored case changed: %v", got)
				}
			})
		}
	})
}
