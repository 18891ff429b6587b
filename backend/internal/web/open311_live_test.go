package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
)

// TestOpen311ServicesLive: discovery, the services an agency published through the agency API,
// and a service's questions as attributes, in JSON and in XML that parses, in the reader's
// language; an unknown service is Open311's 404.
func TestOpen311ServicesLive(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		newO311World(t, p)
		c := p.Anonymous(t)
		c.Header.Set("Accept-Language", "en")

		var disc struct {
			KeyService string `json:"key_service"`
			Endpoints  []struct {
				URL, Type, Specification string
				Formats                  []string
			}
		}
		c.Get(t, "/open311/v2/discovery.json").Status(t, http.StatusOK).JSON(t, &disc)
		if len(disc.Endpoints) != 1 || disc.Endpoints[0].URL != p.URL+"/open311/v2" || disc.Endpoints[0].Type != "test" || disc.KeyService == "" {
			t.Fatalf("discovery: %+v", disc)
		}
		o311Parses(t, c.Get(t, "/open311/v2/discovery.xml").Status(t, http.StatusOK).Body, "discovery", "url")

		var services []struct {
			Code     string `json:"service_code"`
			Name     string `json:"service_name"`
			Metadata bool   `json:"metadata"`
			Type     string `json:"type"`
			Group    string `json:"group"`
			Keywords string `json:"keywords"`
		}
		r := c.Get(t, "/open311/v2/services.json").Status(t, http.StatusOK)
		r.JSON(t, &services)
		if r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Header.Get("Content-Language") != "en" {
			t.Errorf("headers: %v", r.Header)
		}
		if len(services) != 2 {
			t.Fatalf("services: %+v", services)
		}
		byCode := map[string]int{services[0].Code: 0, services[1].Code: 1}
		light, bench := services[byCode["street-light"]], services[byCode["bench"]]
		if light.Name != "Street light out" || !light.Metadata || light.Type != "realtime" || light.Group != "lighting" || light.Keywords != "lys, lykt" {
			t.Errorf("street light: %+v", light)
		}
		if bench.Name != "Broken bench" || bench.Metadata {
			t.Errorf("bench (no questions, no metadata): %+v", bench)
		}
		codes := o311Parses(t, c.Get(t, "/open311/v2/services.xml").Status(t, http.StatusOK).Body, "services", "service_code")
		slices.Sort(codes)
		if !slices.Equal(codes, []string{"bench", "street-light"}) {
			t.Errorf("services.xml codes %v", codes)
		}

		var def struct {
			Code       string `json:"service_code"`
			Attributes []struct {
				Variable, Required          bool
				Code, Datatype, Description string
				Order                       int
				Values                      []struct{ Key, Name string }
			}
		}
		c.Get(t, "/open311/v2/services/street-light.json").Status(t, http.StatusOK).JSON(t, &def)
		if def.Code != "street-light" || len(def.Attributes) != 2 {
			t.Fatalf("definition: %+v", def)
		}
		fault, pole := def.Attributes[0], def.Attributes[1]
		if fault.Code != "fault" || fault.Datatype != "singlevaluelist" || !fault.Required || !fault.Variable || fault.Order != 1 ||
			fault.Description != "What is wrong?" || len(fault.Values) != 2 || fault.Values[1].Key != "blinking" || fault.Values[1].Name != "Blinking" {
			t.Errorf("fault: %+v", fault)
		}
		if pole.Code != "pole" || pole.Datatype != "string" || pole.Required || pole.Order != 2 {
			t.Errorf("pole: %+v", pole)
		}
		attrs := o311Parses(t, c.Get(t, "/open311/v2/services/street-light.xml").Status(t, http.StatusOK).Body, "service_definition", "code")
		if !slices.Equal(attrs, []string{"fault", "pole"}) {
			t.Errorf("definition XML attribute codes %v", attrs)
		}
		c.Get(t, "/open311/v2/services/bench.json").Status(t, http.StatusOK).JSON(t, &def)
		if def.Code != "bench" || len(def.Attributes) != 0 {
			t.Errorf("bench definition: %+v", def)
		}
		o311Errors(t, c.Get(t, "/open311/v2/services/nope.json"), http.StatusNotFound)
		o311Errors(t, c.Get(t, "/open311/v2/services.html"), http.StatusNotFound)
	}, o311Config)
}

