package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/outbox"
	"minside/backend/internal/seed"
)

// withDemo runs the portal on the demo municipality (the seed's citizens, agencies and roles).
var withDemo = apptest.WithConfig(func(c *config.Config) { c.SeedDemo = true })

// demoEditor is the seeded person with agency_editor:bibliotek.
func demoEditor(t *testing.T) string {
	t.Helper()
	for _, p := range seed.People() {
		if strings.HasPrefix(p.Name, "Anne-Lise") {
			return p.PID
		}
	}
	t.Fatal("no demo agency editor in seed.People()")
	return ""
}

type tileJSON struct {
	ID         string            `json:"id"`
	ExternalID string            `json:"externalId"`
	Title      map[string]string `json:"title"`
	Status     string            `json:"status"`
	Version    int64             `json:"version"`
}

type problemJSON struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Errors []struct {
		Pointer string `json:"pointer"`
	} `json:"errors"`
}

func pointers(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	var p problemJSON
	r.JSON(t, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Pointer)
	}
	slices.Sort(out)
	return out
}

// handCount counts citizens by reading every birth date and district and deciding in the test.
func handCount(t *testing.T, p *apptest.Portal, keep func(birth time.Time, district string) bool) int {
	t.Helper()
	var rows []struct {
		BirthDate time.Time `bun:"birth_date"`
		District  string    `bun:"district"`
	}
	if err := p.DB.NewRaw(`SELECT birth_date, district FROM citizens`).Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if keep(r.BirthDate, r.District) {
			n++
		}
	}
	return n
}

func count(t *testing.T, p *apptest.Portal, q string, args ...any) int {
	t.Helper()
	var n int
	if err := p.DB.NewRaw(q, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConsoleAccess(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		editor := p.LoginAs(t, demoEditor(t))
		var list struct {
			Agencies []struct{ Slug string } `json:"agencies"`
		}
		editor.Get(t, "/api/v1/console/agencies").Status(t, http.StatusOK).JSON(t, &list)
		if len(list.Agencies) != 1 || list.Agencies[0].Slug != "bibliotek" {
			t.Fatalf("editor's agencies = %+v, want [bibliotek]", list.Agencies)
		}
		stranger := p.LoginAs(t, apptest.PID(t, 1985, 7))
		stranger.Get(t, "/api/v1/console/agencies").Status(t, http.StatusOK).JSON(t, &list)
		if len(list.Agencies) != 0 {
			t.Fatalf("a non-editor edits %+v", list.Agencies)
		}
		cases := []struct {
			name   string
			client *apptest.Client
			method string
			path   string
			want   int
		}{
			{"non-editor lists", stranger, http.MethodGet, "/api/v1/console/bibliotek/tiles", http.StatusForbidden},
			{"non-editor creates", stranger, http.MethodPost, "/api/v1/console/bibliotek/tiles", http.StatusForbidden},
			{"non-editor sends", stranger, http.MethodPost, "/api/v1/console/bibliotek/notices", http.StatusForbidden},
			{"editor of another agency", editor, http.MethodGet, "/api/v1/console/skole/tiles", http.StatusForbidden},
			{"editor of another agency creates", editor, http.MethodPost, "/api/v1/console/skole/tiles", http.StatusForbidden},
			{"unknown agency", editor, http.MethodGet, "/api/v1/console/nope/tiles", http.StatusNotFound},
			{"own agency", editor, http.MethodGet, "/api/v1/console/bibliotek/tiles", http.StatusOK},
		}
		body := map[string]any{"title": map[string]string{"nb": "x"}, "link": "https://example.org", "icon": "book",
			"category": "general", "dryRun": true}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var b any
				if tc.method != http.MethodGet {
					b = body
				}
				r := tc.client.Send(t, tc.method, tc.path, b).Status(t, tc.want)
				if tc.want >= 400 {
					r.Problem(t)
				}
			})
		}
	}, withDemo)
}

