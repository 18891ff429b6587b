package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/web"
	"minside/backend/internal/webhook"
)

// messageForm is a message as the PWA sends it: body and files (name → bytes, in order).
func messageForm(body string, files ...[2]string) apptest.Form {
	form := apptest.Form{Fields: [][2]string{{"body", body}}}
	for _, f := range files {
		form.Files = append(form.Files, apptest.FormFile{Field: "attachments", Name: f[0], Data: []byte(f[1])})
	}
	return form
}

func postMessage(t *testing.T, c *apptest.Client, caseID, body string, files ...[2]string) *apptest.Response {
	return c.PostForm(t, "/api/v1/cases/"+caseID+"/messages", "", messageForm(body, files...))
}

// receiver is an agency's webhook endpoint that keeps what it is sent.
type receiver struct {
	mu   sync.Mutex
	got  []*http.Request
	body [][]byte
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.got, r.body = append(r.got, req), append(r.body, b)
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// onlySigned waits for the portal's outbox, then answers the body of the one webhook received,
// after checking its signature with secret.
func (r *receiver) onlySigned(t *testing.T, p *apptest.Portal, secret string) []byte {
	t.Helper()
	p.Settle(t)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) != 1 {
		t.Fatalf("%d webhooks, want 1", len(r.got))
	}
	body := r.body[0]
	if err := webhook.VerifyAt(secret, r.got[0].Header, body, 5*time.Minute, time.Now()); err != nil {
		t.Fatalf("webhook signature: %v", err)
	}
	return body
}

// TestMessageWithAttachmentsEndToEnd: the citizen posts with a photo and a PDF past the general
// body limit → the agency's signed message.received → the download link works, and not when
// changed → the agency reads (receipt) and answers → the citizen sees the answer and both receipts.
func TestMessageWithAttachmentsEndToEnd(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		rec := &receiver{}
		hooks := httptest.NewServer(rec)
		defer hooks.Close()
		_, key, secret, err := p.App.Agencies.Create(ctx, "byggesak", "Byggesak", hooks.URL)
		if err != nil {
			t.Fatal(err)
		}
		agencyC := p.Anonymous(t)
		agencyC.Header.Set("Authorization", "Bearer "+key.Key)
		pid := apptest.PID(t, 1980, 61)
		agencyC.Send(t, http.MethodPut, "/api/agency/v1/cases/BYGG-1", map[string]any{"pid": pid, "title": map[string]string{"nb": "Garasje"},
			"kind": "building_permit", "area": "building", "status": "in_progress", "version": 1}).Status(t, http.StatusCreated)
		citizen := p.LoginAs(t, pid)
		var list struct{ Items []struct{ ID string } }
		citizen.Get(t, "/api/v1/cases").Status(t, http.StatusOK).JSON(t, &list)
		caseID := list.Items[0].ID

		var img bytes.Buffer
		_ = jpeg.Encode(&img, image.NewRGBA(image.Rect(0, 0, 30, 20)), nil)
		pdf := "%PDF-1.7\n" + strings.Repeat("x", 300<<10) // past the general 256 KiB body limit
		r := postMessage(t, citizen, caseID, "Her er tegningene.", [2]string{"tomt.jpg", img.String()}, [2]string{"tegning.pdf", pdf})
		var posted struct {
			ID          string
			Attachments []struct{ ID, Name, URL string }
		}
		r.Status(t, http.StatusCreated).JSON(t, &posted)
		if len(posted.Attachments) != 2 || posted.Attachments[1].Name != "tegning.pdf" {
			t.Fatalf("posted: %+v", posted)
		}
		// The citizen can download their own attachment.
		if got := citizen.Get(t, posted.Attachments[1].URL).Status(t, http.StatusOK); string(got.Body) != pdf {
			t.Fatalf("own download: %d bytes", len(got.Body))
		}

		body := rec.onlySigned(t, p, secret)
		var ev struct {
			Type string
			Data struct {
				MessageID, CaseID, By, Body string
				Attachments                 []struct{ Name, URL string }
			}
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type != "message.received" || ev.Data.CaseID != "BYGG-1" || ev.Data.By != "citizen" || len(ev.Data.Attachments) != 2 {
			t.Fatalf("webhook: %s", body)
		}
		if leaks := apptest.FindPIDs(string(body)); len(leaks) > 0 {
			t.Fatalf("webhook holds a national id")
		}
		link := ev.Data.Attachments[1].URL
		fetch := p.Anonymous(t)
		if got := fetch.Get(t, link).Status(t, http.StatusOK); string(got.Body) != pdf || got.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("download through the link: %d bytes", len(got.Body))
		}
		fetch.Get(t, strings.Replace(link, "sig=", "sig=A", 1)).Status(t, http.StatusForbidden)

		// The agency reads it (the receipt), then answers.
		// The read names the case by the agency's own id, as the webhook did.
		var read struct {
			SeenAt *time.Time
			CaseID string
			Errand *struct{ Agency, ExternalID string }
		}
		agencyC.Get(t, "/api/agency/v1/messages/"+ev.Data.MessageID).Status(t, http.StatusOK).JSON(t, &read)
		if read.SeenAt == nil {
			t.Fatal("no seen receipt after the agency's read")
		}
		if read.CaseID != "BYGG-1" || read.Errand != nil {
			t.Fatalf("the read names case %q, errand %+v; want the case BYGG-1", read.CaseID, read.Errand)
		}
		agencyC.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-1", map[string]any{"caseId": "BYGG-1", "body": "Takk, mottatt.", "version": 1}).Status(t, http.StatusCreated)
		agencyC.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-1", map[string]any{"caseId": "BYGG-1", "body": "Takk, mottatt.", "version": 1}).Status(t, http.StatusOK)

		var thread struct {
			Items []struct {
				From   string
				Body   string
				SeenAt *time.Time
			}
		}
		citizen.Get(t, "/api/v1/cases/"+caseID+"/messages").Status(t, http.StatusOK).JSON(t, &thread)
		if len(thread.Items) != 2 || thread.Items[0].SeenAt == nil || thread.Items[1].From != "agency" || thread.Items[1].Body != "Takk, mottatt." || thread.Items[1].SeenAt == nil {
			t.Fatalf("thread: %+v", thread.Items)
		}
		var answer struct{ SeenAt *time.Time }
		agencyC.Get(t, "/api/agency/v1/messages/svar-1").Status(t, http.StatusOK).JSON(t, &answer)
		if answer.SeenAt == nil {
			t.Fatal("the agency does not see that its answer was read")
		}

		// Bad input: the field is named and nothing is stored.
		heic := "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
		prob := postMessage(t, citizen, caseID, "bilde", [2]string{"IMG_1.HEIC", heic}).Status(t, http.StatusUnprocessableEntity)
		if !bytes.Contains(prob.Body, []byte(`"/attachments/0"`)) || !strings.HasPrefix(prob.Header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("HEIC refusal: %s", prob.Body)
		}
		citizen.Get(t, "/api/v1/cases/"+caseID+"/messages").Status(t, http.StatusOK).JSON(t, &thread)
		if len(thread.Items) != 2 {
			t.Fatalf("a refused message was stored: %d", len(thread.Items))
		}
		p.CheckLogs(t)
	}, apptest.WithConfig(func(c *config.Config) { c.WebhookAllowPrivate = true }))
}

