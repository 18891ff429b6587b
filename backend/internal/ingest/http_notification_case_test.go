package ingest_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// A message about a case links to that case in Min side: the agency names its own case by external
// id, which must be about the same person; another agency's case, or someone else's, is refused.
func TestNotificationLinksToItsCase(t *testing.T) {
	t.Parallel() // each test runs its own portal and database
	eachEngine(t, func(t *testing.T, api *agencyAPI) {
		key, other := api.newAgency("byggesak"), api.newAgency("renovasjon")
		kari, ola := demoPID(t, born, 412), demoPID(t, born, 413)
		caseID := api.put("/cases/sak-1", key, caseRecord(kari, 1, "awaiting_citizen")).json(t)["id"].(string)
		api.put("/cases/sak-ola", key, caseRecord(ola, 1, "received"))
		message := func(pidNumber, caseExt, link string) map[string]any {
			m := map[string]any{"pid": pidNumber, "category": "cases", "title": map[string]string{"nb": "Frist snart"},
				"body": map[string]string{"nb": "Send nabovarsel"}, "caseExternalId": caseExt, "version": 1}
			if link != "" {
				m["link"] = link
			}
			return m
		}

		r := api.put("/notifications/varsel-1", key, message(kari, "sak-1", ""))
		if r.Status != http.StatusCreated {
			t.Fatalf("PUT: %d %s", r.Status, r.Body)
		}
		var link string
		api.scan(t, "notifications", "link", "id = ?", []any{r.json(t)["id"]}, &link)
		if link != "/cases/"+caseID {
			t.Errorf("the message links to %q, want the case /cases/%s", link, caseID)
		}
		if got := api.get("/notifications/varsel-1", key).json(t)["caseExternalId"]; got != "sak-1" {
			t.Errorf("GET answers caseExternalId %v", got)
		}

		n := 0
		for name, tc := range map[string]struct {
			key  string
			body map[string]any
			want string
		}{
			"someone else's case":   {key, message(kari, "sak-ola", ""), "/caseExternalId field.unknown_case"},
			"no such case":          {key, message(kari, "sak-404", ""), "/caseExternalId field.unknown_case"},
			"another agency's case": {other, message(kari, "sak-1", ""), "/caseExternalId field.unknown_case"},
			"both link and case":    {key, message(kari, "sak-1", "/cases"), "/caseExternalId field.link_or_case"},
		} {
			n++
			// Only what the request would write: the outbox worker is busy with the earlier messages.
			stored := func() [2]int {
				return [2]int{api.count("notifications", ""), api.count("agency_records", "kind = 'notifications'")}
			}
			before := stored()
			r := api.put(fmt.Sprintf("/notifications/refused-%d", n), tc.key, tc.body)
			if r.Status != http.StatusUnprocessableEntity || !slices.Contains(r.pointers(t), tc.want) {
				t.Errorf("%s: %d %v, want 422 %s", name, r.Status, r.pointers(t), tc.want)
			}
			if after := stored(); after != before {
				t.Errorf("%s: a refused message changed the database", name)
			}
		}
	})
}
