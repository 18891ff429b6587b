package web_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
)

// A refused report names every field at fault in a localized problem, and stores nothing: no
// report, no photo row, no file on disk, no webhook.
func TestReportValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		_, key, _, err := p.App.Agencies.Create(context.Background(), "bymiljo", "Bymiljøetaten", "")
		if err != nil {
			t.Fatal(err)
		}
		roads := p.Anonymous(t)
		roads.Header.Set("Authorization", "Bearer "+key.Key)
		svc := streetLight(1)
		svc["photo"] = "required"
		svc["questions"] = append(svc["questions"].([]map[string]any),
			map[string]any{"code": "count", "label": map[string]string{"nb": "Antall"}, "type": "number"},
			map[string]any{"code": "since", "label": map[string]string{"nb": "Siden"}, "type": "datetime"},
			map[string]any{"code": "sides", "label": map[string]string{"nb": "Sider"}, "type": "multichoice",
				"choices": []map[string]any{{"key": "north", "label": map[string]string{"nb": "Nord"}}, {"key": "south", "label": map[string]string{"nb": "Sør"}}}})
		roads.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", svc).Status(t, http.StatusCreated)
		c := p.LoginAs(t, apptest.PID(t, 1980, 5))
		c.Header.Set("Accept-Language", "en")
		heic := []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")
		// A PNG header claiming 100000 × 100000 pixels: refused from the header, never decoded.
		bomb := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), 0x00, 0x01, 0x86, 0xa0, 0x00, 0x01, 0x86, 0xa0, 8, 2, 0, 0, 0, 0, 0, 0, 0)

		cases := []struct {
			name   string
			fields [][2]string
			photos [][]byte
			want   []string // pointers
		}{
			{"everything wrong", [][2]string{{"service", "street-light"}, {"description", " "}, {"lat", "48.85"}, {"lon", "2.35"},
				{"answers.fault", "melted"}, {"answers.count", "many"}, {"answers.since", "yesterday"}, {"answers.sides", "north"},
				{"answers.sides", "east"}, {"answers.colour", "red"}}, nil,
				[]string{"/description", "/lat", "/lon", "/answers/fault", "/answers/count", "/answers/since", "/answers/sides", "/answers/colour", "/photos"}},
			{"no service", [][2]string{{"description", "Mørkt"}}, nil, []string{"/service"}},
			{"unknown service", [][2]string{{"service", "no-such"}, {"description", "Mørkt"}}, nil, []string{"/service"}},
			{"no place, no answer", [][2]string{{"service", "street-light"}, {"description", "Mørkt"}}, [][]byte{jpegBytes(t, 10, 10)},
				[]string{"/lat", "/answers/fault"}},
			{"half a place", [][2]string{{"service", "street-light"}, {"description", "Mørkt"}, {"lat", "59.9"}, {"answers.fault", "dark"}},
				[][]byte{jpegBytes(t, 10, 10)}, []string{"/lon"}},
			{"an iPhone photo, a bomb, a PDF and a fourth", [][2]string{{"service", "street-light"}, {"description", "Mørkt"}, {"address", "Gata 1"},
				{"answers.fault", "dark"}}, [][]byte{jpegBytes(t, 10, 10), heic, bomb, []byte("%PDF-1.7\n")}, []string{"/photos"}},
			{"the iPhone photo alone", [][2]string{{"service", "street-light"}, {"description", "Mørkt"}, {"address", "Gata 1"},
				{"answers.fault", "dark"}}, [][]byte{jpegBytes(t, 10, 10), heic, bomb}, []string{"/photos/1", "/photos/2"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := postReport(t, c, "", tc.fields, tc.photos...).Status(t, http.StatusUnprocessableEntity)
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
					t.Fatalf("content type %q", r.Header.Get("Content-Type"))
				}
				for _, ptr := range tc.want {
					if !bytes.Contains(r.Body, []byte(`"`+ptr+`"`)) {
						t.Errorf("%s not named: %s", ptr, r.Body)
					}
				}
			})
		}
		r := postReport(t, c, "", cases[6].fields, cases[6].photos...)
		if !bytes.Contains(r.Body, []byte("HEIC")) && !bytes.Contains(r.Body, []byte("JPEG")) {
			t.Errorf("the HEIC refusal does not say what to do: %s", r.Body)
		}
		for _, table := range []string{"reports", "report_photos", "outbox"} {
			n, err := p.DB.NewSelect().Table(table).Where("1 = 1").Count(context.Background())
			if table == "outbox" {
				n, err = p.DB.NewSelect().Table(table).Where("topic = 'webhook'").Count(context.Background())
			}
			if err != nil || n != 0 {
				t.Errorf("%s: %d rows after refusals (%v)", table, n, err)
			}
		}
		dir := filepath.Join(p.App.Config.FilesDirOrDefault(), "report-photos")
		if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
			t.Errorf("%d orphan photo files after refusals", len(entries))
		}
		p.CheckLogs(t)
	})
}

// Reports without login are limited per client address: past the limit 429 with Retry-After, and
// nothing stored; a logged-in person is not held by it.
func TestAnonymousReportsAreRateLimited(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		_, key, _, err := p.App.Agencies.Create(context.Background(), "bymiljo", "Bymiljøetaten", "")
		if err != nil {
			t.Fatal(err)
		}
		roads := p.Anonymous(t)
		roads.Header.Set("Authorization", "Bearer "+key.Key)
		roads.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", streetLight(1)).Status(t, http.StatusCreated)
		fields := [][2]string{{"service", "street-light"}, {"description", "Mørkt"}, {"address", "Gata 1"}, {"answers.fault", "dark"}}
		anon := p.Anonymous(t)
		for range 10 {
			postReport(t, anon, "", fields).Status(t, http.StatusCreated)
		}
		r := postReport(t, anon, "", fields).Status(t, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		postReport(t, p.LoginAs(t, apptest.PID(t, 1980, 7)), "", fields).Status(t, http.StatusCreated)
		n, err := p.DB.NewSelect().Table("reports").Where("citizen_id IS NULL").Count(context.Background())
		if err != nil || n != 10 {
			t.Fatalf("%d anonymous reports stored, want 10 (%v)", n, err)
		}
	})
}
