package ingest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/cases"
	"minside/backend/internal/outbox"
	"minside/backend/internal/represent"
)

var born = time.Date(1985, 5, 17, 0, 0, 0, 0, time.UTC)

func caseRecord(pidNumber string, version int64, status string) map[string]any {
	return map[string]any{
		"pid":         pidNumber,
		"title":       map[string]string{"nb": "Byggesøknad: garasje", "en": "Building application: garage"},
		"titlePublic": map[string]string{"nb": "Byggesak"},
		"kind":        "building_permit",
		"area":        "building",
		"status":      status,
		"nextAction":  map[string]any{"text": map[string]string{"nb": "Send nabovarsel"}, "dueAt": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)},
		"events": []map[string]any{
			{"externalId": "ev-1", "occurredAt": "2026-11-20T09:00:00Z", "status": "received", "title": map[string]string{"nb": "Mottatt"}},
		},
		"documents": []map[string]any{{"externalId": "doc-1", "name": "Søknad.pdf", "type": "application/pdf", "url": "https://byggesak.example.no/d/1"}},
		"deepLink":  "https://byggesak.example.no/sak/1",
		"version":   version,
	}
}

func TestAgencyCasePutIsIdempotentAndVersioned(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		ctx := context.Background()
		key := api.newAgency("byggesak")
		number := demoPID(t, born, 412)

		r := api.put("/cases/2026-0412", key, caseRecord(number, 1, "received"))
		if r.Status != http.StatusCreated || r.Header.Get("Location") != "/api/agency/v1/cases/2026-0412" {
			t.Fatalf("first PUT: %d %s", r.Status, r.Body)
		}
		n, err := api.app.Citizens.Parse(number)
		if err != nil {
			t.Fatal(err)
		}
		person, err := api.app.Citizens.Find(ctx, api.db(), n)
		if err != nil || person == nil {
			t.Fatalf("the citizen was not created: %v", err)
		}
		var stored cases.Case
		if err := api.db().NewSelect().Model(&stored).Where("external_id = ?", "2026-0412").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if stored.CitizenID != person.ID || stored.Status != "received" || stored.Version != 1 {
			t.Fatalf("stored case %+v, citizen %s", stored, person.ID)
		}
		if got := r.json(t)["pidMasked"]; got != n.String() || strings.Contains(string(r.Body), number) {
			t.Fatalf("the answer leaks or misses the masked pid: %s", r.Body)
		}
		if api.count("changes", "citizen_id = ? AND kind = 'case'", person.ID) != 1 ||
			api.count("audit_log", "actor_kind = 'agency' AND action = 'write' AND subject_id = ?", person.ID) != 1 ||
			api.count("texts", "owner_kind = 'case' AND owner_id = ?", stored.ID) != 4 {
			t.Fatal("changes, audit or texts rows missing for the first write")
		}
		// Onboarding a case that does not await the citizen tells nobody.
		if api.count("outbox", "topic = ?", outbox.TopicNotify) != 0 {
			t.Fatal("a received case was announced")
		}

		before := api.snapshot()
		again := api.put("/cases/2026-0412", key, caseRecord(number, 1, "received"))
		if again.Status != http.StatusOK || !reflect.DeepEqual(again.json(t), r.json(t)) {
			t.Fatalf("repeat: %d %s", again.Status, again.Body)
		}
		if after := api.snapshot(); !reflect.DeepEqual(before, after) {
			t.Fatalf("a repeated version wrote rows: %v → %v", before, after)
		}

		newer := caseRecord(number, 3, "awaiting_citizen")
		newer["events"] = []map[string]any{{"externalId": "ev-2", "occurredAt": "2026-11-21T09:00:00Z", "title": map[string]string{"nb": "Mangler nabovarsel"}}}
		if r := api.put("/cases/2026-0412", key, newer); r.Status != http.StatusOK {
			t.Fatalf("newer: %d %s", r.Status, r.Body)
		}
		var events []cases.Event
		if err := api.db().NewSelect().Model(&events).Where("case_id = ?", stored.ID).Scan(ctx); err != nil || len(events) != 2 {
			t.Fatalf("events are upserted, never deleted by omission: %d %v", len(events), err)
		}
		var msg outbox.Message
		if err := api.db().NewSelect().Model(&msg).Where("topic = ?", outbox.TopicNotify).Scan(ctx); err != nil {
			t.Fatalf("awaiting the citizen was not announced: %v", err)
		}
		var ev outbox.NotifyEvent
		if err := json.Unmarshal(msg.Payload, &ev); err != nil {
			t.Fatal(err)
		}
		if ev != (outbox.NotifyEvent{CitizenID: person.ID, Kind: "case", ObjectID: stored.ID, Reason: "awaiting_citizen", Urgent: true}) {
			t.Fatalf("notify event %+v", ev)
		}

		// Moved to another person: the first one's offline copy is told to drop it.
		other := demoPID(t, born, 499)
		if r := api.put("/cases/2026-0412", key, caseRecord(other, 4, "awaiting_citizen")); r.Status != http.StatusOK {
			t.Fatalf("move: %d %s", r.Status, r.Body)
		}
		if api.count("changes", "citizen_id = ? AND op = 'delete' AND object_id = ?", person.ID, stored.ID) != 1 {
			t.Fatal("moving a case to another person left it in the first one's feed")
		}
		if r := api.put("/cases/2026-0412", key, caseRecord(number, 5, "awaiting_citizen")); r.Status != http.StatusOK {
			t.Fatalf("move back: %d %s", r.Status, r.Body)
		}

		old := api.put("/cases/2026-0412", key, caseRecord(number, 2, "closed"))
		if old.Status != http.StatusConflict || old.json(t)["currentVersion"] != float64(5) {
			t.Fatalf("older version: %d %s", old.Status, old.Body)
		}

		got := api.get("/cases/2026-0412", key)
		if got.Status != http.StatusOK || got.json(t)["version"] != float64(5) || len(got.json(t)["events"].([]any)) != 2 {
			t.Fatalf("GET: %d %s", got.Status, got.Body)
		}
		if api.count("audit_log", "action = 'read' AND subject_id = ?", person.ID) != 1 {
			t.Fatal("an agency read of citizen data was not audited")
		}
		// The one table that keeps agency JSON keeps only the masked number.
		if api.count("agency_records", "CAST(body AS TEXT) LIKE ?", "%"+number+"%") != 0 {
			t.Fatal("the stored record keeps the national identity number")
		}

		if r := api.del("/cases/2026-0412", key); r.Status != http.StatusNoContent {
			t.Fatalf("DELETE: %d %s", r.Status, r.Body)
		}
		// Three deletes in the feed: the move away, the move back, and this one.
		if api.count("cases", "") != 0 || api.count("changes", "op = 'delete' AND object_id = ?", stored.ID) != 3 {
			t.Fatal("delete left the case or wrote no delete change")
		}
		if r := api.get("/cases/2026-0412", key); r.Status != http.StatusNotFound {
			t.Fatalf("GET after DELETE: %d", r.Status)
		}
	})
}

