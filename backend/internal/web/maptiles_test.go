package web

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"minside/backend/internal/config"
)

// The tile server joins img-src, and only img-src, when the operator configures a map; without
// one the policy is the strict default. The page and an API answer carry the same policy.
func TestCSPAdmitsTheTileServerOnlyWhenConfigured(t *testing.T) {
	withMap := config.Default()
	withMap.MapTilesURL = "https://tile.example:8443/osm/{z}/{x}/{y}.png"
	withMap.MapTilesAttribution = "© OpenStreetMap contributors"
	for _, tc := range []struct {
		name   string
		cfg    config.Config
		imgSrc string
	}{
		{"without a map", config.Default(), "img-src 'self' data:;"},
		{"with a map", withMap, "img-src 'self' data: https://tile.example:8443;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServerWith(t, tc.cfg, nil)
			for _, path := range []string{"/", "/public/reports", "/api/v1/config"} {
				resp := do(t, s, httptest.NewRequest("GET", path, nil))
				assertSecurityHeaders(t, resp)
				csp := resp.Header.Get("Content-Security-Policy")
				if !strings.Contains(csp, tc.imgSrc) {
					t.Errorf("%s: CSP %q lacks %q", path, csp, tc.imgSrc)
				}
				if strings.Count(csp, "tile.example") > 1 || strings.Contains(csp, "connect-src 'self' https") {
					t.Errorf("%s: the tile server reaches beyond img-src: %q", path, csp)
				}
				if pp := resp.Header.Get("Permissions-Policy"); !strings.Contains(pp, "geolocation=(self)") {
					t.Errorf("%s: Permissions-Policy %q does not allow our own pages geolocation", path, pp)
				}
			}
		})
	}
}

// The PWA learns the map from the runtime config: the centre always, the tiles only when set.
func TestRuntimeConfigCarriesTheMap(t *testing.T) {
	type mapConfig struct {
		Center      struct{ Lat, Lon float64 }
		TilesURL    *string `json:"tilesUrl"`
		Attribution *string `json:"attribution"`
	}
	read := func(cfg config.Config) mapConfig {
		resp := do(t, newTestServerWith(t, cfg, nil), httptest.NewRequest("GET", "/api/v1/config", nil))
		var body struct{ Map mapConfig }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return body.Map
	}
	plain := read(config.Default())
	if plain.TilesURL != nil || plain.Attribution != nil || plain.Center.Lat < 59.9 || plain.Center.Lon < 10.7 {
		t.Fatalf("without tiles: %+v", plain)
	}
	cfg := config.Default()
	cfg.MapTilesURL, cfg.MapTilesAttribution, cfg.MapCenter = "https://tile.example/{z}/{x}/{y}.png", "© Kartverket", "63.4305,10.3951"
	m := read(cfg)
	if m.TilesURL == nil || *m.TilesURL != cfg.MapTilesURL || m.Attribution == nil || *m.Attribution != "© Kartverket" || m.Center.Lat != 63.4305 || m.Center.Lon != 10.3951 {
		t.Fatalf("with tiles: %+v", m)
	}
}
