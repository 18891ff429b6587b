package config

import (
	"strings"
	"testing"
)

func TestMapTilesAreValidated(t *testing.T) {
	const credit = "© OpenStreetMap contributors"
	for _, tc := range []struct {
		name, url, attribution, center string
		want                           string // "" = valid; else a part of the error
	}{
		{name: "none", want: ""},
		{name: "https template", url: "https://tile.example/{z}/{x}/{y}.png", attribution: credit, want: ""},
		{name: "with port and query", url: "https://tile.example:8443/osm/{z}/{x}/{y}.png?key=k", attribution: credit, want: ""},
		{name: "plain http", url: "http://tile.example/{z}/{x}/{y}.png", attribution: credit, want: "must be an https URL"},
		{name: "no y", url: "https://tile.example/{z}/{x}.png", attribution: credit, want: "lacks {y}"},
		{name: "other placeholder", url: "https://{s}.tile.example/{z}/{x}/{y}.png", attribution: credit, want: "unknown placeholder {s}"},
		{name: "no host", url: "https:///{z}/{x}/{y}.png", attribution: credit, want: "must be an https URL"},
		{name: "no attribution", url: "https://tile.example/{z}/{x}/{y}.png", want: "MINSIDE_MAP_TILES_ATTRIBUTION is required"},
		{name: "attribution alone", attribution: credit, want: "without MINSIDE_MAP_TILES_URL"},
		{name: "center outside Norway", center: "48.85,2.35", want: "MINSIDE_MAP_CENTER"},
		{name: "center not numbers", center: "oslo", want: "MINSIDE_MAP_CENTER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(map[string]string{"MINSIDE_MAP_TILES_URL": tc.url, "MINSIDE_MAP_TILES_ATTRIBUTION": tc.attribution, "MINSIDE_MAP_CENTER": tc.center}))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
		})
	}
}

func TestMapTilesOrigin(t *testing.T) {
	for url, want := range map[string]string{
		"":                                     "",
		"https://tile.example/{z}/{x}/{y}.png": "https://tile.example",
		"https://tile.example:8443/a/{z}/{x}/{y}.png?k=1": "https://tile.example:8443",
	} {
		if got := (Config{MapTilesURL: url}).MapTilesOrigin(); got != want {
			t.Errorf("MapTilesOrigin(%q) = %q, want %q", url, got, want)
		}
	}
	lat, lon, err := Default().MapCenterLatLon()
	if err != nil || lat < 59.9 || lat > 60 || lon < 10.7 || lon > 10.8 {
		t.Fatalf("default centre %v,%v %v: want Oslo sentrum", lat, lon, err)
	}
}