// recordsOfEveryKind returns a valid record per kind for one person.
func recordsOfEveryKind(t *testing.T, number, other string) map[string]map[string]any {
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	return map[string]map[string]any{
		"cases": caseRecord(number, 1, "in_progress"),
		"bookings": {"pid": number, "resource": map[string]string{"nb": "Møterom 2"}, "place": map[string]string{"name": "Hovedbiblioteket", "address": "Storgata 1"},
			"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(2 * time.Hour).Format(time.RFC3339), "status": "confirmed", "area": "library", "version": 1},
		"keys": {"pid": number, "facility": map[string]any{"externalId": "lib", "name": "Hovedbiblioteket",
			"accessPoints": []map[string]string{{"externalId": "front", "name": "Hoveddør"}, {"externalId": "back", "name": "Bakdør"}}},
			"accessPoints": []string{"front"}, "windows": []map[string]string{{"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(time.Hour).Format(time.RFC3339)}},
			"status": "active", "version": 1},
		"notifications": {"pid": number, "category": "general", "title": map[string]string{"nb": "Hei"}, "body": map[string]string{"nb": "Velkommen"},
			"link": "/cases", "urgency": "high", "dedupeKey": "welcome", "version": 1},
		"relations": {"kind": "power_of_attorney", "representativePid": number, "representativeName": "Kari", "subjectPid": other, "subjectName": "Ola",
			"scopes": []string{"health"}, "validFrom": "2026-01-01T00:00:00Z", "version": 1},
		"tiles": {"title": map[string]string{"nb": "Søk barnehageplass"}, "link": "https://kommune.example.no/barnehage", "icon": "child",
			"targeting": map[string]any{"childAgeMin": 0, "childAgeMax": 5}, "status": "published", "version": 1},
		"rules": kindergartenRule(1, "published"),
		"tasks": {"pid": number, "area": "building", "title": map[string]string{"nb": "Last opp situasjonsplan"}, "dueAt": start.Format(time.RFC3339),
			"link": "https://byggesak.kommune.no/oppgave/1", "status": "open", "version": 1},
		"drafts": {"pid": number, "area": "kindergarten", "title": map[string]string{"nb": "Søknad om barnehageplass"},
			"link": "https://barnehage.kommune.no/utkast/1", "expiresAt": start.Format(time.RFC3339), "status": "open", "version": 1},
		"errands": {"pid": number, "title": map[string]string{"nb": "Garasje"}, "area": "building", "version": 1},
		"report-services": {"name": map[string]string{"nb": "Hull i veien"}, "group": "roads", "photo": "optional", "place": "required",
			"questions": []map[string]any{{"code": "where", "label": map[string]string{"nb": "Hvor?"}, "type": "singlechoice",
				"choices": []map[string]any{{"key": "road", "label": map[string]string{"nb": "Veien"}}}}}, "active": true, "version": 1},
	}
}

func TestAgencyCannotSeeOrChangeAnotherAgencysRecords(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		owner, stranger := api.newAgency("bibliotek", represent.KindPowerOfAttorney), api.newAgency("helse", represent.KindPowerOfAttorney)
		records := recordsOfEveryKind(t, demoPID(t, born, 413), demoPID(t, born.AddDate(30, 0, 0), 514))
		for _, kind := range []string{"cases", "bookings", "keys", "notifications", "relations", "tiles", "rules", "tasks", "drafts"} {
			t.Run(kind, func(t *testing.T) {
				path := "/" + kind + "/shared-id"
				created := api.put(path, owner, records[kind])
				if created.Status != http.StatusCreated {
					t.Fatalf("owner PUT: %d %s", created.Status, created.Body)
				}
				if r := api.get(path, stranger); r.Status != http.StatusNotFound {
					t.Fatalf("stranger GET: %d", r.Status)
				}
				if r := api.del(path, stranger); r.Status != http.StatusNotFound {
					t.Fatalf("stranger DELETE: %d", r.Status)
				}
				// A PUT under the same external id is the stranger's own record (ids are per
				// agency): it never touches the owner's.
				mine := records[kind]
				mine["version"] = 9
				if kind == "notifications" {
					mine["dedupeKey"] = "other-agency"
				}
				if r := api.put(path, stranger, mine); r.Status != http.StatusCreated || r.json(t)["id"] == created.json(t)["id"] {
					t.Fatalf("stranger PUT: %d %s", r.Status, r.Body)
				}
				if r := api.get(path, owner); r.Status != http.StatusOK || r.json(t)["version"] != float64(1) || r.json(t)["id"] != created.json(t)["id"] {
					t.Fatalf("owner's record changed: %d %s", r.Status, r.Body)
				}
				if r := api.del(path, owner); r.Status != http.StatusNoContent {
					t.Fatalf("owner DELETE: %d", r.Status)
				}
				if r := api.get(path, stranger); r.Status != http.StatusOK || r.json(t)["version"] != float64(9) {
					t.Fatalf("the owner's delete touched the stranger's record: %d", r.Status)
				}
			})
		}
	})
}

func TestAgencyRefusesBadInputAndChangesNothing(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("byggesak")
		number := demoPID(t, born, 415)
		bad := func(mutate func(m map[string]any)) []byte {
			m := caseRecord(number, 1, "received")
			mutate(m)
			return mustJSON(t, m)
		}
		tests := []struct {
			name        string
			contentType string
			body        []byte
			status      int
			want        []string // pointer and code of every field error, in order
		}{
			{"malformed JSON", "application/json", []byte(`{"pid": "x",`), http.StatusBadRequest, nil},
			{"not JSON", "text/plain", bad(func(map[string]any) {}), http.StatusUnsupportedMediaType, nil},
			{"unknown fields anywhere", "application/json", bad(func(m map[string]any) {
				m["colour"] = "red"
				m["events"].([]map[string]any)[0]["mood"] = "happy"
			}), http.StatusUnprocessableEntity, []string{"/colour field.unknown", "/events/0/mood field.unknown"}},
			{"every bad field at once", "application/json", bad(func(m map[string]any) {
				m["pid"] = "12345678901"
				m["title"] = map[string]string{"xx": "?", "nb": strings.Repeat("a", 201)}
				m["status"] = "lost"
				m["deepLink"] = "http://byggesak.example.no/sak/1"
				m["documents"].([]map[string]any)[0]["url"] = "ftp://x"
				m["events"] = []map[string]any{
					{"externalId": "ok", "occurredAt": "2026-11-20T09:00:00Z", "title": map[string]string{"nb": "a"}},
					{"externalId": "ok2", "occurredAt": "yesterday", "title": map[string]string{"nb": "a"}},
				}
				m["version"] = 0
			}), http.StatusUnprocessableEntity, []string{
				"/pid field.invalid_pid", "/title/nb field.too_long", "/title/xx field.invalid_language", "/status field.invalid_enum",
				"/events/1/occurredAt field.invalid_time", "/documents/0/url field.must_be_https", "/deepLink field.must_be_https",
				"/version field.out_of_range"}},
			{"a document asks for something unknown, or has a date and asks nothing", "application/json", bad(func(m map[string]any) {
				m["documents"] = []map[string]any{
					{"externalId": "d1", "name": "a.pdf", "url": "https://byggesak.example.no/d/1", "requires": "approve"},
					{"externalId": "d2", "name": "b.pdf", "url": "https://byggesak.example.no/d/2", "dueAt": "2026-12-01T12:00:00Z"},
					{"externalId": "d3", "name": "c.pdf", "url": "https://byggesak.example.no/d/3", "requires": "sign", "dueAt": "soon"},
				}
			}), http.StatusUnprocessableEntity, []string{"/documents/0/requires field.invalid_enum", "/documents/1/requires field.required",
				"/documents/2/dueAt field.invalid_time"}},
			{"wrong JSON types", "application/json", bad(func(m map[string]any) {
				m["version"] = "one"
				m["events"] = map[string]any{}
			}), http.StatusUnprocessableEntity, []string{"/events field.invalid", "/version field.invalid"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := api.snapshot()
				r := api.call(http.MethodPut, "/cases/c1", key, tc.contentType, tc.body)
				if r.Status != tc.status || r.Header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("status %d (%s), want %d: %s", r.Status, r.Header.Get("Content-Type"), tc.status, r.Body)
				}
				if tc.want != nil && !slices.Equal(r.pointers(t), tc.want) {
					t.Fatalf("field errors\n got %q\nwant %q", r.pointers(t), tc.want)
				}
				if after := api.snapshot(); !reflect.DeepEqual(before, after) {
					t.Fatalf("a refused request changed the database: %v → %v", before, after)
				}
			})
		}
	})
}