func TestConsoleTileLifecycle(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		editor := p.LoginAs(t, demoEditor(t))
		elder := p.LoginAs(t, apptest.PID(t, 1940, 3))
		young := p.LoginAs(t, apptest.PID(t, 1995, 4))
		now := p.Clock.Now()

		tile := map[string]any{
			"title":       map[string]string{"nb": "Boken kommer", "en": "Books delivered", "se": "Girjjit ruoktot"},
			"description": map[string]string{"nb": "Vi kjører bøker hjem til deg."},
			"link":        "https://deichman.no/hjemmelevering", "icon": "book", "category": "culture",
			"targeting": map[string]any{"minAge": 67},
		}
		// Preview: the citizen's view in a language without its own text falls back; reach is a hand count.
		var pv struct {
			Tile struct {
				Title, TitleLang, Description string
				Agency                        struct{ Slug string }
			} `json:"tile"`
			Reach int `json:"reach"`
		}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/tiles/preview", map[string]any{"tile": tile, "lang": "nn"}).
			Status(t, http.StatusOK).JSON(t, &pv)
		want := handCount(t, p, func(b time.Time, _ string) bool { return !b.AddDate(67, 0, 0).After(now) })
		if want == 0 || pv.Reach != want {
			t.Fatalf("preview reach = %d, hand count = %d", pv.Reach, want)
		}
		if pv.Tile.Title != "Boken kommer" || pv.Tile.TitleLang != "nb" || pv.Tile.Agency.Slug != "bibliotek" {
			t.Fatalf("preview in nn = %+v, want the nb text", pv.Tile)
		}

		// Bad input: 422 with pointers, and nothing written.
		before := count(t, p, `SELECT COUNT(*) FROM agency_records WHERE kind = 'tiles'`)
		bad := map[string]any{"title": map[string]string{"xx": "?"}, "link": "http://insecure.example", "icon": "rocket",
			"targeting": map[string]any{"minAge": 200}}
		r := editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/tiles", bad).Status(t, http.StatusUnprocessableEntity)
		got := pointers(t, r)
		for _, ptr := range []string{"/icon", "/link", "/targeting/minAge", "/title/xx"} {
			if !slices.Contains(got, ptr) {
				t.Errorf("pointers %v lack %s", got, ptr)
			}
		}
		r = editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/tiles/preview", map[string]any{"tile": bad}).Status(t, http.StatusUnprocessableEntity)
		if got := pointers(t, r); !slices.Contains(got, "/tile/link") {
			t.Errorf("preview pointers %v lack /tile/link", got)
		}
		if after := count(t, p, `SELECT COUNT(*) FROM agency_records WHERE kind = 'tiles'`); after != before {
			t.Fatalf("a refused tile changed the records: %d → %d", before, after)
		}

		// Create (a draft), edit with the version it was loaded from, then a stale edit conflicts.
		var created tileJSON
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/tiles", tile).Status(t, http.StatusCreated).JSON(t, &created)
		if created.Status != "draft" || created.Version != 1 || !strings.HasPrefix(created.ExternalID, "console-") {
			t.Fatalf("created = %+v", created)
		}
		tile["version"] = 1
		tile["title"] = map[string]string{"nb": "Boka kommer", "en": "Books delivered"}
		var edited tileJSON
		editor.Send(t, http.MethodPut, "/api/v1/console/bibliotek/tiles/"+created.ID, tile).Status(t, http.StatusOK).JSON(t, &edited)
		if edited.Version != 2 || edited.Title["nb"] != "Boka kommer" || edited.Status != "draft" {
			t.Fatalf("edited = %+v", edited)
		}
		editor.Send(t, http.MethodPut, "/api/v1/console/bibliotek/tiles/"+created.ID, tile).Status(t, http.StatusConflict).Problem(t)

		// Not visible while a draft; published, it reaches the elder and not the young.
		if hasTile(t, elder, "Boka kommer") {
			t.Fatal("a draft tile is shown to citizens")
		}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/tiles/"+created.ID+"/publish", map[string]any{"version": 2}).Status(t, http.StatusOK)
		if !hasTile(t, elder, "Boka kommer") {
			t.Fatal("the published tile is not on a targeted citizen's overview")
		}
		if hasTile(t, young, "Boka kommer") {
			t.Fatal("the published tile is on an untargeted citizen's overview")
		}
		var list struct{ Tiles []tileJSON }
		editor.Get(t, "/api/v1/console/bibliotek/tiles").Status(t, http.StatusOK).JSON(t, &list)
		i := slices.IndexFunc(list.Tiles, func(x tileJSON) bool { return x.ID == created.ID })
		if i < 0 || list.Tiles[i].Status != "published" || list.Tiles[i].Version != 3 || list.Tiles[i].Title["en"] != "Books delivered" {
			t.Fatalf("listed tiles = %+v", list.Tiles)
		}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/tiles/"+created.ID+"/unpublish", nil).Status(t, http.StatusOK)
		if hasTile(t, elder, "Boka kommer") {
			t.Fatal("an unpublished tile is still shown")
		}

		// Every write audited as the editor; the changes feed told open apps (no citizen: a tile is for all).
		if n := count(t, p, `SELECT COUNT(*) FROM audit_log WHERE action = 'console.tile.write' AND actor_kind = 'citizen' AND object_id = ?`, created.ID); n != 4 {
			t.Errorf("audit rows = %d, want 4 (create, edit, publish, unpublish)", n)
		}
		if n := count(t, p, `SELECT COUNT(*) FROM changes WHERE kind = 'tile' AND object_id = ? AND citizen_id IS NULL`, created.ID); n != 4 {
			t.Errorf("changes rows = %d, want 4", n)
		}
	}, withDemo)
}

