package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push/pushtest"
	"minside/backend/internal/webhook"
)

// errandHooks are the webhook endpoints of the garage errand's agencies.
type errandHooks struct {
	lead, joined, outside          *receiver
	leadKey, joinedKey, outsideKey string
	joinedSecret                   string
}

// garageErrand writes the lead's (pbe) errand that bym may join and utenfor may not, for pid.
func garageErrand(t *testing.T, p *apptest.Portal, pid string) errandHooks {
	t.Helper()
	ctx := context.Background()
	h := errandHooks{lead: &receiver{}, joined: &receiver{}, outside: &receiver{}}
	for _, a := range []struct {
		slug        string
		rec         *receiver
		key, secret *string
	}{{"pbe", h.lead, &h.leadKey, nil}, {"bym", h.joined, &h.joinedKey, &h.joinedSecret}, {"utenfor", h.outside, &h.outsideKey, nil}} {
		srv := httptest.NewServer(a.rec)
		t.Cleanup(srv.Close)
		_, key, secret, err := p.App.Agencies.Create(ctx, a.slug, strings.ToUpper(a.slug), srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		*a.key = key.Key
		if a.secret != nil {
			*a.secret = secret
		}
	}
	keyClient(t, p, h.leadKey).Send(t, http.MethodPut, "/api/agency/v1/errands/garasje", map[string]any{"pid": pid,
		"title": map[string]string{"nb": "Garasje"}, "area": "building", "participants": []string{"bym"}, "version": 1}).Status(t, http.StatusCreated)
	return h
}

// keyClient is a client of the agency API with the given key.
func keyClient(t *testing.T, p *apptest.Portal, key string) *apptest.Client {
	c := p.Anonymous(t)
	c.Header.Set("Authorization", "Bearer "+key)
	return c
}

// postErrandMessage posts a message on the errand for agency (by slug; "" for the lead).
func postErrandMessage(t *testing.T, c *apptest.Client, errandID, agency, body string, files ...[2]string) *apptest.Response {
	form := messageForm(body, files...)
	if agency != "" {
		form.Fields = append(form.Fields, [2]string{"agency", agency})
	}
	return c.PostForm(t, "/api/v1/me/errands/"+errandID+"/messages", "", form)
}

// received is the message.received events one receiver got, verified with secret when given.
func (r *receiver) events(t *testing.T) []map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, b := range r.body {
		var ev struct {
			Type string
			Data map[string]any
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type == "message.received" {
			out = append(out, ev.Data)
		}
	}
	return out
}

// TestErrandMessagesReachOnlyTheAddressedAgency: the citizen writes on the errand to a joined
// agency and to the lead; each gets its own signed message.received naming the errand (no case,
// no national id), neither can read the other's message, an agency outside the errand can neither
// be written to nor answer; the joined agency's answer shows in the thread with both receipts.
func TestErrandMessagesReachOnlyTheAddressedAgency(t *testing.T) {
	srv := pushtest.NewServer(t)
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		pid := apptest.PID(t, 1981, 71)
		h := garageErrand(t, p, pid)
		citizen := p.LoginAs(t, pid)
		citizen.Send(t, http.MethodPost, "/api/v1/push/subscriptions", json.RawMessage(pushtest.BrowserJSON(srv.NewSubscriber()))).Status(t, http.StatusCreated)
		var ov struct{ Errands []struct{ ID string } }
		citizen.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &ov)
		if len(ov.Errands) != 1 {
			t.Fatalf("errands: %+v", ov.Errands)
		}
		errandID := ov.Errands[0].ID

		var toJoined, toLead struct {
			ID     string
			Agency struct{ Slug string }
		}
		postErrandMessage(t, citizen, errandID, "bym", "Når kan dere koble til vann?", [2]string{"kart.pdf", "%PDF-1.7\nkart\n"}).
			Status(t, http.StatusCreated).JSON(t, &toJoined)
		postErrandMessage(t, citizen, errandID, "", "Et spørsmål til byggesak.").Status(t, http.StatusCreated).JSON(t, &toLead)
		if toJoined.Agency.Slug != "bym" || toLead.Agency.Slug != "pbe" {
			t.Fatalf("addressed: %+v %+v", toJoined, toLead)
		}
		// An agency outside the errand is refused by name, and nothing is stored or sent.
		before := countRows(t, p, "messages")
		prob := postErrandMessage(t, citizen, errandID, "utenfor", "Hei").Status(t, http.StatusUnprocessableEntity)
		if !bytes.Contains(prob.Body, []byte(`"/agency"`)) || countRows(t, p, "messages") != before {
			t.Fatalf("outside agency: %s", prob.Body)
		}

		p.Settle(t)
		joined, lead, outside := h.joined.events(t), h.lead.events(t), h.outside.events(t)
		if len(joined) != 1 || len(lead) != 1 || len(outside) != 0 {
			t.Fatalf("webhooks: joined %d, lead %d, outside %d", len(joined), len(lead), len(outside))
		}
		ev := joined[0]
		errand, _ := ev["errand"].(map[string]any)
		if ev["messageId"] != toJoined.ID || errand["agency"] != "pbe" || errand["externalId"] != "garasje" || ev["caseId"] != nil ||
			ev["body"] != "Når kan dere koble til vann?" || len(ev["attachments"].([]any)) != 1 {
			t.Fatalf("joined agency's webhook: %v", ev)
		}
		if lead[0]["messageId"] != toLead.ID || strings.Contains(mustJSON(lead), "vann") {
			t.Fatalf("the lead's webhook holds another agency's message: %v", lead)
		}
		h.joined.mu.Lock()
		hdr, body := h.joined.got[0].Header, h.joined.body[0]
		h.joined.mu.Unlock()
		if err := webhook.VerifyAt(h.joinedSecret, hdr, body, 5*time.Minute, time.Now()); err != nil {
			t.Fatalf("webhook signature: %v", err)
		}
		if leaks := apptest.FindPIDs(string(body)); len(leaks) > 0 {
			t.Fatal("webhook holds a national id")
		}
		link := ev["attachments"].([]any)[0].(map[string]any)["url"].(string)
		if got := p.Anonymous(t).Get(t, link).Status(t, http.StatusOK); string(got.Body) != "%PDF-1.7\nkart\n" {
			t.Fatalf("download: %q", got.Body)
		}

		// No content between agencies: the lead cannot read bym's message, nor the outsider.
		lc, bc, oc := keyClient(t, p, h.leadKey), keyClient(t, p, h.joinedKey), keyClient(t, p, h.outsideKey)
		lc.Get(t, "/api/agency/v1/messages/"+toJoined.ID).Status(t, http.StatusNotFound)
		oc.Get(t, "/api/agency/v1/messages/"+toJoined.ID).Status(t, http.StatusNotFound)
		bc.Get(t, "/api/agency/v1/messages/"+toLead.ID).Status(t, http.StatusNotFound)
		var read struct {
			Body   string
			SeenAt *time.Time
			CaseID string
			Errand *struct{ Agency, ExternalID string }
		}
		bc.Get(t, "/api/agency/v1/messages/"+toJoined.ID).Status(t, http.StatusOK).JSON(t, &read)
		if read.SeenAt == nil || read.Body != "Når kan dere koble til vann?" {
			t.Fatalf("bym's read: %+v", read)
		}
		// It names the errand as the webhook did: by the lead's slug and external id.
		if read.CaseID != "" || read.Errand == nil || read.Errand.Agency != "pbe" || read.Errand.ExternalID != "garasje" {
			t.Fatalf("bym's read names case %q, errand %+v; want the errand pbe/garasje", read.CaseID, read.Errand)
		}

		// bym answers on the errand; the outsider cannot.
		answer := map[string]any{"errand": map[string]string{"agency": "pbe", "externalId": "garasje"}, "body": "Neste uke.", "version": 1}
		before = countRows(t, p, "messages")
		prob = oc.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-vann", answer).Status(t, http.StatusUnprocessableEntity)
		if !bytes.Contains(prob.Body, []byte(`"/errand"`)) || countRows(t, p, "messages") != before {
			t.Fatalf("outsider's answer: %s", prob.Body)
		}
		both := map[string]any{"caseId": "x", "errand": answer["errand"], "body": "x", "version": 1}
		bc.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-vann", both).Status(t, http.StatusUnprocessableEntity)
		bc.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-vann", answer).Status(t, http.StatusCreated)
		lc.Get(t, "/api/agency/v1/messages/svar-vann").Status(t, http.StatusNotFound)

		var thread struct {
			Items []struct {
				ID, From, Body string
				Agency         struct{ Slug, Name string }
				SeenAt         *time.Time
			}
			Recipients []struct{ Slug string }
		}
		citizen.Get(t, "/api/v1/me/errands/"+errandID+"/messages").Status(t, http.StatusOK).JSON(t, &thread)
		if len(thread.Recipients) != 2 || thread.Recipients[0].Slug != "pbe" || thread.Recipients[1].Slug != "bym" {
			t.Fatalf("recipients: %+v", thread.Recipients)
		}
		if len(thread.Items) != 3 {
			t.Fatalf("thread: %+v", thread.Items)
		}
		first, last := thread.Items[0], thread.Items[2]
		if first.ID != toJoined.ID || first.SeenAt == nil || thread.Items[1].SeenAt != nil {
			t.Fatalf("receipts of the citizen's messages: %+v", thread.Items)
		}
		if last.From != "agency" || last.Agency.Slug != "bym" || last.Agency.Name != "BYM" || last.Body != "Neste uke." || last.SeenAt == nil {
			t.Fatalf("the answer: %+v", last)
		}
		var seen struct {
			SeenAt *time.Time
			Errand *struct{ Agency, ExternalID string }
		}
		bc.Get(t, "/api/agency/v1/messages/svar-vann").Status(t, http.StatusOK).JSON(t, &seen)
		if seen.SeenAt == nil {
			t.Fatal("bym does not see that its answer was read")
		}
		if seen.Errand == nil || seen.Errand.Agency != "pbe" || seen.Errand.ExternalID != "garasje" {
			t.Fatalf("bym's answer names errand %+v; want pbe/garasje", seen.Errand)
		}
		// The answer is told by push (category messages), linking to the errand's page; at night
		// (the test clock's hour) it waits for the end of the quiet hours, so it is looked for in
		// the outbox.
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, err := p.DB.NewSelect().Table("outbox").Where("topic = ? AND CAST(payload AS TEXT) LIKE ?", outbox.TopicPush, "%/errands/"+errandID+"%").Count(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("pushes to the errand's page: %d", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n, _ := p.DB.NewSelect().Table("deliveries").Where("category = 'messages' AND channel = 'push'").Count(context.Background()); n != 1 {
			t.Fatalf("push deliveries of the answer: %d", n)
		}
		// A stranger does not see the errand's thread.
		stranger := p.LoginAs(t, apptest.PID(t, 1982, 72))
		stranger.Get(t, "/api/v1/me/errands/"+errandID+"/messages").Status(t, http.StatusNotFound)
		postErrandMessage(t, stranger, errandID, "", "hei").Status(t, http.StatusNotFound)
		p.CheckLogs(t)
	}, apptest.WithConfig(func(c *config.Config) { c.WebhookAllowPrivate = true; c.PushAllowedHosts = srv.AllowEntry() }))
}

func countRows(t *testing.T, p *apptest.Portal, table string) int64 {
	t.Helper()
	n, err := p.DB.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
