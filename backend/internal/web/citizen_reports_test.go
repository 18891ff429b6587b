package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
)

// streetLight is a report service as a roads agency publishes it: a required choice question,
// an optional photo, a required place.
func streetLight(version int) map[string]any {
	return map[string]any{
		"name":        map[string]string{"nb": "Gatelys som ikke virker", "en": "Street light out"},
		"description": map[string]string{"nb": "Et gatelys er mørkt eller blinker."},
		"group":       "lighting", "keywords": []string{"lys", "lykt"}, "photo": "optional", "place": "required",
		"questions": []map[string]any{{
			"code": "fault", "label": map[string]string{"nb": "Hva er feil?", "en": "What is wrong?"}, "type": "singlechoice", "required": true,
			"choices": []map[string]any{
				{"key": "dark", "label": map[string]string{"nb": "Lyser ikke", "en": "Dark"}},
				{"key": "blinking", "label": map[string]string{"nb": "Blinker", "en": "Blinking"}},
			},
		}, {"code": "pole", "label": map[string]string{"nb": "Stolpenummer"}, "type": "text", "order": 2}},
		"active": true, "version": version,
	}
}

// reportForm is a report as the PWA sends it: text fields (a name may repeat) and photos.
func reportForm(fields [][2]string, photos ...[]byte) apptest.Form {
	form := apptest.Form{Fields: fields}
	for i, p := range photos {
		form.Files = append(form.Files, apptest.FormFile{Field: "photos", Name: fmt.Sprintf("IMG_%d.jpg", i), Data: p})
	}
	return form
}

func postReport(t *testing.T, c *apptest.Client, key string, fields [][2]string, photos ...[]byte) *apptest.Response {
	return c.PostForm(t, "/api/v1/reports", key, reportForm(fields, photos...))
}