// TestOpen311SubmitLive: an agency's key submits to its own service (the attributes are stored,
// the personal fields dropped, the agency's report.created webhook delivered); a missing or bad
// key is 403, another agency's service is 403, a bad parameter is 400 naming it, each writing
// nothing; past MINSIDE_OPEN311_POST_LIMIT a minute the answer is 429 in Open311's format; no
// key reaches a log line.
func TestOpen311SubmitLive(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		w := newO311World(t, p)
		c := p.Anonymous(t)
		c.Header.Set("Accept-Language", "en")
		form := func(key, service string, extra ...string) url.Values {
			v := url.Values{"service_code": {service}, "lat": {"59.91273"}, "long": {"10.74609"},
				"description": {"Lyset ved bussholdeplassen er mørkt."}, "attribute[fault]": {"dark"}, "attribute[pole]": {"A-113"},
				"attribute[report_url]": {"https://fixmystreet.example/report/1"}, "media_url": {"https://fixmystreet.example/photo/1.jpeg"},
				"email": {"ola@example.no"}, "first_name": {"Ola"}, "last_name": {"Nordmann"}, "phone": {"+4790000000"}}
			if key != "" {
				v.Set("api_key", key)
			}
			for i := 0; i+1 < len(extra); i += 2 {
				if extra[i+1] == "" {
					v.Del(extra[i])
				} else {
					v.Set(extra[i], extra[i+1])
				}
			}
			return v
		}

		r := o311Post(t, c, "json", form(w.roadsKey, "street-light"))
		r.Status(t, http.StatusOK)
		if r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("POST headers: %v", r.Header)
		}
		var receipts []struct {
			ID        string  `json:"service_request_id"`
			AccountID *string `json:"account_id"`
		}
		r.JSON(t, &receipts)
		if len(receipts) != 1 || receipts[0].ID == "" || receipts[0].AccountID != nil {
			t.Fatalf("receipt: %s", r.Body)
		}
		id := receipts[0].ID
		p.Settle(t)
		hook := string(webhookOf(t, w.rec, id))
		for _, want := range []string{`"channel":"open311"`, `"fault":"dark"`, `"pole":"A-113"`, "fixmystreet.example/photo/1.jpeg"} {
			if !strings.Contains(hook, want) {
				t.Errorf("webhook lacks %s: %s", want, hook)
			}
		}
		for _, personal := range []string{"ola@example.no", "Nordmann", "90000000", "report_url", w.roadsKey} {
			if strings.Contains(hook, personal) {
				t.Errorf("webhook carries %q: %s", personal, hook)
			}
		}
		var stored struct {
			Channel   string
			CitizenID *string
		}
		if err := p.DB.NewSelect().Table("reports").Column("channel", "citizen_id").Where("id = ?", id).Scan(t.Context(), &stored); err != nil ||
			stored.Channel != "open311" || stored.CitizenID != nil {
			t.Fatalf("stored: %+v, %v", stored, err)
		}

		before := rowCounts(t, p)
		refused := []struct {
			name, format string
			form         url.Values
			status       int
			param        string
		}{
			{"no key", "json", form("", "street-light"), http.StatusForbidden, ""},
			{"unknown key", "json", form("ms_0a1b2c3d_notarealkeynotarealkey", "street-light"), http.StatusForbidden, ""},
			{"another agency's service", "json", form(w.roadsKey, "bench"), http.StatusForbidden, ""},
			{"required attribute", "json", form(w.roadsKey, "street-light", "attribute[fault]", ""), http.StatusBadRequest, "attribute[fault]: "},
			{"not in Norway", "json", form(w.roadsKey, "street-light", "lat", "10.5"), http.StatusBadRequest, "lat: "},
			{"no description", "json", form(w.roadsKey, "street-light", "description", ""), http.StatusBadRequest, "description: "},
			{"unknown service", "json", form(w.roadsKey, "nope"), http.StatusNotFound, ""},
			// The key is checked before the form (the specification's 403 for a bad api_key), so a
			// client without a valid key learns nothing about services or parameters.
			{"unknown key, bad parameter", "json", form("ms_0a1b2c3d_notarealkeynotarealkey", "street-light", "lat", "10.5"), http.StatusForbidden, ""},
			{"unknown key, unknown service", "json", form("ms_0a1b2c3d_notarealkeynotarealkey", "nope"), http.StatusForbidden, ""},
		}
		for _, tc := range refused {
			errs := o311Errors(t, o311Post(t, c, tc.format, tc.form), tc.status)
			if tc.param != "" && !strings.HasPrefix(errs[0].Description, tc.param) {
				t.Errorf("%s: %+v, want the parameter %q named", tc.name, errs, tc.param)
			}
		}
		r = o311Post(t, c, "xml", form("", "street-light")).Status(t, http.StatusForbidden)
		o311Parses(t, r.Body, "errors", "description")
		if after := rowCounts(t, p); after != before {
			t.Fatalf("refused POSTs wrote rows: %v → %v", before, after)
		}

		// The parks agency submits to its own service; then the limit (a fresh window) runs out.
		o311Post(t, c, "json", form(w.parksKey, "bench")).Status(t, http.StatusOK)
		p.Clock.Advance(time.Minute)
		for range o311PostLimit {
			o311Post(t, c, "json", form("ms_0a1b2c3d_notarealkeynotarealkey", "street-light")).Status(t, http.StatusForbidden)
		}
		before = rowCounts(t, p)
		r = o311Post(t, c, "json", form(w.roadsKey, "street-light"))
		errs := o311Errors(t, r, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" || len(errs) != 1 {
			t.Errorf("429: %v %+v", r.Header, errs)
		}
		if after := rowCounts(t, p); after != before {
			t.Fatalf("a POST over the limit wrote rows: %v → %v", before, after)
		}

		logs := p.Logs()
		for _, key := range []string{w.roadsKey, w.parksKey} {
			// ms_<8 hex>_<secret>: the prefix names the key in listings and may be logged.
			if secret := key[len("ms_01234567_"):]; strings.Contains(logs, secret) {
				t.Errorf("the log carries an api_key")
			}
		}
		if !strings.Contains(logs, "/open311/v2/requests") {
			t.Errorf("no access line for the Open311 POSTs")
		}
	}, o311Config)
}

// o311PostLimit is the test's MINSIDE_OPEN311_POST_LIMIT: above the POSTs TestOpen311SubmitLive
// sends before it starts a fresh window to run it out.
const o311PostLimit = 12

// o311Config lets the agency's webhook reach the test's receiver on loopback.
var o311Config = apptest.WithConfig(func(c *config.Config) { c.WebhookAllowPrivate, c.Open311PostLimit = true, o311PostLimit })