func TestAgencyAuthentication(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("bibliotek")
		for name, k := range map[string]string{"no key": "", "unknown key": "ms_00000000_" + strings.Repeat("A", 43), "garbage": "hello"} {
			r := api.get("/cases/x", k)
			if r.Status != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("%s: %d %q", name, r.Status, r.Header.Get("WWW-Authenticate"))
			}
		}
		if r := api.get("/cases/x", key); r.Status != http.StatusNotFound {
			t.Fatalf("valid key: %d", r.Status)
		}
		fresh, revoked, err := api.app.Agencies.RotateKey(context.Background(), "bibliotek")
		if err != nil || len(revoked) != 1 {
			t.Fatalf("rotate: %v %v", revoked, err)
		}
		if r := api.get("/cases/x", key); r.Status != http.StatusUnauthorized {
			t.Fatalf("a rotated-out key still works: %d", r.Status)
		}
		if r := api.get("/cases/x", fresh.Key); r.Status != http.StatusNotFound {
			t.Fatalf("the new key does not work: %d", r.Status)
		}
		if err := api.app.Agencies.RevokeKey(context.Background(), "bibliotek", fresh.Prefix); err != nil {
			t.Fatal(err)
		}
		if r := api.get("/cases/x", fresh.Key); r.Status != http.StatusUnauthorized {
			t.Fatalf("a revoked key still works: %d", r.Status)
		}
		if r := api.call(http.MethodGet, "/openapi.json", "", "", nil); r.Status != http.StatusOK {
			t.Fatalf("the document needs no key: %d", r.Status)
		}
	})
}
