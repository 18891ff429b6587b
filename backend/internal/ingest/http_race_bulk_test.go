package ingest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/represent"
)

// TestAgencyBulkRaceKeepsTheHighestVersion sends many bulk requests at the same moment, each
// holding one line per kind at its own version, in its own order (so two batches take the same
// records in opposite orders). Per record: exactly one line answers 201, the highest version is
// stored, every 409 names a version that was really stored, and no line or request fails.
func TestAgencyBulkRaceKeepsTheHighestVersion(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		api := newAgencyAPI(t, p)
		c := newRaceClient(p, api.newAgency("byggesak", represent.KindPowerOfAttorney))
		defer logFailures(t, p)
		kinds := raceKinds(t)
		const senders = 12
		for round := range 2 {
			ext := fmt.Sprintf("bulk-%d", round)
			var posts []func() answer
			bodies := make([][]any, senders)
			for s := range senders {
				v := int64(s + 1)
				for _, i := range rand.Perm(len(kinds)) {
					bodies[s] = append(bodies[s], map[string]any{"kind": kinds[i].kind, "externalId": ext, "record": kinds[i].record(ext, v)})
				}
				posts = append(posts, func() answer {
					a := c.send(http.MethodPost, "/bulk", "application/x-ndjson", ndjson(t, bodies[s]...))
					a.sent = v
					return a
				})
			}
			began := time.Now()
			replies := together(posts)
			t.Logf("%d parallel bulk requests of %d lines: %v", senders, len(kinds), time.Since(began).Round(time.Millisecond))
			perKind := map[string][]answer{}
			for _, r := range replies {
				if r.err != nil || r.status != http.StatusOK {
					t.Errorf("bulk v%d answered %d (%v): %s", r.sent, r.status, r.err, r.body)
					continue
				}
				dec := json.NewDecoder(bytes.NewReader(r.body))
				for dec.More() {
					var l struct {
						Kind           string `json:"kind"`
						Status         int    `json:"status"`
						Version        int64  `json:"version"`
						CurrentVersion int64  `json:"currentVersion"`
						ID             string `json:"id"`
					}
					if err := dec.Decode(&l); err != nil {
						t.Fatal(err)
					}
					perKind[l.Kind] = append(perKind[l.Kind], answer{sent: r.sent, status: l.Status, version: l.Version, current: l.CurrentVersion, id: l.ID})
				}
			}
			for _, k := range kinds {
				if got := len(perKind[k.kind]); got != senders {
					t.Errorf("%s: %d line results, want %d", k.kind, got, senders)
				}
				if _, creates := judgeRace(t, perKind[k.kind], 0); creates != 1 {
					t.Errorf("%s: %d lines answered 201", k.kind, creates)
				}
				wantFinal(t, api, c, k, "/"+k.kind+"/"+ext, senders)
			}
		}
	})
}

// TestAgencyNotificationDedupeRaceNeverFails creates many notifications under different external
// ids with one dedupe key for one person at the same moment: one is created, every other one is
// refused as a duplicate (422 naming /dedupeKey), none answers 5xx.
func TestAgencyNotificationDedupeRaceNeverFails(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		api := newAgencyAPI(t, p)
		c := newRaceClient(p, api.newAgency("varsler"))
		defer logFailures(t, p)
		var notifications raceKind
		for _, k := range raceKinds(t) {
			if k.kind == "notifications" {
				notifications = k
			}
		}
		for round := range 3 {
			key := fmt.Sprintf("welcome-%d", round)
			var puts []func() answer
			for i := range 20 {
				path := fmt.Sprintf("/notifications/n-%d-%d", round, i)
				puts = append(puts, func() answer { return c.put(path, 1, notifications.record(key, 1)) })
			}
			created := 0
			for _, a := range together(puts) {
				switch {
				case a.err == nil && a.status == http.StatusCreated:
					created++
				case a.err == nil && a.status == http.StatusUnprocessableEntity && strings.Contains(string(a.body), `"/dedupeKey"`):
				default:
					t.Errorf("answered %d (%v): %s", a.status, a.err, a.body)
				}
			}
			if created != 1 {
				t.Errorf("%d notifications created under one dedupe key", created)
			}
		}
	})
}

// TestAgencyBulkRefusedCreateLeavesNoRecord refuses new records at write time inside a batch (a
// key with neither windows nor a booking, a notification under a dedupe key already used): their
// lines answer 422, and nothing of them stays behind, so the next PUT creates them (201).
func TestAgencyBulkRefusedCreateLeavesNoRecord(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key := api.newAgency("bibliotek")
		kinds := map[string]raceKind{}
		for _, k := range raceKinds(t) {
			kinds[k.kind] = k
		}
		noWindows := kinds["keys"].record("orphan", 1)
		delete(noWindows, "windows")
		body := ndjson(t,
			map[string]any{"kind": "notifications", "externalId": "first", "record": kinds["notifications"].record("hello", 1)},
			map[string]any{"kind": "keys", "externalId": "orphan", "record": noWindows},
			map[string]any{"kind": "notifications", "externalId": "again", "record": kinds["notifications"].record("hello", 1)},
			map[string]any{"kind": "tiles", "externalId": "fine", "record": kinds["tiles"].record("fine", 1)},
		)
		var statuses []int
		for _, l := range bulkLines(t, api.call(http.MethodPost, "/bulk", key, "application/x-ndjson", body)) {
			statuses = append(statuses, l.Status)
		}
		if fmt.Sprint(statuses) != "[201 422 422 201]" {
			t.Fatalf("line statuses %v, want [201 422 422 201]", statuses)
		}
		for path, kind := range map[string]string{"/keys/orphan": "keys", "/notifications/again": "notifications"} {
			if r := api.get(path, key); r.Status != http.StatusNotFound {
				t.Errorf("GET %s after its refused line: %d %s", path, r.Status, r.Body)
			}
			if n := api.count("agency_records", "kind = ? AND version = 0", kind); n != 0 {
				t.Errorf("%d placeholder %s records were committed", n, kind)
			}
		}
		if r := api.put("/keys/orphan", key, kinds["keys"].record("orphan", 1)); r.Status != http.StatusCreated {
			t.Errorf("PUT after the refused line: %d %s", r.Status, r.Body)
		}
	})
}
