package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/seed"
)

// TestOpen311DemoData: on the demo portal (make run) Open311 lists Bymiljøetaten's report
// services and the demo reports, and no demo person's name or national id is among them.
func TestOpen311DemoData(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.Anonymous(t)
		codes := o311Parses(t, c.Get(t, "/open311/v2/services.xml").Status(t, http.StatusOK).Body, "services", "service_code")
		slices.Sort(codes)
		if !slices.Equal(codes, []string{"graffiti", "pothole", "street-light", "waste-not-collected"}) {
			t.Fatalf("demo services: %v", codes)
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
		if len(requests) != 5 || closed != 1 {
			t.Fatalf("demo requests: %d, %d closed", len(requests), closed)
		}
		for _, person := range seed.People() {
			if strings.Contains(string(r.Body), person.PID) || strings.Contains(string(r.Body), person.Name) {
				t.Fatalf("the demo requests name %s", person.Name)
			}
		}
	}, apptest.WithConfig(func(c *config.Config) { c.SeedDemo = true }))
}