func hasTile(t *testing.T, c *apptest.Client, title string) bool {
	t.Helper()
	var o struct {
		Tiles []struct{ Title string } `json:"tiles"`
	}
	c.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &o)
	return slices.ContainsFunc(o.Tiles, func(x struct{ Title string }) bool { return x.Title == title })
}

func TestConsoleNotice(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		editor := p.LoginAs(t, demoEditor(t))
		notice := map[string]any{
			"title": map[string]string{"nb": "Stengt mandag", "en": "Closed Monday"}, "body": map[string]string{"nb": "Biblioteket på Frogner er stengt."},
			"category": "general", "targeting": map[string]any{"districts": []string{"Frogner"}}, "dryRun": true,
		}
		defer func() {
			if t.Failed() {
				t.Log(p.Logs())
			}
		}()
		var dry struct{ Reach int }
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/notices", notice).Status(t, http.StatusOK).JSON(t, &dry)
		want := handCount(t, p, func(_ time.Time, d string) bool { return d == "Frogner" })
		if want == 0 || dry.Reach != want {
			t.Fatalf("dry run reach = %d, hand count = %d", dry.Reach, want)
		}
		if n := count(t, p, `SELECT COUNT(*) FROM notifications WHERE dedupe_key LIKE 'notice:%'`); n != 0 {
			t.Fatalf("a dry run wrote %d notifications", n)
		}

		bad := map[string]any{"title": map[string]string{}, "body": map[string]string{"nb": "x"}, "category": "spam", "dryRun": true}
		got := pointers(t, editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/notices", bad).Status(t, http.StatusUnprocessableEntity))
		if !slices.Equal(got, []string{"/category", "/title"}) {
			t.Errorf("pointers = %v", got)
		}

		notice["dryRun"] = false
		notice["expectedReach"] = dry.Reach + 1
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/notices", notice).Status(t, http.StatusConflict).Problem(t)

		notice["expectedReach"] = dry.Reach
		var sent struct {
			NoticeID string
			Sent     int
		}
		editor.Send(t, http.MethodPost, "/api/v1/console/bibliotek/notices", notice).Status(t, http.StatusCreated).JSON(t, &sent)
		if sent.Sent != want || sent.NoticeID == "" {
			t.Fatalf("sent = %+v, want %d", sent, want)
		}
		var recipients []string
		if err := p.DB.NewRaw(`SELECT c.district FROM notifications n JOIN citizens c ON c.id = n.citizen_id
JOIN agencies a ON a.id = n.agency_id WHERE n.dedupe_key = ? AND a.slug = 'bibliotek'`, "notice:"+sent.NoticeID).Scan(context.Background(), &recipients); err != nil {
			t.Fatal(err)
		}
		if len(recipients) != want || slices.ContainsFunc(recipients, func(d string) bool { return d != "Frogner" }) {
			t.Fatalf("notified districts = %v, want %d in Frogner", recipients, want)
		}
		// Count only this notice's events: the running portal's reminder scheduler may enqueue
		// notify events of its own meanwhile.
		if n := noticeEvents(t, p, sent.NoticeID); n != want {
			t.Errorf("notify events = %d, want %d", n, want)
		}
		var detail string
		if err := p.DB.NewRaw(`SELECT detail FROM audit_log WHERE action = 'console.notice.send' AND object_id = ?`, sent.NoticeID).
			Scan(context.Background(), &detail); err != nil {
			t.Fatal(err)
		}
		var d struct{ Sent int }
		if err := json.Unmarshal([]byte(detail), &d); err != nil || d.Sent != want {
			t.Errorf("audit detail %s, want sent %d", detail, want)
		}
	}, withDemo)
}

// noticeEvents counts the notify outbox events that point at the notice's notifications.
func noticeEvents(t *testing.T, p *apptest.Portal, noticeID string) int {
	t.Helper()
	ctx := context.Background()
	var ids []string
	if err := p.DB.NewRaw(`SELECT id FROM notifications WHERE dedupe_key = ?`, "notice:"+noticeID).Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	var payloads []string
	if err := p.DB.NewRaw(`SELECT payload FROM outbox WHERE topic = 'notify'`).Scan(ctx, &payloads); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, raw := range payloads {
		var e outbox.NotifyEvent
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			t.Fatal(err)
		}
		if e.Kind == "notification" && slices.Contains(ids, e.ObjectID) {
			n++
		}
	}
	return n
}