// The OpenAPI document's answer examples are accepted as they are: on a case of that id, and on
// an errand of that reference that the agency joined.
func TestMessageAnswerExampleIsAccepted(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(web.AgencyOpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	item := doc.Paths.Find("/messages/{externalId}")
	if item == nil || item.Put == nil || item.Get == nil {
		t.Fatal("messages are not documented")
	}
	examples := item.Put.RequestBody.Value.Content.Get("application/json").Examples
	onCase, onErrand := examples["case"], examples["errand"]
	if onCase == nil || onErrand == nil {
		t.Fatalf("the answer examples: %v", examples)
	}
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		_, key, _, err := p.App.Agencies.Create(context.Background(), "eksempel", "Eksempel", "")
		if err != nil {
			t.Fatal(err)
		}
		c := p.Anonymous(t)
		c.Header.Set("Authorization", "Bearer "+key.Key)
		pid := apptest.PID(t, 1980, 62)
		c.Send(t, http.MethodPut, "/api/agency/v1/cases/BYGG-2026-17", map[string]any{"pid": pid, "title": map[string]string{"nb": "Garasje"},
			"kind": "building_permit", "area": "building", "status": "in_progress", "version": 1}).Status(t, http.StatusCreated)
		c.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-1", onCase.Value.Value).Status(t, http.StatusCreated)
		// Another agency cannot answer on it: the case is not theirs.
		_, other, _, _ := p.App.Agencies.Create(context.Background(), "andre", "Andre", "")
		o := p.Anonymous(t)
		o.Header.Set("Authorization", "Bearer "+other.Key)
		prob := o.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-1", onCase.Value.Value).Status(t, http.StatusUnprocessableEntity)
		if !bytes.Contains(prob.Body, []byte(`"/caseId"`)) {
			t.Fatalf("another agency's answer: %s", prob.Body)
		}
		// The errand example: plan-og-bygg's errand, which "eksempel" joined.
		_, lead, _, _ := p.App.Agencies.Create(context.Background(), "plan-og-bygg", "Plan- og bygningsetaten", "")
		l := p.Anonymous(t)
		l.Header.Set("Authorization", "Bearer "+lead.Key)
		l.Send(t, http.MethodPut, "/api/agency/v1/errands/garasje-kirkeveien-88", map[string]any{"pid": pid, "title": map[string]string{"nb": "Garasje"},
			"area": "building", "participants": []string{"eksempel"}, "version": 1}).Status(t, http.StatusCreated)
		c.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-2", onErrand.Value.Value).Status(t, http.StatusCreated)
		prob = o.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-2", onErrand.Value.Value).Status(t, http.StatusUnprocessableEntity)
		if !bytes.Contains(prob.Body, []byte(`"/errand"`)) {
			t.Fatalf("an agency outside the errand: %s", prob.Body)
		}
	})
}

