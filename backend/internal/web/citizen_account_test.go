package web_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/account"
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
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || !strings.Contains(r.Header.Get("Content-Disposition"), "minside-data.json") {
		t.Fatalf("content type %q, disposition %q", r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
	}
	var data account.Data
	r.JSON(t, &data)
	if bytes.Contains(r.Body, []byte(w.parentPID)) || len(apptest.FindPIDs(string(r.Body))) > 0 {
		t.Fatal("a national identity number is in the export")
	}
	if len(data.Cases) != 1 || data.Cases[0].ID != cs.ID || data.Person.Name != "Kari Nordmann" {
		t.Fatalf("the case is not in the export: %s", r.Body)
	}

	req := c.NewRequest(t, http.MethodGet, "/api/v1/me/export.html", nil)
	req.Header.Set("Accept-Language", "en")
	page := c.Do(t, req).Status(t, http.StatusOK)
	html := string(page.Body)
	if !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") || !strings.Contains(page.Header.Get("Content-Security-Policy"), "default-src 'none'") ||
		!strings.HasPrefix(page.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("headers %v", page.Header)
	}
	if strings.Contains(html, w.parentPID) || len(apptest.FindPIDs(html)) > 0 || strings.Contains(html, cs.ID) || strings.Contains(html, w.parent.ID) {
		t.Fatal("a national identity number or an internal id is in the readable export")
	}
	for _, want := range []string{"Your data on Min side", "In progress", "kultur read your data: cases"} {
		if !strings.Contains(html, want) {
			t.Errorf("the readable export lacks %q", want)
		}
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
