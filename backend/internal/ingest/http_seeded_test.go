package ingest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/pid"
	"minside/backend/internal/seed"
)

// seededRecord finds the external id of one portal object the demo seed wrote for an agency (the
// kinds are named like their tables).
func seededRecord(t *testing.T, api *agencyAPI, slug, kind string) string {
	t.Helper()
	var ext string
	err := api.db().NewRaw(`SELECT o.external_id FROM `+kind+` o JOIN agencies a ON a.id = o.agency_id
		WHERE a.slug = ? ORDER BY o.external_id LIMIT 1`, slug).Scan(context.Background(), &ext)
	if err != nil {
		t.Fatalf("no seeded %s of %s: %v", kind, slug, err)
	}
	return ext
}

// TestSeededRecordsAreTheAgencysOwn rotates a demo agency's key, as a developer starting on the
// demo does, and works with the records the seed wrote exactly like with records it PUT: GET
// answers them, PUT of the next version updates them, the console lists them.
func TestSeededRecordsAreTheAgencysOwn(t *testing.T) {
	withDemo := apptest.WithConfig(func(c *config.Config) { c.SeedDemo = true })
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		api := newAgencyAPI(t, p)
		ctx := context.Background()
		keyOf := func(slug string) string {
			k, _, err := p.App.Agencies.RotateKey(ctx, slug)
			if err != nil {
				t.Fatal(err)
			}
			return k.Key
		}
		library, building, register, health := keyOf(seed.AgencyLibrary), keyOf(seed.AgencyBuilding), keyOf(seed.AgencyRegister), keyOf(seed.AgencyHealth)
		for _, c := range []struct{ key, slug, kind string }{
			{library, seed.AgencyLibrary, "tiles"}, {library, seed.AgencyLibrary, "bookings"},
			{library, seed.AgencyLibrary, "keys"}, {library, seed.AgencyLibrary, "notifications"},
			{building, seed.AgencyBuilding, "cases"}, {register, seed.AgencyRegister, "relations"},
			{health, seed.AgencyHealth, "rules"},
		} {
			path := "/" + c.kind + "/" + seededRecord(t, api, c.slug, c.kind)
			got := api.get(path, c.key)
			if got.Status != http.StatusOK {
				t.Fatalf("GET %s = %d, want 200: %s", path, got.Status, got.Body)
			}
			body := got.json(t)
			if strings.Contains(string(got.Body), `"pid"`) {
				t.Errorf("GET %s shows a national identity number in clear: %s", path, got.Body)
			}
			// The agency sends the next version of what it holds: the body it read, with clear numbers.
			next := map[string]any{}
			for k, v := range body {
				next[k] = v
			}
			delete(next, "id")
			delete(next, "acknowledgements") // the portal's, like id: what the citizen did, never sent back
			for _, f := range []string{"pid", "representativePid", "subjectPid"} {
				if _, ok := next[f+"Masked"]; ok {
					delete(next, f+"Masked")
					next[f] = seedPID(t, p, c.kind, body["id"].(string), f)
				}
			}
			next["version"] = body["version"].(float64) + 1
			put := api.put(path, c.key, next)
			if put.Status != http.StatusOK {
				t.Fatalf("PUT %s version+1 = %d, want 200: %s", path, put.Status, put.Body)
			}
			if put.json(t)["id"] != body["id"] {
				t.Errorf("PUT %s made a new object %v, want the seeded %v", path, put.json(t)["id"], body["id"])
			}
		}
		// Listed as the library's own, and deleted like any record.
		if _, page := api.list("/tiles", library); len(page.Records) != 1 || page.Records[0].ExternalID != "bibliotekkort" {
			t.Errorf("the library lists %+v, want its seeded tile", page.Records)
		}
		note := "/notifications/" + seededRecord(t, api, seed.AgencyLibrary, "notifications")
		if r := api.del(note, library); r.Status != http.StatusNoContent {
			t.Errorf("DELETE %s = %d %s", note, r.Status, r.Body)
		}
		if r := api.get(note, library); r.Status != http.StatusNotFound {
			t.Errorf("GET %s after DELETE = %d", note, r.Status)
		}
		// The console shows the library's seeded tile to its editor.
		editor := p.LoginAs(t, demoPerson(t, "Anne-Lise"))
		var list struct {
			Tiles []struct {
				ExternalID string `json:"externalId"`
			} `json:"tiles"`
		}
		editor.Get(t, "/api/v1/console/bibliotek/tiles").Status(t, http.StatusOK).JSON(t, &list)
		if len(list.Tiles) != 1 || list.Tiles[0].ExternalID != "bibliotekkort" {
			t.Errorf("console tiles of bibliotek = %+v, want the seeded bibliotekkort", list.Tiles)
		}
	}, withDemo)
}

// demoPerson is the synthetic number of the demo person whose name starts with name.
func demoPerson(t *testing.T, name string) string {
	t.Helper()
	for _, p := range seed.People() {
		if strings.HasPrefix(p.Name, name) {
			return p.PID
		}
	}
	t.Fatalf("no demo person %s", name)
	return ""
}

// seedPID finds the clear number behind a seeded record's person: the demo person whose
// pseudonym the record's citizen carries.
func seedPID(t *testing.T, p *apptest.Portal, kind, objectID, field string) string {
	t.Helper()
	var citizenID string
	q := `SELECT citizen_id FROM agency_records WHERE object_id = ?`
	switch field {
	case "representativePid":
		q = `SELECT representative_id FROM relations WHERE id = ?`
	case "subjectPid":
		q = `SELECT subject_id FROM relations WHERE id = ?`
	}
	if err := p.DB.NewRaw(q, objectID).Scan(context.Background(), &citizenID); err != nil {
		t.Fatalf("%s %s: %v", kind, objectID, err)
	}
	var hash string
	if err := p.DB.NewRaw(`SELECT pid_hash FROM citizens WHERE id = ?`, citizenID).Scan(context.Background(), &hash); err != nil {
		t.Fatal(err)
	}
	for _, person := range seed.People() {
		if p.App.Citizens.Pseudonym(mustParsePID(t, person.PID)) == hash {
			return person.PID
		}
	}
	t.Fatalf("%s %s: no demo person behind %s", kind, objectID, field)
	return ""
}

func mustParsePID(t *testing.T, s string) pid.Number {
	t.Helper()
	n, err := pid.Parse(s, pid.Options{AllowSynthetic: true})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
