package ingest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"minside/backend/internal/ingest"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
)

// garage is the errands tests' cast: a lead agency, two it allows, one it does not.
type garage struct {
	api                    *agencyAPI
	pbe, bym, vav, outside string // API keys
	ola, kari              string // national ids
}

func newGarage(t *testing.T, api *agencyAPI) garage {
	g := garage{api: api, pbe: api.newAgency("pbe"), bym: api.newAgency("bym"), vav: api.newAgency("vav"), outside: api.newAgency("utenfor"),
		ola: demoPID(t, born, 431), kari: demoPID(t, born.AddDate(2, 0, 0), 432)}
	if r := api.put("/errands/garasje", g.pbe, g.errand(1, "bym", "vav")); r.Status != http.StatusCreated {
		t.Fatalf("PUT errand: %d %s", r.Status, r.Body)
	}
	return g
}

func (g garage) errand(version int, participants ...string) map[string]any {
	return map[string]any{"pid": g.ola, "title": map[string]string{"nb": "Garasje", "en": "Garage"}, "area": "building",
		"participants": participants, "version": version}
}

// attached is a case of agency on the garage errand.
func attached(person, status string, version int, extra map[string]any) map[string]any {
	c := map[string]any{"pid": person, "title": map[string]string{"nb": "Sak " + status}, "area": "building", "status": status,
		"errand": map[string]string{"agency": "pbe", "externalId": "garasje"}, "version": version}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func TestErrandLinkingRules(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		g := newGarage(t, api)
		refused := []struct {
			name, key, path string
			record          map[string]any
			want            string
		}{
			{"an agency the lead did not allow", g.outside, "/cases/c1", attached(g.ola, "received", 1, nil), "/errand field.errand_not_allowed"},
			{"a case of another person", g.bym, "/cases/c1", attached(g.kari, "received", 1, nil), "/errand field.errand_other_person"},
			{"an errand that does not exist", g.bym, "/cases/c1", attached(g.ola, "received", 1, map[string]any{
				"errand": map[string]string{"agency": "pbe", "externalId": "ingen"}}), "/errand field.unknown_reference"},
			{"an errand of another lead", g.bym, "/cases/c1", attached(g.ola, "received", 1, map[string]any{
				"errand": map[string]string{"agency": "vav", "externalId": "garasje"}}), "/errand field.unknown_reference"},
			{"an unknown participant", g.pbe, "/errands/garasje", g.errand(2, "bym", "finnes-ikke"), "/participants/1 field.unknown_reference"},
		}
		for _, tc := range refused {
			before := api.snapshot()
			r := api.put(tc.path, tc.key, tc.record)
			if r.Status != http.StatusUnprocessableEntity || !slices.Contains(r.pointers(t), tc.want) {
				t.Errorf("%s: %d %s, want 422 %s", tc.name, r.Status, r.Body, tc.want)
			}
			if after := api.snapshot(); !reflect.DeepEqual(before, after) {
				t.Errorf("%s: a refused request changed the database", tc.name)
			}
		}

		// vav's own case, not on the errand; bym writes a case under the same external id: that is
		// bym's own case, attached; vav's stays where it was.
		if r := api.put("/cases/c1", g.vav, map[string]any{"pid": g.ola, "title": map[string]string{"nb": "Vann"}, "area": "building",
			"status": "received", "version": 1}); r.Status != http.StatusCreated {
			t.Fatalf("vav's case: %d %s", r.Status, r.Body)
		}
		if r := api.put("/cases/c1", g.bym, attached(g.ola, "received", 1, nil)); r.Status != http.StatusCreated {
			t.Fatalf("bym attaches its case: %d %s", r.Status, r.Body)
		}
		if n := api.count("cases c JOIN agencies a ON a.id = c.agency_id", "a.slug = 'vav' AND c.errand_id IS NOT NULL"); n != 0 {
			t.Errorf("another agency's case was attached: %d", n)
		}
		if n := api.count("cases c JOIN agencies a ON a.id = c.agency_id", "a.slug = 'bym' AND c.errand_id IS NOT NULL"); n != 1 {
			t.Errorf("bym's case is not attached: %d", n)
		}
		// The lead cannot drop an agency whose cases are attached; it can once they are detached.
		before := api.snapshot()
		if r := api.put("/errands/garasje", g.pbe, g.errand(2, "vav")); r.Status != http.StatusUnprocessableEntity ||
			!slices.Contains(r.pointers(t), "/participants field.errand_participant_has_cases") {
			t.Errorf("dropping bym: %d %s", r.Status, r.Body)
		}
		if after := api.snapshot(); !reflect.DeepEqual(before, after) {
			t.Error("a refused errand changed the database")
		}
		detached := attached(g.ola, "received", 2, nil)
		delete(detached, "errand")
		if r := api.put("/cases/c1", g.bym, detached); r.Status != http.StatusOK {
			t.Fatalf("bym detaches: %d %s", r.Status, r.Body)
		}
		if r := api.put("/errands/garasje", g.pbe, g.errand(2, "vav")); r.Status != http.StatusOK {
			t.Errorf("dropping bym once detached: %d %s", r.Status, r.Body)
		}
		// The errand is an agency-API kind like the others: idempotent by version, listed, deleted.
		if r := api.put("/errands/garasje", g.pbe, g.errand(1, "vav")); r.Status != http.StatusConflict {
			t.Errorf("an older version: %d", r.Status)
		}
		if r := api.get("/errands", g.pbe); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"garasje"`) {
			t.Errorf("list: %d %s", r.Status, r.Body)
		}
		if r := api.del("/errands/garasje", g.pbe); r.Status != http.StatusNoContent {
			t.Errorf("delete: %d", r.Status)
		}
		if n := api.count("errands", ""); n != 0 {
			t.Errorf("errands left: %d", n)
		}
	})
}

// errandWebhooks counts the errand.updated events waiting in the outbox.
func errandWebhooks(api *agencyAPI) int {
	where := "topic = 'webhook' AND payload LIKE '%errand.updated%'"
	if api.db().Kind == store.Postgres {
		where = "topic = 'webhook' AND payload::text LIKE '%errand.updated%'"
	}
	return api.count("outbox", where)
}

func TestErrandMergedStatusAndWebhookOncePerChange(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		g := newGarage(t, api)
		if _, err := api.db().NewRaw(`UPDATE agencies SET webhook_url = 'https://etat.example.no/hooks', webhook_secret = ?`,
			"whsec_"+"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name, key, path string
			record          map[string]any
			status          string // the errand's merged status after the write
			webhooks        int    // errand.updated events so far
		}{
			{"the lead's case in progress", g.pbe, "/cases/bygg", attached(g.ola, "in_progress", 1, nil), "in_progress", 1},
			{"roads wait for the citizen", g.bym, "/cases/vei", attached(g.ola, "awaiting_citizen", 1, nil), "awaiting_citizen", 3},
			{"the same status again", g.bym, "/cases/vei", attached(g.ola, "awaiting_citizen", 2, nil), "awaiting_citizen", 3},
			{"water decided: still waiting", g.vav, "/cases/vann", attached(g.ola, "decided", 1, nil), "awaiting_citizen", 3},
			{"roads back in progress", g.bym, "/cases/vei", attached(g.ola, "in_progress", 3, nil), "in_progress", 6},
			{"all decided", g.pbe, "/cases/bygg", attached(g.ola, "decided", 2, nil), "in_progress", 6},
			{"roads decided too", g.bym, "/cases/vei", attached(g.ola, "decided", 4, nil), "decided", 9},
		}
		for _, s := range steps {
			if r := api.put(s.path, s.key, s.record); r.Status >= 300 {
				t.Fatalf("%s: %d %s", s.name, r.Status, r.Body)
			}
			var v ingest.ErrandView
			r := api.get("/errands/garasje", g.pbe)
			if err := json.Unmarshal(r.Body, &v); err != nil || v.Status != s.status {
				t.Errorf("%s: status %q, want %q (%v)", s.name, v.Status, s.status, err)
			}
			if n := errandWebhooks(api); n != s.webhooks {
				t.Errorf("%s: %d errand.updated events, want %d", s.name, n, s.webhooks)
			}
		}
		var payloads []string
		if err := api.db().NewSelect().TableExpr("outbox").Column("payload").Where("topic = 'webhook'").Scan(context.Background(), &payloads); err != nil {
			t.Fatal(err)
		}
		for _, p := range payloads {
			if leaks := pid.FindLeaks(p); len(leaks) > 0 || strings.Contains(p, g.ola) {
				t.Errorf("a webhook carries a national id: %s", p)
			}
		}
		// Deleting a case refreshes the errand too.
		if r := api.del("/cases/vei", g.bym); r.Status != http.StatusNoContent {
			t.Fatalf("delete: %d", r.Status)
		}
		if n := api.count("errands", "status = 'decided'"); n != 1 {
			t.Errorf("after the delete the errand is not decided")
		}
	})
}

func TestErrandShowsAgenciesOnlyWhatIsShared(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		g := newGarage(t, api)
		event := func(id, title string, shared bool) map[string]any {
			return map[string]any{"externalId": id, "occurredAt": "2026-11-20T09:00:00Z", "title": map[string]string{"nb": title}, "sharedWithErrand": shared}
		}
		roads := attached(g.ola, "in_progress", 1, map[string]any{"title": map[string]string{"nb": "HEMMELIG-VEITITTEL"},
			"events":    []any{event("e1", "DELT-HENDELSE", true), event("e2", "HEMMELIG-HENDELSE", false)},
			"documents": []any{map[string]string{"externalId": "d1", "name": "HEMMELIG-DOKUMENT.pdf", "url": "https://bym.example.no/d1"}}})
		water := attached(g.ola, "received", 1, map[string]any{"title": map[string]string{"nb": "DELT-VANNSAK"}, "sharedWithErrand": true,
			"nextSteps": []any{map[string]any{"text": map[string]string{"nb": "Uttalelse"}, "waitingFor": "third_party", "party": map[string]string{"nb": "Byantikvaren"}}}})
		for _, w := range []struct {
			key, path string
			rec       map[string]any
		}{{g.bym, "/cases/vei-intern-17", roads}, {g.vav, "/cases/vann-intern-9", water}} {
			if r := api.put(w.path, w.key, w.rec); r.Status != http.StatusCreated {
				t.Fatalf("%s: %d %s", w.path, r.Status, r.Body)
			}
		}
		for _, reader := range []struct {
			name, key, query string
			sees, hidden     []string
		}{
			{"the lead", g.pbe, "", []string{"DELT-HENDELSE", "DELT-VANNSAK", "Byantikvaren"},
				[]string{"HEMMELIG", "vei-intern-17", "vann-intern-9"}},
			{"water", g.vav, "?lead=pbe", []string{"DELT-HENDELSE", "DELT-VANNSAK", "vann-intern-9"},
				[]string{"HEMMELIG", "vei-intern-17", "pidMasked"}},
			{"roads", g.bym, "?lead=pbe", []string{"HEMMELIG-VEITITTEL", "HEMMELIG-HENDELSE", "HEMMELIG-DOKUMENT", "vei-intern-17", "DELT-VANNSAK"},
				[]string{"vann-intern-9", "pidMasked"}},
		} {
			r := api.get("/errands/garasje"+reader.query, reader.key)
			if r.Status != http.StatusOK {
				t.Fatalf("%s: %d %s", reader.name, r.Status, r.Body)
			}
			for _, s := range reader.sees {
				if !strings.Contains(string(r.Body), s) {
					t.Errorf("%s does not see %s: %s", reader.name, s, r.Body)
				}
			}
			for _, s := range reader.hidden {
				if strings.Contains(string(r.Body), s) {
					t.Errorf("%s sees %s: %s", reader.name, s, r.Body)
				}
			}
		}
		if r := api.get("/errands/garasje?lead=pbe", g.outside); r.Status != http.StatusNotFound {
			t.Errorf("an agency outside the errand: %d %s", r.Status, r.Body)
		}
		if r := api.get("/errands/garasje", g.bym); r.Status != http.StatusNotFound {
			t.Errorf("bym has no errand of its own by that id: %d", r.Status)
		}
	})
}
