package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/audit"
	"minside/backend/internal/cases"
	"minside/backend/internal/store"
)

func calendarHTTP(t *testing.T, p *apptest.Portal, w *actionWorld) {
	b := w.booking(t, w.parent, time.Hour)
	c := p.LoginAs(t, w.parentPID)
	var state struct {
		URL    *string
		Active bool
	}
	c.Get(t, "/api/v1/me/calendar").Status(t, http.StatusOK).JSON(t, &state)
	if state.URL != nil || state.Active {
		t.Fatalf("before: %+v", state)
	}
	var made struct{ URL string }
	c.Send(t, http.MethodPost, "/api/v1/me/calendar", nil).Status(t, http.StatusCreated).JSON(t, &made)
	if !strings.HasPrefix(made.URL, p.URL+"/calendar/") || !strings.HasSuffix(made.URL, ".ics") {
		t.Fatalf("url %q", made.URL)
	}
	c.Get(t, "/api/v1/me/calendar").Status(t, http.StatusOK).JSON(t, &state)
	if !state.Active {
		t.Fatal("not active after POST")
	}
	anon := p.Anonymous(t)
	feed := anon.Visit(t, made.URL).Status(t, http.StatusOK)
	if ct := feed.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("content type %q", ct)
	}
	text := string(feed.Body)
	if !strings.HasPrefix(text, "BEGIN:VCALENDAR\r\n") || !strings.Contains(text, "UID:booking-"+b.ID) || !strings.Contains(text, "SUMMARY:Øvingsrom\r\n") {
		t.Fatalf("feed:\n%s", text)
	}
	token := strings.TrimSuffix(strings.TrimPrefix(made.URL, p.URL+"/calendar/"), ".ics")
	if strings.Contains(p.Logs(), token) {
		t.Fatal("the calendar secret is in the logs")
	}
	var again struct{ URL string }
	c.Send(t, http.MethodPost, "/api/v1/me/calendar", nil).Status(t, http.StatusCreated).JSON(t, &again)
	anon.Visit(t, made.URL).Status(t, http.StatusNotFound)
	anon.Visit(t, again.URL).Status(t, http.StatusOK)
	c.Send(t, http.MethodDelete, "/api/v1/me/calendar", nil).Status(t, http.StatusNoContent)
	anon.Visit(t, again.URL).Status(t, http.StatusNotFound)
}

func exportAndAccessLogHTTP(t *testing.T, p *apptest.Portal, w *actionWorld) {
	now := store.UTC(p.Clock.Now())
	cs := &cases.Case{ID: store.NewID(), AgencyID: w.agency, ExternalID: "c1", Version: 1, CitizenID: w.parent.ID, Area: "culture",
		Status: cases.StatusInProgress, CreatedAt: now, UpdatedAt: now}
	w.insert(t, cs)
	agencyID, me, child := w.agency, w.parent.ID, w.child.ID
	for _, e := range []audit.Entry{
		{ActorKind: audit.ActorAgency, ActorID: &agencyID, SubjectID: &me, Action: audit.ActionRead, ObjectKind: "case", ObjectID: cs.ID},
		{ActorKind: audit.ActorRepresentative, ActorID: &child, SubjectID: &me, Action: audit.ActionNotificationRead, ObjectKind: "notification", ObjectID: "n1"},
	} {
		e.At = now
		if err := audit.Record(context.Background(), p.DB, e); err != nil {
			t.Fatal(err)
		}
	}
	c := p.LoginAs(t, w.parentPID)

	r := c.Get(t, "/api/v1/me/export").Status(t, http.StatusOK)
	if r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("content type %q", r.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	names := map[string]bool{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		all = append(all, b...)
		names[f.Name] = true
	}
	for _, want := range []string{"profile.json", "cases.json", "sessions.json", "access-log.json", "devices.json"} {
		if !names[want] {
			t.Errorf("the export lacks %s", want)
		}
	}
	if bytes.Contains(all, []byte(w.parentPID)) || bytes.Contains(r.Body, []byte(w.parentPID)) || len(apptest.FindPIDs(string(all))) > 0 {
		t.Fatal("a national identity number is in the export")
	}
	if !bytes.Contains(all, []byte(cs.ID)) {
		t.Fatal("the case is not in the export")
	}

	var log struct {
		Items []struct {
			Action string
			Text   string
			Actor  struct {
				Kind, Name string
				Me         bool
			}
		}
		NextCursor *string
	}
	c.Get(t, "/api/v1/me/access-log?limit=10").Status(t, http.StatusOK).JSON(t, &log)
	seen := map[string]string{}
	for _, e := range log.Items {
		seen[e.Action] = e.Actor.Kind + ":" + e.Actor.Name
		if e.Text == "" || strings.Contains(e.Text, e.Action) || strings.Contains(e.Text, "{{") {
			t.Errorf("entry %s is not in words: %q", e.Action, e.Text)
		}
	}
	if seen["read"] != "agency:kultur" || seen["notification.read"] != "representative:Ola Nordmann" || seen["account.export"] == "" || seen["login"] != "citizen:Kari Nordmann" {
		t.Fatalf("access log: %v", seen)
	}
}

func closeAccountHTTP(t *testing.T, p *apptest.Portal, w *actionWorld) {
	w.booking(t, w.parent, time.Hour)
	c := p.LoginAs(t, w.parentPID)
	c.Send(t, http.MethodDelete, "/api/v1/me", map[string]any{}).Status(t, http.StatusUnprocessableEntity)
	if count(t, p, "citizens", "id = ?", w.parent.ID) != 1 {
		t.Fatal("closed without confirmation")
	}
	c.Header.Set("Accept-Language", "en")
	r := c.Send(t, http.MethodDelete, "/api/v1/me", map[string]any{"confirm": true}).Status(t, http.StatusOK)
	if !strings.Contains(r.Header.Get("Clear-Site-Data"), `"storage"`) {
		t.Fatalf("Clear-Site-Data %q", r.Header.Get("Clear-Site-Data"))
	}
	var body struct {
		Closed     bool
		Message    string
		MessageKey string
	}
	r.JSON(t, &body)
	if !body.Closed || body.MessageKey != "account.closed_note" || body.Message == "" || body.Message == body.MessageKey {
		t.Fatalf("%+v", body)
	}
	for table, where := range map[string]string{"citizens": "id = ?", "sessions": "citizen_id = ?", "bookings": "citizen_id = ?"} {
		if n := count(t, p, table, where, w.parent.ID); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	c.Get(t, "/api/v1/me").Status(t, http.StatusUnauthorized)
	if count(t, p, "citizens", "id = ?", w.child.ID) != 1 {
		t.Fatal("the child was deleted too")
	}
}
