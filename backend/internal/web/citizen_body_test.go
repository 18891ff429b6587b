package web_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/notify"
)

// TestCitizenBodiesMustBeObjectsOfKnownMembers sends the settings a citizen can PUT bodies that
// are not an object, or have a member the endpoint does not know (or twice): each is a 422 naming
// where, and nothing changes.
func TestCitizenBodiesMustBeObjectsOfKnownMembers(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.LoginAs(t, apptest.PID(t, 1984, 44))
		var before notify.Prefs
		c.Get(t, "/api/v1/me/preferences").Status(t, http.StatusOK).JSON(t, &before)
		for _, tc := range []struct{ path, body, pointer string }{
			{"/api/v1/me/preferences", `null`, ""},
			{"/api/v1/me/preferences", `[]`, ""},
			{"/api/v1/me/preferences", `"en"`, ""},
			{"/api/v1/me/preferences", `{"colour":"blue"}`, "/colour"},
			{"/api/v1/me/preferences", `{"language":"en","language":"nb"}`, "/language"},
			{"/api/v1/me/acting-as", `{"x":1}`, "/x"},
			{"/api/v1/me/acting-as", `null`, ""},
			{"/api/v1/me/acting-as", `17`, ""},
			{"/api/v1/me/acting-as", `{"citizenId":5}`, "/citizenId"},
			{"/api/v1/me/acting-as", `{"citizenId":null,"citizenId":null}`, "/citizenId"},
		} {
			res := c.Send(t, http.MethodPut, tc.path, json.RawMessage(tc.body))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("PUT %s %s: %d %.200s, want 422", tc.path, tc.body, res.StatusCode, res.Body)
				continue
			}
			res.Problem(t)
			var pb problemBody
			res.JSON(t, &pb)
			if len(pb.Errors) != 1 || pb.Errors[0].Pointer != tc.pointer {
				t.Errorf("PUT %s %s: errors %+v, want one on %q", tc.path, tc.body, pb.Errors, tc.pointer)
			}
		}
		var after notify.Prefs
		c.Get(t, "/api/v1/me/preferences").Status(t, http.StatusOK).JSON(t, &after)
		if after.Language != before.Language || after.QuietHours != before.QuietHours {
			t.Errorf("refused bodies changed the preferences: %+v → %+v", before, after)
		}
		c.Send(t, http.MethodPut, "/api/v1/me/acting-as", json.RawMessage(`{"citizenId":null}`)).Status(t, http.StatusOK)
		c.Send(t, http.MethodPut, "/api/v1/me/acting-as", json.RawMessage(`{}`)).Status(t, http.StatusOK)
		c.Send(t, http.MethodPut, "/api/v1/me/preferences", json.RawMessage(`{}`)).Status(t, http.StatusOK)
	})
}
