package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
)

// TestExportAndCloseWithReportsAndIdeasThroughThePortal: the export lists the person's report
// (with a photo link that works) and the report they follow, their idea (photo link with their
// login) and the idea they support; closing keeps the report without the person, deletes the
// idea and, once the portal's outbox worker has run, its photo on disk, while the report's photo stays.
func TestExportAndCloseWithReportsAndIdeasThroughThePortal(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		_, roadsKey, _, err := p.App.Agencies.Create(ctx, "bymiljo", "Bymiljøetaten", "")
		if err != nil {
			t.Fatal(err)
		}
		roads := p.Anonymous(t)
		roads.Header.Set("Authorization", "Bearer "+roadsKey.Key)
		roads.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", streetLight(1)).Status(t, http.StatusCreated)

		person, neighbour := p.LoginAs(t, apptest.PID(t, 1984, 21)), p.LoginAs(t, apptest.PID(t, 1991, 22))
		place := [][2]string{{"service", "street-light"}, {"lat", "59.91273"}, {"lon", "10.74609"}, {"answers.fault", "dark"}}
		var mine, theirs reportJSON
		postReport(t, person, "", append(place, [2]string{"description", "Mørkt ved skolen."}), jpegBytes(t, 40, 30)).
			Status(t, http.StatusCreated).JSON(t, &mine)
		postReport(t, neighbour, "", append(place, [2]string{"description", "Mørkt ved butikken."})).Status(t, http.StatusCreated).JSON(t, &theirs)
		person.Send(t, http.MethodPost, "/api/v1/reports/"+theirs.ID+"/follow", nil).Status(t, http.StatusOK)

		var img bytes.Buffer
		_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 20, 10)))
		var myIdea, theirIdea ideaView
		postIdea(t, person, map[string]string{"title": "Lys i tunnelen", "body": "Tunnelen er mørk.", "area": "transport"}, img.Bytes(), "").
			Status(t, http.StatusCreated).JSON(t, &myIdea)
		postIdea(t, neighbour, map[string]string{"title": "Flere benker", "body": "Langs elva.", "area": "environment"}, nil, "").
			Status(t, http.StatusCreated).JSON(t, &theirIdea)
		person.Send(t, http.MethodPut, "/api/v1/ideas/"+theirIdea.ID+"/support", nil).Status(t, http.StatusOK)

		var data struct {
			Reports []struct {
				ID, Description, Status string
				Mine                    bool
				Photos                  []struct{ URL, ContentType string }
			}
			Ideas []struct {
				ID, Title    string
				Mine         bool
				SupportCount int
				Photo        *struct{ URL string }
			}
		}
		person.Get(t, "/api/v1/me/export").Status(t, http.StatusOK).JSON(t, &data)
		if len(data.Reports) != 2 || len(data.Ideas) != 2 {
			t.Fatalf("export: %+v", data)
		}
		for _, r := range data.Reports {
			if r.Mine != (r.ID == mine.ID) || (r.Mine && (r.Description != "Mørkt ved skolen." || len(r.Photos) != 1)) || (!r.Mine && r.Description != "") {
				t.Errorf("export report: %+v", r)
			}
			if r.Mine {
				got := p.Anonymous(t).Get(t, strings.TrimPrefix(r.Photos[0].URL, p.URL)).Status(t, http.StatusOK)
				if len(got.Body) == 0 || r.Photos[0].ContentType != "image/jpeg" {
					t.Errorf("the report photo link gave %d bytes", len(got.Body))
				}
			}
		}
		for _, i := range data.Ideas {
			if i.Mine != (i.ID == myIdea.ID) || (i.Mine && i.Photo == nil) || (!i.Mine && i.SupportCount != 1) {
				t.Errorf("export idea: %+v", i)
			}
			if i.Mine {
				person.Get(t, strings.TrimPrefix(i.Photo.URL, p.URL)).Status(t, http.StatusOK)
			}
		}
		req := person.NewRequest(t, http.MethodGet, "/api/v1/me/export.html", nil)
		req.Header.Set("Accept-Language", "en")
		page := person.Do(t, req).Status(t, http.StatusOK)
		for _, want := range []string{"Reports of problems", "Mørkt ved skolen.", "You follow this report", "Lys i tunnelen", "You supported this idea"} {
			if !bytes.Contains(page.Body, []byte(want)) {
				t.Errorf("the readable export lacks %q", want)
			}
		}

		var reportPhoto string
		if err := p.DB.NewSelect().Table("report_photos").Column("storage_key").Where("report_id = ?", mine.ID).Scan(ctx, &reportPhoto); err != nil {
			t.Fatal(err)
		}
		reportFile := filepath.Join(p.App.Config.FilesDirOrDefault(), filepath.FromSlash(reportPhoto))
		ideaFile := filepath.Join(p.App.Config.FilesDirOrDefault(), "ideas", myIdea.ID)
		for _, f := range []string{reportFile, ideaFile} {
			if _, err := os.Stat(f); err != nil {
				t.Fatalf("not on disk before closing: %v", err)
			}
		}

		p.Settle(t)
		person.Send(t, http.MethodDelete, "/api/v1/me", map[string]any{"confirm": true}).Status(t, http.StatusOK)
		var reporter *string
		if err := p.DB.NewSelect().Table("reports").Column("citizen_id").Where("id = ?", mine.ID).Scan(ctx, &reporter); err != nil || reporter != nil {
			t.Fatalf("the report after closing: reporter %v, %v", reporter, err)
		}
		if n, _ := p.DB.NewSelect().Table("ideas").Where("id = ?", myIdea.ID).Count(ctx); n != 0 {
			t.Fatal("the idea outlived the account")
		}
		if n, _ := p.DB.NewSelect().Table("report_followers").Where("report_id = ?", theirs.ID).Count(ctx); n != 0 {
			t.Fatal("the follow outlived the account")
		}
		var counted ideaView
		neighbour.Get(t, "/api/v1/ideas/"+theirIdea.ID).Status(t, http.StatusOK).JSON(t, &counted)
		if counted.SupportCount != 0 {
			t.Fatalf("the neighbour's idea still counts %d supports", counted.SupportCount)
		}
		p.Settle(t) // the portal's outbox worker deletes the idea's photo
		if _, err := os.Stat(ideaFile); !os.IsNotExist(err) {
			t.Fatalf("the idea's photo is still on disk after closing: %v", err)
		}
		if _, err := os.Stat(reportFile); err != nil {
			t.Fatalf("the kept report lost its photo: %v", err)
		}
	})
}
