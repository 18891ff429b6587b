package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
)

// TestOpen311RequestsLive: reports from every channel (a logged-in person with a photo, someone
// without login, another system with an agency's key) are public requests without a trace of
// who sent them; the agency's status changes show as open/closed with status_notes; the filters
// of GET requests select by id, service, status and dates; XML parses; tokens are not handed out.
func TestOpen311RequestsLive(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		w := newO311World(t, p)
		number := apptest.PID(t, 1984, 21)
		p.Citizen(t, number, "Ola Kviteseid-Nordmann")
		ola := p.LoginAs(t, number)
		var mine, anon reportJSON
		postReport(t, ola, "", [][2]string{{"service", "street-light"}, {"description", "Mørkt ved bussholdeplassen."},
			{"lat", "59.91273"}, {"lon", "10.74609"}, {"answers.fault", "dark"}}, jpegBytes(t, 40, 30)).Status(t, http.StatusCreated).JSON(t, &mine)
		postReport(t, p.Anonymous(t), "", [][2]string{{"service", "street-light"}, {"description", "Mørkt i Kirkeveien."},
			{"address", "Kirkeveien 1"}, {"answers.fault", "blinking"}}).Status(t, http.StatusCreated).JSON(t, &anon)
		if anon.FollowToken == "" {
			t.Fatalf("anonymous report without a follow token: %+v", anon)
		}
		c := p.Anonymous(t)
		c.Header.Set("Accept-Language", "en")
		submit := func(key, service string) string {
			var receipts []struct {
				ID string `json:"service_request_id"`
			}
			o311Post(t, c, "json", url.Values{"api_key": {key}, "service_code": {service}, "address_string": {"Slottsparken"},
				"description": {"Meldt i FixMyStreet."}, "attribute[fault]": {"dark"}}).Status(t, http.StatusOK).JSON(t, &receipts)
			return receipts[0].ID
		}
		fms, bench := submit(w.roadsKey, "street-light"), submit(w.parksKey, "bench")

		// Public, and nothing in it points at a person: not the name, the national id, the
		// anonymous reporter's token, nor the signed link of a person's photo.
		all := "service_request_id=" + strings.Join([]string{mine.ID, anon.ID, fms, bench}, ",")
		r := c.Get(t, "/open311/v2/requests.json?"+all).Status(t, http.StatusOK)
		for _, secret := range []string{"Kviteseid", number, anon.FollowToken, "/files/", "sig=", w.roadsKey, w.parksKey} {
			if strings.Contains(string(r.Body), secret) {
				t.Fatalf("public requests carry %q: %s", secret, r.Body)
			}
		}
		if found := apptest.FindPIDs(string(r.Body)); len(found) > 0 {
			t.Fatalf("public requests carry a national id: %s", r.Body)
		}
		var got []o311Request
		r.JSON(t, &got)
		if len(got) != 4 || got[3].ID != mine.ID {
			t.Fatalf("requests by id, newest first: %s", r.Body)
		}
		first := got[3]
		if first.Status != "open" || first.StatusNotes != nil || first.ServiceCode != "street-light" || first.ServiceName != "Street light out" ||
			first.Agency != "Bymiljøetaten" || first.Description != "Mørkt ved bussholdeplassen." || *first.Lat != 59.91273 ||
			*first.Long != 10.74609 || first.MediaURL != nil || first.Requested == "" {
			t.Errorf("a person's report, public: %+v", first)
		}

		// The agency moves them on through its API; Open311 has open and closed with notes.
		status := func(id string, body map[string]any) {
			w.roads.Send(t, http.MethodPut, "/api/agency/v1/reports/"+id+"/status", body).Status(t, http.StatusOK)
		}
		status(mine.ID, map[string]any{"status": "in_progress"})
		one := func(id string) o311Request {
			var list []o311Request
			c.Get(t, "/open311/v2/requests/"+id+".json").Status(t, http.StatusOK).JSON(t, &list)
			if len(list) != 1 || list[0].ID != id {
				t.Fatalf("request %s: %+v", id, list)
			}
			return list[0]
		}
		if got := one(mine.ID); got.Status != "open" || got.StatusNotes == nil || *got.StatusNotes != "In progress" {
			t.Errorf("in progress: %+v", got)
		}
		status(mine.ID, map[string]any{"status": "closed", "reason": map[string]string{"nb": "Lyset er på privat grunn.", "en": "The light is on private land."}})
		status(anon.ID, map[string]any{"status": "duplicate", "duplicateOf": mine.ID})
		status(fms, map[string]any{"status": "fixed"})
		for id, notes := range map[string]string{mine.ID: "The light is on private land.", anon.ID: "Duplicate of " + mine.ID, fms: "Fixed"} {
			got := one(id)
			if got.Status != "closed" || got.StatusNotes == nil || *got.StatusNotes != notes || got.Updated < got.Requested {
				t.Errorf("%s: %+v, want closed with %q", id, got, notes)
			}
		}
		xmlBody := c.Get(t, "/open311/v2/requests/"+anon.ID+".xml").Status(t, http.StatusOK).Body
		if notes := o311Parses(t, xmlBody, "service_requests", "status_notes"); len(notes) != 1 || notes[0] != "Duplicate of "+mine.ID {
			t.Errorf("request XML notes %v", notes)
		}
		c.Header.Set("Accept-Language", "nb")
		if got := one(fms); *got.StatusNotes != "Utbedret" {
			t.Errorf("status notes in nb: %q", *got.StatusNotes)
		}
		c.Header.Set("Accept-Language", "en")

		// The filters of GET requests.
		now := p.Clock.Now().UTC()
		at := func(d time.Duration) string { return url.QueryEscape(now.Add(d).Format(time.RFC3339)) }
		for query, want := range map[string][]string{
			"":                                {mine.ID, anon.ID, fms, bench},
			"service_code=bench":              {bench},
			"service_code=bench,street-light": {mine.ID, anon.ID, fms, bench},
			"service_code=street-light&status=closed": {mine.ID, anon.ID, fms},
			"status=open":                  {bench},
			"status=open,closed":           {mine.ID, anon.ID, fms, bench},
			"start_date=" + at(-time.Hour): {mine.ID, anon.ID, fms, bench},
			"start_date=" + at(time.Hour):  {},
			"end_date=" + at(-time.Hour):   {},
			"start_date=" + at(-time.Hour) + "&end_date=" + at(time.Hour): {mine.ID, anon.ID, fms, bench},
			"service_request_id=" + bench + "," + fms + "&status=closed":  {bench, fms},
			"service_request_id=" + fms + ",not-a-request":                {fms},
		} {
			got := o311IDs(o311Requests(t, c, query))
			if len(got) != len(want) {
				t.Errorf("%q: %d requests, want %d", query, len(got), len(want))
			}
			for _, id := range want {
				if !got[id] {
					t.Errorf("%q: lacks %s", query, id)
				}
			}
		}
		ids := o311Parses(t, c.Get(t, "/open311/v2/requests.xml?status=closed").Status(t, http.StatusOK).Body, "service_requests", "service_request_id")
		if len(ids) != 3 {
			t.Errorf("requests.xml closed: %v", ids)
		}
		errs := o311Errors(t, c.Get(t, "/open311/v2/requests.json?start_date="+at(-200*24*time.Hour)+"&end_date="+at(0)), http.StatusBadRequest)
		if !strings.HasPrefix(errs[0].Description, "end_date: ") {
			t.Errorf("a span over 90 days: %+v", errs)
		}
		o311Errors(t, c.Get(t, "/open311/v2/requests/"+anon.FollowToken+".json"), http.StatusNotFound)
		o311Errors(t, c.Get(t, "/open311/v2/tokens/"+fms+".json"), http.StatusNotFound)
	}, o311Config)
}
