package web_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
)

// publicAPIRoutes answer the same to everyone and may be cached; every other /api/v1 route answers
// a logged-in citizen and must not be.
var publicAPIRoutes = []string{"/api/v1/config", "/api/v1/i18n/:lang", "/api/v1/push/vapid-public-key"}

var routeParam = regexp.MustCompile(`:\w+`)

// TestEveryCitizenAnswerIsNoStore walks the app's route table: every /api/v1 route a logged-in
// citizen can call answers with Cache-Control: no-store, whatever its status, so a new route
// cannot forget it.
func TestEveryCitizenAnswerIsNoStore(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		citizen := p.LoginAs(t, apptest.PID(t, 1982, 6))
		type route struct{ method, path string }
		var routes []route
		for _, r := range p.App.Server.App().GetRoutes(true) {
			if !strings.HasPrefix(r.Path, "/api/v1/") || slices.Contains(publicAPIRoutes, r.Path) || r.Method == http.MethodHead {
				continue
			}
			routes = append(routes, route{r.Method, r.Path})
		}
		// Closing the account ends the session: call it last.
		slices.SortStableFunc(routes, func(a, b route) int {
			return boolInt(a == route{"DELETE", "/api/v1/me"}) - boolInt(b == route{"DELETE", "/api/v1/me"})
		})
		if len(routes) < 30 {
			t.Fatalf("only %d citizen routes found", len(routes))
		}
		for _, r := range routes {
			path := routeParam.ReplaceAllStringFunc(r.path, func(param string) string {
				switch param {
				case ":lang":
					return "nb"
				case ":slug":
					return "nowhere"
				}
				return "00000000-0000-0000-0000-000000000000"
			})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			req := citizen.NewRequest(t, r.method, path, strings.NewReader("{}")).WithContext(ctx)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", citizen.CSRFToken)
			resp, err := citizen.HTTP.Do(req) // headers only: /events streams
			if err != nil {
				cancel()
				t.Fatalf("%s %s: %v", r.method, path, err)
			}
			_ = resp.Body.Close()
			cancel()
			if resp.StatusCode == http.StatusUnauthorized {
				t.Errorf("%s %s: 401, the session ended early", r.method, r.path)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("%s %s (%d): Cache-Control %q, want no-store", r.method, r.path, resp.StatusCode, got)
			}
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
