package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/keys"
)

type bulkResult struct {
	Line           int    `json:"line"`
	Status         int    `json:"status"`
	Code           string `json:"code"`
	RequestID      string `json:"requestId"`
	CurrentVersion *int64 `json:"currentVersion"`
	Errors         []struct {
		Pointer string `json:"pointer"`
		Code    string `json:"code"`
	} `json:"errors"`
}

func bulkLines(t *testing.T, r reply) []bulkResult {
	t.Helper()
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("bulk: %d %s: %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	var out []bulkResult
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	for dec.More() {
		var l bulkResult
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func ndjson(t *testing.T, lines ...any) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		if s, ok := l.(string); ok {
			b.WriteString(s + "\n")
			continue
		}
		b.Write(mustJSON(t, l))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func TestAgencyBulkAnswersEveryLine(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("byggesak")
		number := demoPID(t, born, 416)
		if r := api.put("/cases/old", key, caseRecord(number, 5, "received")); r.Status != http.StatusCreated {
			t.Fatal(r.Status)
		}
		badTitle := caseRecord(number, 1, "received")
		badTitle["title"] = map[string]string{"xx": "?"}
		body := ndjson(t,
			map[string]any{"kind": "cases", "externalId": "a", "record": caseRecord(number, 1, "received")},
			map[string]any{"kind": "cases", "externalId": "b", "record": badTitle},
			`{"kind": "cases", "externalId": "c", "record": {`,
			"",
			map[string]any{"kind": "cases", "externalId": "old", "record": caseRecord(number, 4, "received")},
			map[string]any{"kind": "parcels", "externalId": "d", "record": map[string]any{}, "extra": 1},
			map[string]any{"kind": "cases", "externalId": "a", "record": caseRecord(number, 1, "received")},
			map[string]any{"kind": "tiles", "externalId": "e", "record": "not an object"},
		)
		lines := bulkLines(t, api.call(http.MethodPost, "/bulk", key, "application/x-ndjson", body))
		type want struct {
			line, status int
			errors       string
		}
		var got []want
		for _, l := range lines {
			var errs []string
			for _, e := range l.Errors {
				errs = append(errs, e.Pointer+" "+e.Code)
			}
			got = append(got, want{l.Line, l.Status, strings.Join(errs, ", ")})
		}
		expected := []want{
			{1, 201, ""},
			{2, 422, "/record/title/xx field.invalid_language, /record/title/nb field.required"},
			{3, 400, ""},
			{5, 409, ""},
			{6, 422, "/extra field.unknown, /kind field.invalid_enum"},
			{7, 200, ""},
			{8, 422, "/record field.invalid"},
		}
		if !reflect.DeepEqual(got, expected) {
			t.Fatalf("bulk answers\n got %+v\nwant %+v", got, expected)
		}
		if lines[3].CurrentVersion == nil || *lines[3].CurrentVersion != 5 {
			t.Fatal("a conflict line does not name the current version")
		}
		if api.count("cases", "") != 2 {
			t.Fatalf("cases stored: %d, want 2", api.count("cases", ""))
		}
	})
}

func TestAgencyBulkHonoursIdempotencyKey(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("bibliotek")
		number := demoPID(t, born, 417)
		body := ndjson(t, map[string]any{"kind": "cases", "externalId": "a", "record": caseRecord(number, 1, "received")})
		first := api.call(http.MethodPost, "/bulk", key, "application/x-ndjson", body, "Idempotency-Key", "onboarding-1")
		before := api.snapshot()
		second := api.call(http.MethodPost, "/bulk", key, "application/x-ndjson", body, "Idempotency-Key", "onboarding-1")
		if !bytes.Equal(first.Body, second.Body) || second.Header.Get("Idempotent-Replayed") != "true" || first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("replay: %s / %s", first.Body, second.Body)
		}
		if bulkLines(t, first)[0].Status != http.StatusCreated {
			t.Fatalf("first: %s", first.Body)
		}
		if after := api.snapshot(); !reflect.DeepEqual(before, after) {
			t.Fatalf("a replay wrote rows: %v → %v", before, after)
		}
		other := ndjson(t, map[string]any{"kind": "cases", "externalId": "b", "record": caseRecord(number, 1, "received")})
		if r := api.call(http.MethodPost, "/bulk", key, "application/x-ndjson", other, "Idempotency-Key", "onboarding-1"); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("same key, other body: %d %s", r.Status, r.Body)
		}
		// Keys are per agency: another agency's identical key is its own request.
		stranger := api.newAgency("helse")
		if r := api.call(http.MethodPost, "/bulk", stranger, "application/x-ndjson", body, "Idempotency-Key", "onboarding-1"); r.Header.Get("Idempotent-Replayed") != "" || bulkLines(t, r)[0].Status != http.StatusCreated {
			t.Fatalf("another agency got a replay: %s", r.Body)
		}
	})
}

