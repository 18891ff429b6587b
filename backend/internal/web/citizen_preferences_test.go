package web_test

import (
	"net/http"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/notify"
)

// Quiet hours switch off and on over HTTP and keep their times; a bad clock time is answered with a
// clock-time message (not an RFC 3339 example) at its pointer; nested unknown members are 422s.
func TestQuietHoursOverHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.LoginAs(t, apptest.PID(t, 1977, 1))
		var prefs notify.Prefs
		c.Send(t, http.MethodPut, "/api/v1/me/preferences", map[string]any{"quietHours": map[string]any{"start": "23:00", "end": "06:00"}}).
			Status(t, http.StatusOK)
		c.Send(t, http.MethodPut, "/api/v1/me/preferences", map[string]any{"quietHours": nil}).Status(t, http.StatusOK)
		c.Get(t, "/api/v1/me/preferences").Status(t, http.StatusOK).JSON(t, &prefs)
		if prefs.QuietHours != (notify.QuietHours{Enabled: false, Start: "23:00", End: "06:00"}) {
			t.Fatalf("after null: %+v", prefs.QuietHours)
		}
		c.Send(t, http.MethodPut, "/api/v1/me/preferences", map[string]any{"quietHours": map[string]any{"enabled": true}}).
			Status(t, http.StatusOK).JSON(t, &prefs)
		if prefs.QuietHours != (notify.QuietHours{Enabled: true, Start: "23:00", End: "06:00"}) {
			t.Fatalf("after enabled: %+v", prefs.QuietHours)
		}

		refused := []struct{ body, pointer, code, detail string }{
			{`{"quietHours":{"start":"2026-05-17T22:00:00Z"}}`, "/quietHours/start", "field.invalid_clock_time", "Skriv et klokkeslett som 22:00."},
			{`{"quietHours":{"end":"7"}}`, "/quietHours/end", "field.invalid_clock_time", "Skriv et klokkeslett som 22:00."},
			{`{"quietHours":{"start":"22:00","stop":"07:00"}}`, "/quietHours/stop", "field.unknown", ""},
			{`{"channels":{"cases":{"push":true,"sms":true}}}`, "/channels/cases/sms", "field.unknown", ""},
			{`{"quietHours":{"enabled":"no"}}`, "/quietHours/enabled", "field.invalid", ""},
		}
		for _, tc := range refused {
			req := c.NewRequest(t, http.MethodPut, "/api/v1/me/preferences", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Language", "nb")
			var pb problemBody
			c.Do(t, req).Status(t, http.StatusUnprocessableEntity).JSON(t, &pb)
			if len(pb.Errors) != 1 || pb.Errors[0].Pointer != tc.pointer || pb.Errors[0].Code != tc.code ||
				(tc.detail != "" && pb.Errors[0].Detail != tc.detail) {
				t.Errorf("%s: %+v", tc.body, pb.Errors)
			}
		}
		c.Get(t, "/api/v1/me/preferences").Status(t, http.StatusOK).JSON(t, &prefs)
		if prefs.QuietHours != (notify.QuietHours{Enabled: true, Start: "23:00", End: "06:00"}) || !prefs.Channels["cases"].Push {
			t.Fatalf("a refused body changed something: %+v", prefs)
		}
	})
}
