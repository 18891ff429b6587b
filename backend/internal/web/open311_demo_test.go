package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/seed"
)

// TestOpen311DemoData: on the demo portal (make run) Open311 lists Bymiljøetaten's report
// services with every attribute datatype and the demo reports, its key submits list and
// date-time answers, and no demo person's name or national id is among the requests.
func TestOpen311DemoData(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.Anonymous(t)
		codes := o311Parses(t, c.Get(t, "/open311/v2/services.xml").Status(t, http.StatusOK).Body, "services", "service_code")
		slices.Sort(codes)
		if !slices.Equal(codes, []string{"graffiti", "pothole", "street-light", "waste-not-collected"}) {
			t.Fatalf("demo services: %v", codes)
		}
		for code, datatype := range map[string]string{"pothole": "multivaluelist", "waste-not-collected": "datetime", "graffiti": "singlevaluelist"} {
			var def struct {
				Attributes []struct{ Datatype string }
			}
			c.Get(t, "/open311/v2/services/"+code+".json").Status(t, http.StatusOK).JSON(t, &def)
			if len(def.Attributes) != 1 || def.Attributes[0].Datatype != datatype {
				t.Errorf("%s: %+v, want one %s attribute", code, def.Attributes, datatype)
			}
		}
		// Bymiljøetaten's key submits a list answer and a date and time in Open311's forms.
		key, _, err := p.App.Agencies.RotateKey(t.Context(), "bymiljoetaten")
		if err != nil {
			t.Fatal(err)
		}
		o311Post(t, c, "json", url.Values{"api_key": {key.Key}, "service_code": {"pothole"}, "lat": {"59.9127"}, "long": {"10.7461"},
			"description": {"Hull i fortauet"}, "attribute[where][]": {"pavement", "cycle_lane"}}).Status(t, http.StatusOK)
		o311Post(t, c, "json", url.Values{"api_key": {key.Key}, "service_code": {"waste-not-collected"}, "lat": {"59.9127"}, "long": {"10.7461"},
			"description": {"Ikke tømt"}, "attribute[since]": {"2026-12-01T07:00+01:00"}}).Status(t, http.StatusOK)
		var answers []string
		if err := p.DB.NewSelect().Table("reports").Column("answers").Where("channel = 'open311' AND description IN ('Hull i fortauet', 'Ikke tømt')").
			Order("description").Scan(t.Context(), &answers); err != nil {
			t.Fatal(err)
		}
		compact := strings.NewReplacer(" ", "")
		if len(answers) != 2 || !strings.Contains(compact.Replace(answers[0]), `"where":["pavement","cycle_lane"]`) ||
			!strings.Contains(compact.Replace(answers[1]), `"since":"2026-12-01T06:00:00Z"`) {
			t.Errorf("stored answers: %v", answers)
		}
		r := c.Get(t, "/open311/v2/requests.json").Status(t, http.StatusOK)
		var requests []o311Request
		r.JSON(t, &requests)
		closed := 0
		for _, req := range requests {
			if req.Status == "closed" {
				closed++
			}
		}
		if len(requests) != 7 || closed != 1 {
			t.Fatalf("demo requests: %d, %d closed", len(requests), closed)
		}
		for _, person := range seed.People() {
			if strings.Contains(string(r.Body), person.PID) || strings.Contains(string(r.Body), person.Name) {
				t.Fatalf("the demo requests name %s", person.Name)
			}
		}
	}, apptest.WithConfig(func(c *config.Config) { c.SeedDemo = true }))
}
