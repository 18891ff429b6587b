package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"minside/backend/internal/app/apptest"
)

// metricLabel matches one label of an exposed minside_http_* sample.
var (
	httpSample  = regexp.MustCompile(`(?m)^minside_http_[a-z_]+\{([^}]*)\}`)
	metricLabel = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)
)

// TestMetricsAfterMixedConcurrentTraffic: after many methods, paths, 404s, agency and citizen
// routes sent at once, /metrics still answers 200 and every label value is a registered route
// pattern or a fixed label, never a piece of a request (fasthttp reuses those buffers).
func TestMetricsAfterMixedConcurrentTraffic(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		_, key, _, err := p.App.Agencies.Create(context.Background(), "metrics", "Etat metrics", "")
		if err != nil {
			t.Fatal(err)
		}
		citizen := p.LoginAs(t, apptest.PID(t, 1980, 4))
		number := apptest.PID(t, 1975, 5)
		type call struct{ method, path, bearer string }
		calls := []call{
			{"GET", "/healthz", ""}, {"HEAD", "/healthz", ""}, {"GET", "/readyz", ""},
			{"GET", "/api/v1/config", ""}, {"GET", "/api/v1/i18n/nb", ""},
			{"GET", "/api/v1/me", ""}, {"DELETE", "/api/v1/me", ""}, {"PUT", "/api/v1/me/acting-as", ""},
			{"GET", "/api/agency/v1/cases/" + number, ""},
			{"GET", "/api/agency/v1/cases/" + number, key.Key},
			{"PUT", "/api/agency/v1/cases/x-1", key.Key},
			{"DELETE", "/api/agency/v1/cases/x-" + number, key.Key},
			{"PATCH", "/api/agency/v1/cases/x-2", key.Key},
			{"OPTIONS", "/api/agency/v1/cases", ""},
			{"GET", "/api/nowhere/" + number, ""}, {"POST", "/auth/nowhere", ""},
			{"GET", "/cases/" + number, ""}, {"GET", "/assets/missing-" + number + ".js", ""},
			{"PROPFIND", "/healthz", ""}, {"GETT", "/api/v1/me", ""}, {"DEL", "/x", ""},
			{"TRACE", "/", ""}, {"POST", "/healthz", ""},
		}
		citizenPaths := []string{"/api/v1/me", "/api/v1/me/messages", "/api/v1/me/overview", "/api/v1/cases",
			"/api/v1/cases/00000000-0000-0000-0000-000000000000", "/api/v1/notifications", "/api/v1/tiles"}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		// Its own connections, closed before the portal stops: a connection Go dialed ahead and never
		// used holds the server's graceful shutdown until its read timeout.
		transport := &http.Transport{}
		defer transport.CloseIdleConnections()
		for w := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Transport: transport}
				for i := range 30 {
					c := calls[(w*7+i)%len(calls)]
					req, err := http.NewRequest(c.method, p.URL+c.path, nil)
					if err != nil {
						errs <- err
						return
					}
					if c.bearer != "" {
						req.Header.Set("Authorization", "Bearer "+c.bearer)
					}
					resp, err := client.Do(req)
					if err != nil {
						errs <- fmt.Errorf("%s %s: %w", c.method, c.path, err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			}()
		}
		for _, path := range citizenPaths { // a logged-in citizen in between
			for range 3 {
				citizen.Get(t, path)
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}

		resp := p.Anonymous(t).Get(t, "/metrics").Status(t, http.StatusOK)
		known := map[string]map[string]bool{
			"method": {"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
				"OPTIONS": true, "CONNECT": true, "TRACE": true, "other": true},
			"route":  {"unmatched": true},
			"status": {"1xx": true, "2xx": true, "3xx": true, "4xx": true, "5xx": true},
		}
		for _, r := range p.App.Server.App().GetRoutes(false) {
			known["route"][r.Path] = true
		}
		samples := httpSample.FindAllStringSubmatch(string(resp.Body), -1)
		if len(samples) < 10 {
			t.Fatalf("few http samples:\n%s", resp.Body)
		}
		seen := map[string]bool{}
		for _, s := range samples {
			for _, l := range metricLabel.FindAllStringSubmatch(s[1], -1) {
				name, value := l[1], l[2]
				if name == "le" {
					continue
				}
				seen[name+"="+value] = true
				if set, ok := known[name]; !ok || !set[value] {
					t.Errorf("label %s=%q is not from the known set", name, value)
				}
			}
		}
		for _, want := range []string{"method=DELETE", "route=/api/agency/v1/:kind/:externalId", "route=/api/v1/me/messages", "route=/healthz"} {
			if !seen[want] {
				t.Errorf("no sample with %s; seen %v", want, strings.Join(labelsSeen(seen), " "))
			}
		}
	})
}

func labelsSeen(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