func jpegBytes(t *testing.T, w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type reportJSON struct {
	ID, Service, ServiceName, Description, Status, StatusReason string
	FollowURL, FollowToken                                      string
	Lat, Lon                                                    *float64
	Answers                                                     map[string]any
	Reporter, Following                                         bool
	Photos                                                      []struct {
		URL         string
		Width       int
		ContentType string
	}
}

// TestReportingEndToEnd: an agency publishes a service (its code is its own), a person reports
// with a photo (once, though sent twice), the agency gets a signed report.created without a
// national id and with a working photo link, a neighbour sees the duplicate nearby and follows
// it, an anonymous report is read only with its token, and only the owning agency lists the
// reports and sets their status.
func TestReportingEndToEnd(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		rec := &receiver{}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		_, roadsKey, secret, err := p.App.Agencies.Create(ctx, "bymiljo", "Bymiljøetaten", hooks.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, parksKey, _, err := p.App.Agencies.Create(ctx, "park", "Parketaten", "")
		if err != nil {
			t.Fatal(err)
		}
		roads, parks := p.Anonymous(t), p.Anonymous(t)
		roads.Header.Set("Authorization", "Bearer "+roadsKey.Key)
		parks.Header.Set("Authorization", "Bearer "+parksKey.Key)

		roads.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", streetLight(1)).Status(t, http.StatusCreated)
		roads.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", streetLight(1)).Status(t, http.StatusOK)
		// Another agency cannot take the code; the field is named and nothing changes.
		prob := parks.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", streetLight(5)).Status(t, http.StatusUnprocessableEntity)
		if !bytes.Contains(prob.Body, []byte(`"/externalId"`)) || !bytes.Contains(prob.Body, []byte("field.taken")) {
			t.Fatalf("taken code: %s", prob.Body)
		}
		roads.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", streetLight(2)).Status(t, http.StatusOK)
		roads.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", streetLight(1)).Status(t, http.StatusConflict)
		bad := streetLight(3)
		bad["questions"].([]map[string]any)[0]["choices"] = []map[string]any{}
		prob = roads.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", bad).Status(t, http.StatusUnprocessableEntity)
		if !bytes.Contains(prob.Body, []byte(`"/questions/0/choices"`)) {
			t.Fatalf("choice question without choices: %s", prob.Body)
		}

		// Public, in the reader's language.
		var services struct {
			Items []struct {
				Code, Name, Agency string
				Questions          []struct {
					Code, Label string
					Choices     []struct{ Key, Label string }
				}
			}
		}
		anon := p.Anonymous(t)
		anon.Header.Set("Accept-Language", "en")
		anon.Get(t, "/api/v1/report-services").Status(t, http.StatusOK).JSON(t, &services)
		if len(services.Items) != 1 || services.Items[0].Name != "Street light out" || services.Items[0].Questions[0].Choices[1].Label != "Blinking" ||
			services.Items[0].Agency != "Bymiljøetaten" {
			t.Fatalf("services: %+v", services)
		}

		// A person reports with a photo; the outbox retry with the same key stores one report.
		number := apptest.PID(t, 1984, 21)
		ola := p.LoginAs(t, number)
		fields := [][2]string{{"service", "street-light"}, {"description", "Lyset ved bussholdeplassen er mørkt."},
			{"lat", "59.91273"}, {"lon", "10.74609"}, {"answers.fault", "dark"}, {"answers.pole", "A-113"}}
		photo := jpegBytes(t, 2400, 1800)
		var first, again reportJSON
		postReport(t, ola, "outbox-1", fields, photo).Status(t, http.StatusCreated).JSON(t, &first)
		r := postReport(t, ola, "outbox-1", fields, photo).Status(t, http.StatusCreated)
		r.JSON(t, &again)
		if again.ID != first.ID || r.Header.Get("Idempotency-Replayed") != "true" {
			t.Fatalf("retry made another report: %s vs %s", again.ID, first.ID)
		}
		if first.Status != "submitted" || !first.Reporter || len(first.Photos) != 1 || first.Photos[0].Width != 1600 || first.Answers["fault"] != "dark" {
			t.Fatalf("created: %+v", first)
		}
		var mine struct{ Items []reportJSON }
		ola.Get(t, "/api/v1/me/reports").Status(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 1 || mine.Items[0].ID != first.ID {
			t.Fatalf("my reports: %+v", mine.Items)
		}

		// The agency's webhook: signed, no national id, a photo link that works and not when changed.
		body := rec.onlySigned(t, p, secret)
		var ev struct {
			Type string
			Data struct {
				ReportID, Service, Channel string
				Lat                        float64
				Photos                     []struct{ URL string }
			}
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type != "report.created" || ev.Data.ReportID != first.ID || ev.Data.Service != "street-light" || ev.Data.Channel != "minside" ||
			ev.Data.Lat != 59.91273 || len(ev.Data.Photos) != 1 {
			t.Fatalf("webhook: %s", body)
		}
		if leaks := apptest.FindPIDs(string(body)); len(leaks) > 0 || bytes.Contains(body, []byte(number)) {
			t.Fatal("webhook holds a national id")
		}
		got := p.Anonymous(t).Get(t, ev.Data.Photos[0].URL).Status(t, http.StatusOK)
		if got.Header.Get("Content-Type") != "image/jpeg" || len(got.Body) == 0 {
			t.Fatalf("photo link: %q, %d bytes", got.Header.Get("Content-Type"), len(got.Body))
		}
		p.Anonymous(t).Get(t, strings.Replace(ev.Data.Photos[0].URL, "sig=", "sig=A", 1)).Status(t, http.StatusForbidden)

		// Nearby: 20 m away it is shown (no personal data), 200 m away it is not.
		var near struct {
			Items []map[string]any
		}
		anon.Get(t, "/api/v1/reports/nearby?service=street-light&lat=59.91291&lon=10.74609").Status(t, http.StatusOK).JSON(t, &near)
		if len(near.Items) != 1 || near.Items[0]["id"] != first.ID || near.Items[0]["distanceM"].(float64) != 20 {
			t.Fatalf("nearby: %+v", near.Items)
		}
		for k := range near.Items[0] {
			if k != "id" && k != "status" && k != "description" && k != "createdAt" && k != "distanceM" {
				t.Fatalf("nearby carries %q", k)
			}
		}
		anon.Get(t, "/api/v1/reports/nearby?service=street-light&lat=59.91453&lon=10.74609").Status(t, http.StatusOK).JSON(t, &near)
		if len(near.Items) != 0 {
			t.Fatalf("200 m away: %+v", near.Items)
		}
		anon.Get(t, "/api/v1/reports/nearby?service=street-light&lat=0&lon=0").Status(t, http.StatusUnprocessableEntity)
		var public struct {
			Items     []map[string]any
			Truncated bool
		}
		anon.Get(t, "/api/v1/public/reports?bbox=10.70,59.90,10.80,59.95").Status(t, http.StatusOK).JSON(t, &public)
		if len(public.Items) != 1 || public.Items[0]["id"] != first.ID || public.Items[0]["serviceName"] != "Street light out" || public.Truncated {
			t.Fatalf("public page before: %+v", public)
		}
		anon.Get(t, "/api/v1/public/reports?bbox=10,59,12,61").Status(t, http.StatusUnprocessableEntity)

		// A neighbour follows it instead of reporting again; a stranger does not see it.
		kari := p.LoginAs(t, apptest.PID(t, 1990, 33))
		kari.Get(t, "/api/v1/reports/"+first.ID).Status(t, http.StatusNotFound)
		var followed reportJSON
		kari.Send(t, http.MethodPost, "/api/v1/reports/"+first.ID+"/follow", nil).Status(t, http.StatusOK).JSON(t, &followed)
		kari.Send(t, http.MethodPost, "/api/v1/reports/"+first.ID+"/follow", nil).Status(t, http.StatusOK)
		if !followed.Following || followed.Reporter {
			t.Fatalf("followed: %+v", followed)
		}
		kari.Get(t, "/api/v1/reports/"+first.ID).Status(t, http.StatusOK)

		// Without login: accepted, with a private link; the token is the only way in.
		var anonReport reportJSON
		postReport(t, anon, "", [][2]string{{"service", "street-light"}, {"description", "Mørkt i Kirkeveien."}, {"address", "Kirkeveien 1"},
			{"answers.fault", "blinking"}}).Status(t, http.StatusCreated).JSON(t, &anonReport)
		if anonReport.FollowToken == "" || !strings.Contains(anonReport.FollowURL, anonReport.ID) {
			t.Fatalf("anonymous: %+v", anonReport)
		}
		p.Anonymous(t).Get(t, "/api/v1/reports/"+anonReport.ID).Status(t, http.StatusNotFound)
		// Another first character (a fixed "x" was the token itself once in 64 runs).
		wrong := "x"
		if anonReport.FollowToken[0] == 'x' {
			wrong = "y"
		}
		p.Anonymous(t).Get(t, "/api/v1/reports/"+anonReport.ID+"?token="+wrong+anonReport.FollowToken[1:]).Status(t, http.StatusNotFound)
		var byToken reportJSON
		p.Anonymous(t).Get(t, "/api/v1/reports/"+anonReport.ID+"?token="+anonReport.FollowToken).Status(t, http.StatusOK).JSON(t, &byToken)
		if byToken.ID != anonReport.ID || byToken.Description != "Mørkt i Kirkeveien." {
			t.Fatalf("by token: %+v", byToken)
		}
		var hashes int64
		if hashes, err = p.DB.NewSelect().Table("reports").Where("follow_token_hash = ?", anonReport.FollowToken).Count(ctx); err != nil || hashes != 0 {
			t.Fatalf("the token itself is stored (%d, %v)", hashes, err)
		}

		// Only the owning agency lists its reports and sets their status.
		var list struct {
			Reports []struct {
				ID, Status string
				Followers  int
			}
			NextCursor *string
		}
		roads.Get(t, "/api/agency/v1/reports?limit=1").Status(t, http.StatusOK).JSON(t, &list)
		if len(list.Reports) != 1 || list.Reports[0].ID != first.ID || list.Reports[0].Followers != 1 || list.NextCursor == nil {
			t.Fatalf("agency page 1: %+v", list)
		}
		roads.Get(t, "/api/agency/v1/reports?limit=1&cursor="+*list.NextCursor).Status(t, http.StatusOK).JSON(t, &list)
		if len(list.Reports) != 1 || list.Reports[0].ID != anonReport.ID {
			t.Fatalf("agency page 2: %+v", list)
		}
		parks.Get(t, "/api/agency/v1/reports").Status(t, http.StatusOK).JSON(t, &list)
		if len(list.Reports) != 0 {
			t.Fatalf("another agency sees %d reports", len(list.Reports))
		}
		parks.Send(t, http.MethodPut, "/api/agency/v1/reports/"+first.ID+"/status", map[string]any{"status": "fixed"}).Status(t, http.StatusNotFound)
		roads.Send(t, http.MethodPut, "/api/agency/v1/reports/"+first.ID+"/status", map[string]any{"status": "closed"}).Status(t, http.StatusUnprocessableEntity)
		roads.Send(t, http.MethodPut, "/api/agency/v1/reports/"+anonReport.ID+"/status",
			map[string]any{"status": "duplicate", "duplicateOf": first.ID}).Status(t, http.StatusOK)
		roads.Send(t, http.MethodPut, "/api/agency/v1/reports/"+first.ID+"/status",
			map[string]any{"status": "fixed", "reason": map[string]string{"nb": "Pæren er byttet.", "en": "The bulb was replaced."}}).Status(t, http.StatusOK)
		var after reportJSON
		ola.Get(t, "/api/v1/reports/"+first.ID).Status(t, http.StatusOK).JSON(t, &after)
		if after.Status != "fixed" || after.StatusReason != "Pæren er byttet." {
			t.Fatalf("after status: %+v", after)
		}
		// Closed reports leave the nearby list and the public page.
		anon.Get(t, "/api/v1/reports/nearby?service=street-light&lat=59.91291&lon=10.74609").Status(t, http.StatusOK).JSON(t, &near)
		if len(near.Items) != 0 {
			t.Fatalf("a fixed report is still nearby: %+v", near.Items)
		}
		anon.Get(t, "/api/v1/public/reports?bbox=10.70,59.90,10.80,59.95").Status(t, http.StatusOK).JSON(t, &public)
		if len(public.Items) != 0 {
			t.Fatalf("public page after: %+v", public.Items)
		}
		// The reporter's access log shows the agency's read of the report.
		var log struct {
			Items []struct{ Text, ObjectKind string }
		}
		ola.Get(t, "/api/v1/me/access-log").Status(t, http.StatusOK).JSON(t, &log)
		read := false
		for _, e := range log.Items {
			read = read || (e.ObjectKind == "report" && strings.Contains(e.Text, "Bymiljøetaten"))
		}
		if !read {
			t.Fatalf("the agency's read is not in the access log: %+v", log.Items)
		}
		// A service with reports is only deactivated by DELETE: gone from the form, its reports kept.
		roads.Send(t, http.MethodDelete, "/api/agency/v1/report-services/street-light", nil).Status(t, http.StatusNoContent)
		anon.Get(t, "/api/v1/report-services").Status(t, http.StatusOK).JSON(t, &services)
		if len(services.Items) != 0 {
			t.Fatalf("a withdrawn service is offered: %+v", services.Items)
		}
		ola.Get(t, "/api/v1/reports/"+first.ID).Status(t, http.StatusOK)
		p.CheckLogs(t)
	}, apptest.WithConfig(func(c *config.Config) { c.WebhookAllowPrivate = true }))
}