// TestExportAndCloseWithMessagesThroughThePortal: the export lists the person's message with its
// attachment's name, type, size and a download link that works with their login; closing the
// account deletes the message and, once the portal's own outbox worker has run, the file on disk.
func TestExportAndCloseWithMessagesThroughThePortal(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		_, key, _, err := p.App.Agencies.Create(ctx, "plansak", "Plansak", "")
		if err != nil {
			t.Fatal(err)
		}
		agencyC := p.Anonymous(t)
		agencyC.Header.Set("Authorization", "Bearer "+key.Key)
		pid := apptest.PID(t, 1982, 44)
		agencyC.Send(t, http.MethodPut, "/api/agency/v1/cases/PLAN-1", map[string]any{"pid": pid, "title": map[string]string{"nb": "Tilbygg"},
			"kind": "building_permit", "area": "building", "status": "in_progress", "version": 1}).Status(t, http.StatusCreated)
		citizen := p.LoginAs(t, pid)
		var list struct{ Items []struct{ ID string } }
		citizen.Get(t, "/api/v1/cases").Status(t, http.StatusOK).JSON(t, &list)
		pdf := "%PDF-1.7\n" + strings.Repeat("y", 4000)
		var posted struct {
			ID          string
			Attachments []struct{ ID string }
		}
		postMessage(t, citizen, list.Items[0].ID, "Vedlagt tegning.", [2]string{"tegning.pdf", pdf}).Status(t, http.StatusCreated).JSON(t, &posted)
		stored := filepath.Join(p.App.Config.FilesDirOrDefault(), "attachments", posted.Attachments[0].ID)
		if _, err := os.Stat(stored); err != nil {
			t.Fatalf("the attachment is not on disk: %v", err)
		}

		var data struct {
			Messages []struct {
				ID, Body, WrittenBy string
				Attachments         []struct {
					Name, ContentType, URL string
					Size                   int64
				}
			}
		}
		citizen.Get(t, "/api/v1/me/export").Status(t, http.StatusOK).JSON(t, &data)
		if len(data.Messages) != 1 || data.Messages[0].ID != posted.ID || len(data.Messages[0].Attachments) != 1 {
			t.Fatalf("export messages: %+v", data.Messages)
		}
		a := data.Messages[0].Attachments[0]
		if a.Name != "tegning.pdf" || a.ContentType != "application/pdf" || a.Size != int64(len(pdf)) || !strings.HasPrefix(a.URL, p.URL+"/api/v1/attachments/") {
			t.Fatalf("export attachment: %+v", a)
		}
		if got := citizen.Get(t, strings.TrimPrefix(a.URL, p.URL)).Status(t, http.StatusOK); string(got.Body) != pdf {
			t.Fatalf("the export's link gave %d bytes", len(got.Body))
		}

		p.Settle(t)
		citizen.Send(t, http.MethodDelete, "/api/v1/me", map[string]any{"confirm": true}).Status(t, http.StatusOK)
		if n, _ := p.DB.NewSelect().Table("messages").Where("id = ?", posted.ID).Count(ctx); n != 0 {
			t.Fatal("the message outlived the account")
		}
		p.Settle(t) // the portal's outbox worker deletes the file
		if _, err := os.Stat(stored); !os.IsNotExist(err) {
			t.Fatalf("the attachment is still on disk after closing: %v", err)
		}
	})
}
