package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"minside/backend/internal/agency"
	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/web"
)

// ideaForm is an idea as the PWA sends it: fields and an optional photo.
func ideaForm(fields map[string]string, photo []byte) apptest.Form {
	var form apptest.Form
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		form.Fields = append(form.Fields, [2]string{k, fields[k]})
	}
	if photo != nil {
		form.Files = []apptest.FormFile{{Field: "photo", Name: "bilde.png", Data: photo}}
	}
	return form
}

func postIdea(t *testing.T, c *apptest.Client, fields map[string]string, photo []byte, idempotencyKey string) *apptest.Response {
	return c.PostForm(t, "/api/v1/ideas", idempotencyKey, ideaForm(fields, photo))
}

type ideaView struct {
	ID           string
	Title        string
	District     string
	Status       string
	StatusReason *struct{ Text, Lang string }
	SupportCount int
	Supported    bool
	Mine         bool
	Hidden       bool
	HiddenReason *struct{ Text, Lang string }
	PhotoURL     string
}

type ideaList struct {
	Items      []ideaView
	NextCursor *string
}

// TestIdeaChannelEndToEnd: a resident submits an idea with a photo (once, under an
// Idempotency-Key) → Innolab, holding the ideas authority, gets a signed idea.created without the
// author → another resident sees "a resident of <district>" and supports it once → Innolab sets a
// status with a reason, and the author reads it in their language and is notified → Innolab hides
// it: gone for others, still there for the author with the reason.
func TestIdeaChannelEndToEnd(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		rec := &receiver{}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		innolab, key, secret, err := p.App.Agencies.Create(ctx, "innolab", "Innolab", hooks.URL, agency.AuthorityIdeas)
		if err != nil {
			t.Fatal(err)
		}
		_ = innolab
		_, otherKey, _, err := p.App.Agencies.Create(ctx, "byggesak", "Byggesak", "")
		if err != nil {
			t.Fatal(err)
		}
		mod := p.Anonymous(t)
		mod.Header.Set("Authorization", "Bearer "+key.Key)
		other := p.Anonymous(t)
		other.Header.Set("Authorization", "Bearer "+otherKey.Key)

		authorPID, neighbourPID := apptest.PID(t, 1980, 71), apptest.PID(t, 1975, 72)
		author := p.LoginAs(t, authorPID)
		author.Header.Set("Accept-Language", "en")
		if _, err := p.DB.NewRaw("UPDATE citizens SET district = ?", "Grünerløkka").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		neighbour := p.LoginAs(t, neighbourPID)

		// Bad input: every field named, nothing stored.
		prob := postIdea(t, author, map[string]string{"area": "space"}, []byte("%PDF-1.7\n"), "").Status(t, http.StatusUnprocessableEntity)
		for _, ptr := range []string{`"/title"`, `"/body"`, `"/area"`, `"/photo"`} {
			if !bytes.Contains(prob.Body, []byte(ptr)) {
				t.Errorf("refusal does not name %s: %s", ptr, prob.Body)
			}
		}
		var mine ideaList
		author.Get(t, "/api/v1/me/ideas").Status(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 0 {
			t.Fatalf("a refused idea was stored")
		}

		var img bytes.Buffer
		_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 20, 10)))
		fields := map[string]string{"title": "Benker langs elva", "body": "Flere benker langs Akerselva, så eldre kan hvile.", "area": "environment"}
		var posted ideaView
		postIdea(t, author, fields, img.Bytes(), "idea-key-1").Status(t, http.StatusCreated).JSON(t, &posted)
		replay := postIdea(t, author, fields, img.Bytes(), "idea-key-1").Status(t, http.StatusCreated)
		if replay.Header.Get("Idempotency-Replayed") != "true" {
			t.Errorf("the repeated send was not a replay")
		}
		author.Get(t, "/api/v1/me/ideas").Status(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 1 || mine.Items[0].Status != "received" || !mine.Items[0].Mine || mine.Items[0].PhotoURL == "" {
			t.Fatalf("the author's ideas: %+v", mine.Items)
		}

		body := rec.onlySigned(t, p, secret)
		var ev struct {
			Type string
			Data struct{ IdeaID, Title, District string }
		}
		_ = json.Unmarshal(body, &ev)
		if ev.Type != "idea.created" || ev.Data.IdeaID != posted.ID || ev.Data.District != "Grünerløkka" {
			t.Fatalf("webhook: %s", body)
		}
		if len(apptest.FindPIDs(string(body))) > 0 || bytes.Contains(body, []byte(mine.Items[0].ID+"\",\"author")) {
			t.Fatalf("webhook names the author: %s", body)
		}

		// The neighbour sees the district only, supports once; the author cannot support their own.
		var list ideaList
		neighbour.Get(t, "/api/v1/ideas?sort=supported&area=environment").Status(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].District != "Grünerløkka" || list.Items[0].Mine {
			t.Fatalf("the neighbour's list: %+v", list.Items)
		}
		for range 2 {
			var after ideaView
			neighbour.Send(t, http.MethodPut, "/api/v1/ideas/"+posted.ID+"/support", nil).Status(t, http.StatusOK).JSON(t, &after)
			if after.SupportCount != 1 || !after.Supported {
				t.Fatalf("after support: %+v", after)
			}
		}
		author.Send(t, http.MethodPut, "/api/v1/ideas/"+posted.ID+"/support", nil).Status(t, http.StatusForbidden)
		if got := neighbour.Get(t, posted.PhotoURL).Status(t, http.StatusOK); got.Header.Get("Content-Type") != "image/png" {
			t.Errorf("photo: %s", got.Header.Get("Content-Type"))
		}
		neighbour.Get(t, "/api/v1/ideas?sort=random").Status(t, http.StatusUnprocessableEntity)

		// Moderation: only with the authority, a reason for every status after received.
		reason := map[string]any{"status": "being_assessed", "reason": map[string]string{"nb": "Parkvesenet ser på det.", "en": "The parks department is looking at it."}}
		other.Send(t, http.MethodPut, "/api/agency/v1/ideas/"+posted.ID+"/status", reason).Status(t, http.StatusForbidden)
		prob = mod.Send(t, http.MethodPut, "/api/agency/v1/ideas/"+posted.ID+"/status", map[string]any{"status": "adopted"}).Status(t, http.StatusUnprocessableEntity)
		if !bytes.Contains(prob.Body, []byte(`"/reason"`)) {
			t.Fatalf("no reason: %s", prob.Body)
		}
		mod.Send(t, http.MethodPut, "/api/agency/v1/ideas/"+posted.ID+"/status", reason).Status(t, http.StatusOK)
		var view ideaView
		author.Get(t, "/api/v1/ideas/"+posted.ID).Status(t, http.StatusOK).JSON(t, &view)
		if view.Status != "being_assessed" || view.StatusReason == nil || view.StatusReason.Text != "The parks department is looking at it." || view.StatusReason.Lang != "en" {
			t.Fatalf("the author's view: %+v", view)
		}
		var notes struct {
			Items []struct{ Title, Body string }
		}
		author.Get(t, "/api/v1/notifications").Status(t, http.StatusOK).JSON(t, &notes)
		if len(notes.Items) != 1 || !strings.Contains(notes.Items[0].Title, "Benker langs elva") {
			t.Errorf("the author's notifications: %s", author.Get(t, "/api/v1/notifications").Body)
		}

		// Hidden: gone for others, kept for the author with the reason.
		mod.Send(t, http.MethodPut, "/api/agency/v1/ideas/"+posted.ID+"/hidden", map[string]any{"hidden": true}).Status(t, http.StatusUnprocessableEntity)
		mod.Send(t, http.MethodPut, "/api/agency/v1/ideas/"+posted.ID+"/hidden", map[string]any{"hidden": true,
			"reason": map[string]string{"nb": "Idéen nevner en navngitt nabo.", "en": "The idea names a neighbour."}}).Status(t, http.StatusOK)
		neighbour.Get(t, "/api/v1/ideas").Status(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("others still see the hidden idea")
		}
		neighbour.Get(t, "/api/v1/ideas/"+posted.ID).Status(t, http.StatusNotFound)
		author.Get(t, "/api/v1/me/ideas").Status(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 1 || !mine.Items[0].Hidden || mine.Items[0].HiddenReason == nil || mine.Items[0].HiddenReason.Text != "The idea names a neighbour." {
			t.Fatalf("the author's hidden idea: %+v", mine.Items)
		}
		var all struct {
			Ideas []struct {
				ID     string
				Hidden bool
			}
		}
		mod.Get(t, "/api/agency/v1/ideas").Status(t, http.StatusOK).JSON(t, &all)
		if len(all.Ideas) != 1 || !all.Ideas[0].Hidden {
			t.Fatalf("the moderator's list: %+v", all)
		}
		other.Get(t, "/api/agency/v1/ideas").Status(t, http.StatusForbidden)
		p.CheckLogs(t)
	}, apptest.WithConfig(func(c *config.Config) { c.WebhookAllowPrivate = true }))
}

