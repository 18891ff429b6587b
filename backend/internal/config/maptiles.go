package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// The map on the public reports page is optional: without a tile server the page is a list. The
// operator names a raster tile server by a URL template; the PWA fills in {z}, {x} and {y}.

// DefaultMapCenter is where the public page looks first when the person has not chosen: the
// demo's municipality (Oslo sentrum). Operators set MINSIDE_MAP_CENTER to their own.
const DefaultMapCenter = "59.9139,10.7522"

var tilePlaceholder = regexp.MustCompile(`\{[^}]*\}`)

// MapTilesOrigin is the scheme and host of the tile server ("https://tile.example"), which the
// Content-Security-Policy must admit as an image source; "" when no tile server is configured.
func (c Config) MapTilesOrigin() string {
	if c.MapTilesURL == "" {
		return ""
	}
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0").Replace(c.MapTilesURL))
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// MapCenterLatLon is MINSIDE_MAP_CENTER as numbers (validated by Validate).
func (c Config) MapCenterLatLon() (lat, lon float64, err error) {
	parts := strings.Split(c.MapCenter, ",")
	if len(parts) != 2 {
		return 0, 0, fmt.Errorf("want lat,lon")
	}
	lat, err = strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	if err == nil {
		lon, err = strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("want lat,lon in decimal degrees")
	}
	// The reporting service takes places in Norway with Svalbard only (reports.InNorway).
	if lat < 57.5 || lat > 81.5 || lon < 4 || lon > 33 {
		return 0, 0, fmt.Errorf("%s is outside Norway (57.5–81.5 N, 4–33 E)", c.MapCenter)
	}
	return lat, lon, nil
}

// validateMap checks the tile template: https (the page is https, and a tile server sees every
// visitor's address, so not over plain text), a host, the three placeholders and no others, and
// an attribution, which every tile provider's terms ask for.
func (c Config) validateMap() []error {
	var errs []error
	if _, _, err := c.MapCenterLatLon(); err != nil {
		errs = append(errs, fmt.Errorf("MINSIDE_MAP_CENTER: %v, e.g. %s", err, DefaultMapCenter))
	}
	if c.MapTilesURL == "" {
		if c.MapTilesAttribution != "" {
			errs = append(errs, fmt.Errorf("MINSIDE_MAP_TILES_ATTRIBUTION is set without MINSIDE_MAP_TILES_URL"))
		}
		return errs
	}
	const example = "such as https://tile.example/{z}/{x}/{y}.png"
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(c.MapTilesURL, p) {
			errs = append(errs, fmt.Errorf("MINSIDE_MAP_TILES_URL lacks %s: it must be a tile URL template %s", p, example))
		}
	}
	for _, p := range tilePlaceholder.FindAllString(c.MapTilesURL, -1) {
		if p != "{z}" && p != "{x}" && p != "{y}" {
			errs = append(errs, fmt.Errorf("MINSIDE_MAP_TILES_URL: unknown placeholder %s (only {z}, {x} and {y})", p))
		}
	}
	u, err := url.Parse(tilePlaceholder.ReplaceAllString(c.MapTilesURL, "0"))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(u.Host, "{}*") {
		errs = append(errs, fmt.Errorf("MINSIDE_MAP_TILES_URL must be an https URL %s", example))
	}
	if strings.TrimSpace(c.MapTilesAttribution) == "" {
		errs = append(errs, fmt.Errorf("MINSIDE_MAP_TILES_ATTRIBUTION is required with MINSIDE_MAP_TILES_URL (e.g. \"© OpenStreetMap contributors\"): tile providers require it"))
	}
	return errs
}