// Body limits are enforced before the database is involved, so one engine proves them.
func TestAgencyBodyLimits(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	api := newAgencyAPI(t, apptest.Start(t))
	key := api.newAgency("bibliotek")
	number := demoPID(t, born, 418)
	huge := caseRecord(number, 1, "received")
	huge["kind"] = strings.Repeat("x", 300<<10)
	if r := api.put("/cases/big", key, huge); r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("PUT over 256 KB: %d", r.Status)
	}
	// A bulk body over the global limit is fine: 120 records of about 3 KB each.
	var lines []any
	for i := range 120 {
		rec := caseRecord(number, 1, "received")
		rec["events"].([]map[string]any)[0]["body"] = map[string]string{"nb": strings.Repeat("Lang tekst. ", 250)}
		lines = append(lines, map[string]any{"kind": "cases", "externalId": fmt.Sprintf("c-%d", i), "record": rec})
	}
	body := ndjson(t, lines...)
	if len(body) <= 256<<10 {
		t.Fatalf("test body only %d bytes", len(body))
	}
	got := bulkLines(t, api.call(http.MethodPost, "/bulk", key, "application/x-ndjson", body))
	if len(got) != 120 || got[119].Status != http.StatusCreated || api.count("cases", "") != 120 {
		t.Fatalf("bulk of %d bytes: %d lines, %d cases", len(body), len(got), api.count("cases", ""))
	}
	over := bytes.Repeat([]byte("\n"), 16<<20+1)
	if r := api.call(http.MethodPost, "/bulk", key, "application/x-ndjson", over); r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("bulk over 16 MB: %d", r.Status)
	}
}

func TestAgencyKeyFollowsItsBooking(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		ctx := context.Background()
		key := api.newAgency("bibliotek")
		number := demoPID(t, born, 419)
		records := recordsOfEveryKind(t, number, demoPID(t, born, 420))
		booking := records["bookings"]
		booking["keyExternalId"] = "k1"
		if r := api.put("/bookings/b1", key, booking); r.Status != http.StatusCreated {
			t.Fatalf("booking: %d %s", r.Status, r.Body)
		}
		k := records["keys"]
		delete(k, "windows")
		if r := api.put("/keys/k1", key, k); r.Status != http.StatusCreated {
			t.Fatalf("key: %d %s", r.Status, r.Body)
		}
		load := func() (keys.Key, []keys.Window) {
			var row keys.Key
			if err := api.db().NewSelect().Model(&row).Where("external_id = 'k1'").Scan(ctx); err != nil {
				t.Fatal(err)
			}
			var ws []keys.Window
			if err := api.db().NewSelect().Model(&ws).Where("key_id = ?", row.ID).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			return row, ws
		}
		start, _ := time.Parse(time.RFC3339, booking["startsAt"].(string))
		row, ws := load()
		if row.BookingID == nil || len(ws) != 1 || !ws[0].StartsAt.Equal(start) || !ws[0].EndsAt.Equal(start.Add(4*time.Hour)) {
			t.Fatalf("key not linked or windows not from the booking + 2 h: %+v %+v", row, ws)
		}
		moved := start.Add(24 * time.Hour)
		booking["startsAt"], booking["endsAt"], booking["version"] = moved.Format(time.RFC3339), moved.Add(3*time.Hour).Format(time.RFC3339), 2
		if r := api.put("/bookings/b1", key, booking); r.Status != http.StatusOK {
			t.Fatalf("move: %d %s", r.Status, r.Body)
		}
		row, ws = load()
		if len(ws) != 1 || !ws[0].StartsAt.Equal(moved) || !ws[0].EndsAt.Equal(moved.Add(5*time.Hour)) || !row.ValidUntil.Equal(moved.Add(5*time.Hour)) {
			t.Fatalf("the key did not move with the booking: %+v %+v", row, ws)
		}
		booking["status"], booking["version"] = "cancelled", 3
		if r := api.put("/bookings/b1", key, booking); r.Status != http.StatusOK {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
		if row, _ = load(); row.Status != keys.StatusRevoked {
			t.Fatalf("cancelling the booking did not revoke its key: %s", row.Status)
		}
		if api.count("changes", "kind = 'key' AND object_id = ?", row.ID) != 3 {
			t.Fatal("the key's moves were not in the changes feed")
		}
	})
}
