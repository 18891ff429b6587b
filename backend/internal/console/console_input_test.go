package console_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"minside/backend/internal/app/apptest"
)

// The console's forms follow the agency API's text rule and refuse members named twice: 422 with
// the pointer (under /tile for a preview), and nothing written. Before, a NUL in a tile title or a
// notice body reached the database and answered 500.
func TestConsoleRefusesUnsafeTextAndDuplicateMembers(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		editor := p.LoginAs(t, demoEditor(t))
		tile := func(title string) map[string]any {
			return map[string]any{"title": map[string]string{"nb": title}, "link": "https://deichman.no/x", "icon": "book", "category": "culture"}
		}
		var dry struct{ Reach int }
		notice := map[string]any{"title": map[string]string{"nb": "Stengt"}, "body": map[string]string{"nb": "Stengt mandag."},
			"category": "general", "targeting": map[string]any{"districts": []string{"Frogner"}}, "dryRun": true}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/notices", notice).Status(t, http.StatusOK).JSON(t, &dry)
		sendNotice := func(body string) map[string]any {
			m := map[string]any{}
			for k, v := range notice {
				m[k] = v
			}
			m["dryRun"], m["expectedReach"], m["body"] = false, dry.Reach, map[string]string{"nb": body}
			return m
		}
		duplicated := func(v any, member string) json.RawMessage {
			b, _ := json.Marshal(v)
			return bytes.Replace(b, []byte("{"), []byte(`{"`+member+`":"https://evil.example/",`), 1)
		}
		tests := []struct {
			name, path string
			body       any
			want       string
		}{
			{"tile title with NUL", "/tiles", tile("Bøker\x00"), "/title/nb"},
			{"tile title with bidi override", "/tiles", tile("Bøker\u202e"), "/title/nb"},
			{"tile district with NUL", "/tiles", func() any {
				m := tile("Bøker")
				m["targeting"] = map[string]any{"districts": []string{"Frogner\x00"}}
				return m
			}(), "/targeting/districts/0"},
			{"tile link twice", "/tiles", duplicated(tile("Bøker"), "link"), "/link"},
			{"preview title with NUL", "/tiles/preview", map[string]any{"tile": tile("Bøker\x00")}, "/tile/title/nb"},
			{"preview link twice", "/tiles/preview", json.RawMessage(`{"tile":` + string(duplicated(tile("Bøker"), "link")) + `}`), "/tile/link"},
			{"preview tile twice", "/tiles/preview", json.RawMessage(`{"tile":{},"tile":` + string(mustMarshal(tile("Bøker"))) + `}`), "/tile"},
			{"notice body with NUL", "/notices", sendNotice("Stengt\x00"), "/body/nb"},
			{"notice body zero-width only", "/notices", sendNotice("\u200b"), "/body/nb"},
			{"notice category twice", "/notices", duplicated(sendNotice("Stengt"), "category"), "/category"},
		}
		tiles := `SELECT COUNT(*) FROM agency_records WHERE kind = 'tiles'`
		notices := `SELECT COUNT(*) FROM notifications WHERE dedupe_key LIKE 'notice:%'`
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				beforeTiles, beforeNotices := count(t, p, tiles), count(t, p, notices)
				r := editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek"+tc.path, tc.body).Status(t, http.StatusUnprocessableEntity)
				if got := pointers(t, r); len(got) != 1 || got[0] != tc.want {
					t.Fatalf("pointers %v, want [%s]", got, tc.want)
				}
				if count(t, p, tiles) != beforeTiles || count(t, p, notices) != beforeNotices {
					t.Fatal("a refused form wrote records")
				}
			})
		}
	}, withDemo)
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
