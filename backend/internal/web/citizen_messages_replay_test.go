package web_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"minside/backend/internal/app/apptest"
)

// TestMessageReplayWithAnotherBoundary: the PWA's outbox sends a stored message again with the
// same Idempotency-Key but a multipart body framed by a new boundary. The replay answers the
// stored message and stores nothing; the same key with other content is refused and stores nothing.
func TestMessageReplayWithAnotherBoundary(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		_, key, _, err := p.App.Agencies.Create(context.Background(), "byggesak", "Byggesak", "")
		if err != nil {
			t.Fatal(err)
		}
		pid := apptest.PID(t, 1981, 17)
		keyClient(t, p, key.Key).Send(t, http.MethodPut, "/api/agency/v1/cases/BYGG-9", map[string]any{"pid": pid, "title": map[string]string{"nb": "Garasje"},
			"kind": "building_permit", "area": "building", "status": "in_progress", "version": 1}).Status(t, http.StatusCreated)
		citizen := p.LoginAs(t, pid)
		var list struct{ Items []struct{ ID string } }
		citizen.Get(t, "/api/v1/cases").Status(t, http.StatusOK).JSON(t, &list)
		path := "/api/v1/cases/" + list.Items[0].ID + "/messages"
		send := func(boundary, body, fileName string) *apptest.Response {
			form := messageForm(body, [2]string{fileName, "%PDF-1.7\nplan"})
			form.Boundary = boundary
			return citizen.PostForm(t, path, "outbox-7f3a", form)
		}

		first := send("first-send-boundary", "Her er planen.", "plan.pdf").Status(t, http.StatusCreated)
		replay := send("replay-boundary-after-reload", "Her er planen.", "plan.pdf").Status(t, http.StatusCreated)
		if replay.Header.Get("Idempotency-Replayed") != "true" || !bytes.Equal(replay.Body, first.Body) {
			t.Fatalf("the replay was not answered from the store: %s\nfirst: %s", replay.Body, first.Body)
		}
		send("third-boundary", "Noe annet.", "plan.pdf").Status(t, http.StatusUnprocessableEntity)
		send("fourth-boundary", "Her er planen.", "annen.pdf").Status(t, http.StatusUnprocessableEntity)
		if n := countRows(t, p, "messages"); n != 1 {
			t.Fatalf("%d messages stored, want 1", n)
		}
	})
}
