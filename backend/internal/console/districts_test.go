package console_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/tiles"
)

// TestConsoleDistrictsAreTheKnownOnes: the console offers the known districts; a district typed in
// another case reaches the people of that district (it reached nobody, silently), and an unknown
// one is refused at its pointer with nothing written, for tiles, previews and notices alike.
func TestConsoleDistrictsAreTheKnownOnes(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		editor := p.LoginAs(t, demoEditor(t))
		var list struct {
			Districts []string `json:"districts"`
		}
		editor.Get(t, "/api/v1/console/districts").Status(t, http.StatusOK).JSON(t, &list)
		if !slices.Equal(list.Districts, tiles.Districts) || !slices.Contains(list.Districts, "Frogner") {
			t.Fatalf("districts = %v", list.Districts)
		}

		frogner := handCount(t, p, func(_ time.Time, d string) bool { return d == "Frogner" })
		tile := map[string]any{"title": map[string]string{"nb": "Bydelsbiblioteket"}, "link": "https://deichman.no/frogner",
			"icon": "book", "targeting": map[string]any{"districts": []string{" frogner "}}}
		var pv struct {
			Reach int `json:"reach"`
		}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/tiles/preview", map[string]any{"tile": tile}).Status(t, http.StatusOK).JSON(t, &pv)
		if frogner == 0 || pv.Reach != frogner {
			t.Fatalf("preview of \"frogner\" reaches %d, people in Frogner: %d", pv.Reach, frogner)
		}
		var saved struct {
			Targeting struct {
				Districts []string `json:"districts"`
			} `json:"targeting"`
		}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/tiles", tile).Status(t, http.StatusCreated).JSON(t, &saved)
		if !slices.Equal(saved.Targeting.Districts, []string{"Frogner"}) {
			t.Errorf("saved districts = %v, want the known spelling", saved.Targeting.Districts)
		}
		var dry struct {
			Reach int `json:"reach"`
		}
		notice := map[string]any{"title": map[string]string{"nb": "Stengt i dag"}, "body": map[string]string{"nb": "Biblioteket er stengt."},
			"category": "general", "dryRun": true, "targeting": map[string]any{"districts": []string{"FROGNER"}}}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/notices", notice).Status(t, http.StatusOK).JSON(t, &dry)
		if dry.Reach != frogner {
			t.Errorf("notice to \"FROGNER\" reaches %d, want %d", dry.Reach, frogner)
		}

		before := count(t, p, `SELECT COUNT(*) FROM agency_records WHERE kind = 'tiles'`)
		tile["targeting"] = map[string]any{"districts": []string{"Frogner", "Atlantis"}}
		r := editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/tiles", tile).Status(t, http.StatusUnprocessableEntity)
		if got := pointers(t, r); !slices.Equal(got, []string{"/targeting/districts/1"}) {
			t.Errorf("pointers = %v", got)
		}
		r = editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/tiles/preview", map[string]any{"tile": tile}).Status(t, http.StatusUnprocessableEntity)
		if got := pointers(t, r); !slices.Equal(got, []string{"/tile/targeting/districts/1"}) {
			t.Errorf("preview pointers = %v", got)
		}
		notice["targeting"] = map[string]any{"districts": []string{"Atlantis"}}
		r = editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/notices", notice).Status(t, http.StatusUnprocessableEntity)
		if got := pointers(t, r); !slices.Equal(got, []string{"/targeting/districts/0"}) {
			t.Errorf("notice pointers = %v", got)
		}
		if after := count(t, p, `SELECT COUNT(*) FROM agency_records WHERE kind = 'tiles'`); after != before {
			t.Errorf("a refused tile was written: %d → %d", before, after)
		}
	}, withDemo)
}