// The OpenAPI document's moderation examples are accepted as they are, by the moderator only.
func TestIdeaModerationExamplesAreAccepted(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(web.AgencyOpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	example := func(path string) any {
		item := doc.Paths.Find(path)
		if item == nil || item.Put == nil {
			t.Fatalf("%s is not documented", path)
		}
		return item.Put.RequestBody.Value.Content.Get("application/json").Example
	}
	status, hidden := example("/ideas/{id}/status"), example("/ideas/{id}/hidden")
	for _, path := range []string{"/ideas", "/ideas/{id}", "/ideas/{id}/photo"} {
		if item := doc.Paths.Find(path); item == nil || item.Get == nil {
			t.Errorf("GET %s is not documented", path)
		}
	}
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		_, key, _, err := p.App.Agencies.Create(context.Background(), "innolab", "Innolab", "", agency.AuthorityIdeas)
		if err != nil {
			t.Fatal(err)
		}
		mod := p.Anonymous(t)
		mod.Header.Set("Authorization", "Bearer "+key.Key)
		author := p.LoginAs(t, apptest.PID(t, 1980, 63))
		var posted ideaView
		postIdea(t, author, map[string]string{"title": "Benker", "body": "Flere benker.", "area": "environment"}, nil, "").
			Status(t, http.StatusCreated).JSON(t, &posted)
		var after struct {
			Status string
			Hidden bool
		}
		mod.Send(t, http.MethodPut, "/api/agency/v1/ideas/"+posted.ID+"/status", status).Status(t, http.StatusOK).JSON(t, &after)
		if after.Status != "tried_out" {
			t.Errorf("after the status example: %+v", after)
		}
		mod.Send(t, http.MethodPut, "/api/agency/v1/ideas/"+posted.ID+"/hidden", hidden).Status(t, http.StatusOK).JSON(t, &after)
		if !after.Hidden {
			t.Errorf("after the hidden example: %+v", after)
		}
	})
}
