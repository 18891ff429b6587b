package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/auth"
)

// What the sensitive items hold; none of it may reach a login below the step-up level.
var sensitiveTexts = []string{"Psykiatrisk", "Innleggelse", "Møt til samtale", "helse.example.no/sak", "Epikrise", "Journalnotat",
	"Hemmelig svar", "Mitt spørsmål om medisiner", "medisinliste"}

// sensitiveWorld is a person with a sensitive case awaiting them, a sensitive case on an errand,
// and an ordinary case with a sensitive document and a sensitive answer, all from "helse".
type sensitiveWorld struct {
	number                 string
	open, onErrand, plain  string // case ids
	errand, sensitiveDoc   string
	ownMessage, attachment string // the citizen's message on the sensitive case, and its file
	cursor                 string // the changes feed before any of it was written
}

func newSensitiveWorld(t *testing.T, p *apptest.Portal) (sensitiveWorld, *apptest.Client, *apptest.Client) {
	w := sensitiveWorld{number: apptest.PID(t, 1972, 41)}
	c := p.LoginAs(t, w.number) // the dev provider's default: substantial
	var start struct{ Cursor string }
	c.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &start)
	w.cursor = start.Cursor
	ag := agencyClient(t, p, "helse")
	due := p.Clock.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	at := p.Clock.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	ag.Send(t, http.MethodPut, "/api/agency/v1/errands/forlop", map[string]any{"pid": w.number, "title": map[string]string{"nb": "Helsehjelp"},
		"area": "health", "version": 1}).Status(t, http.StatusCreated)
	ag.Send(t, http.MethodPut, "/api/agency/v1/cases/s-open", map[string]any{"pid": w.number, "title": map[string]string{"nb": "Psykiatrisk vurdering"},
		"area": "health", "status": "awaiting_citizen", "nextAction": map[string]any{"text": map[string]string{"nb": "Møt til samtale"}, "dueAt": due},
		"deepLink": "https://helse.example.no/sak/1", "sensitive": true, "version": 1}).Status(t, http.StatusCreated)
	ag.Send(t, http.MethodPut, "/api/agency/v1/cases/s-errand", map[string]any{"pid": w.number, "title": map[string]string{"nb": "Psykiatrisk oppfølging"},
		"area": "health", "status": "in_progress", "sensitive": true, "errand": map[string]string{"agency": "helse", "externalId": "forlop"},
		"events":    []any{map[string]any{"externalId": "e1", "occurredAt": at, "title": map[string]string{"nb": "Innleggelse"}}},
		"documents": []any{map[string]any{"externalId": "d1", "name": "Epikrise.pdf", "url": "https://helse.example.no/sak/epikrise"}},
		"version":   1}).Status(t, http.StatusCreated)
	ag.Send(t, http.MethodPut, "/api/agency/v1/cases/plain", map[string]any{"pid": w.number, "title": map[string]string{"nb": "Reiserefusjon"},
		"area": "health", "status": "in_progress", "errand": map[string]string{"agency": "helse", "externalId": "forlop"},
		"documents": []any{
			map[string]any{"externalId": "j1", "name": "Journalnotat.pdf", "url": "https://helse.example.no/sak/journal", "requires": "acknowledge", "sensitive": true},
			map[string]any{"externalId": "k1", "name": "Kvittering.pdf", "url": "https://reise.example.no/kvittering"}},
		"version": 1}).Status(t, http.StatusCreated)
	var list struct {
		Items []struct {
			ID        string
			Sensitive bool
			Errand    *string
		}
	}
	stepUp(t, c, w.number) // ids are read at the high level
	c.Get(t, "/api/v1/cases").Status(t, http.StatusOK).JSON(t, &list)
	var detail struct {
		Title     string
		Errand    *string
		Documents []struct{ ID, Name string }
	}
	for _, it := range list.Items {
		c.Get(t, "/api/v1/cases/"+it.ID).Status(t, http.StatusOK).JSON(t, &detail)
		switch detail.Title {
		case "Psykiatrisk vurdering":
			w.open = it.ID
		case "Psykiatrisk oppfølging":
			w.onErrand, w.errand = it.ID, *detail.Errand
		case "Reiserefusjon":
			w.plain = it.ID
			for _, d := range detail.Documents {
				if d.Name == "Journalnotat.pdf" {
					w.sensitiveDoc = d.ID
				}
			}
		}
	}
	ag.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-hemmelig", map[string]any{"caseId": "plain", "body": "Hemmelig svar", "sensitive": true, "version": 1}).Status(t, http.StatusCreated)
	ag.Send(t, http.MethodPut, "/api/agency/v1/messages/svar-vanlig", map[string]any{"caseId": "plain", "body": "Vanlig svar", "version": 1}).Status(t, http.StatusCreated)
	var posted struct {
		ID          string
		Attachments []struct{ URL string }
	}
	postMessage(t, c, w.open, "Mitt spørsmål om medisiner", [2]string{"medisinliste.pdf", "%PDF-1.7\nmedisinliste\n"}).Status(t, http.StatusCreated).JSON(t, &posted)
	w.ownMessage, w.attachment = posted.ID, posted.Attachments[0].URL
	low := p.LoginAs(t, w.number)
	return w, low, c
}

// stepUp logs c in again at the step-up level, through the real login, and takes its new CSRF token.
func stepUp(t *testing.T, c *apptest.Client, number string) {
	t.Helper()
	c.Login(t, number, apptest.LoginOptions{ACR: auth.ACRHigh})
	var me struct{ CSRFToken string }
	c.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &me)
	c.CSRFToken = me.CSRFToken
}

// noLeak fails when a response body holds any of the sensitive texts.
func noLeak(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, s := range sensitiveTexts {
		if bytes.Contains(body, []byte(s)) {
			t.Fatalf("%s leaks %q below step-up: %s", what, s, body)
		}
	}
}

// TestSensitiveCasesDocumentsAndMessagesBelowAndAtStepUp: below the step-up level a sensitive
// case, document and answer show only that they exist (agency, date) with the step-up login,
// everywhere they appear: the overview, the case list and page, the errand's merged view, search,
// the changes feed, the thread and the download of an attachment; nothing is marked seen or
// acknowledged. At the step-up level everything shows.
func TestSensitiveCasesDocumentsAndMessagesBelowAndAtStepUp(t *testing.T) {
	taskPortal(t, func(t *testing.T, p *apptest.Portal) {
		w, low, high := newSensitiveWorld(t, p)

		ov := low.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK)
		noLeak(t, "the overview", ov.Body)
		var o struct {
			Cursor      string
			NeedsAction []needsItem
			Recent      []struct {
				ID, Title, Status   string
				Withheld, Sensitive bool
				StepUpURL           *string
				Agency              struct{ Name string }
			}
		}
		ov.JSON(t, &o)
		var openItem, docItem *needsItem
		for i, it := range o.NeedsAction {
			switch it.ID {
			case w.open:
				openItem = &o.NeedsAction[i]
			case w.sensitiveDoc:
				docItem = &o.NeedsAction[i]
			}
		}
		if openItem == nil || !openItem.Withheld || openItem.Title != "" || openItem.DueAt == nil || openItem.Agency.Name != "Etat helse" || openItem.StepUpURL == nil {
			t.Fatalf("the sensitive case in needs action: %+v", openItem)
		}
		if docItem == nil || !docItem.Withheld || docItem.Title != "" || docItem.Link != nil || docItem.StepUpURL == nil {
			t.Fatalf("the sensitive document in needs action: %+v", docItem)
		}
		if len(o.Recent) != 1 || o.Recent[0].ID != w.open || !o.Recent[0].Withheld || o.Recent[0].Status != "" || o.Recent[0].StepUpURL == nil {
			t.Fatalf("recent: %+v", o.Recent)
		}

		noLeak(t, "the case list", low.Get(t, "/api/v1/cases").Status(t, http.StatusOK).Body)
		page := low.Get(t, "/api/v1/cases/"+w.open).Status(t, http.StatusOK)
		noLeak(t, "the sensitive case", page.Body)
		var c struct {
			Withheld          bool
			StepUpURL         string
			Events, Documents []any
			SeenAt            *time.Time
		}
		page.JSON(t, &c)
		if !c.Withheld || len(c.Events) != 0 || len(c.Documents) != 0 || !strings.Contains(c.StepUpURL, "acr="+auth.ACRHigh) {
			t.Fatalf("the sensitive case's page: %s", page.Body)
		}
		plain := low.Get(t, "/api/v1/cases/"+w.plain).Status(t, http.StatusOK)
		noLeak(t, "the ordinary case", plain.Body)
		if !bytes.Contains(plain.Body, []byte("Kvittering.pdf")) || !bytes.Contains(plain.Body, []byte(`"withheld":true`)) {
			t.Fatalf("the ordinary case's documents: %s", plain.Body)
		}
		errand := low.Get(t, "/api/v1/me/errands/"+w.errand).Status(t, http.StatusOK)
		noLeak(t, "the errand", errand.Body)
		if !bytes.Contains(errand.Body, []byte("Kvittering.pdf")) || !bytes.Contains(errand.Body, []byte(`"stepUpUrl"`)) {
			t.Fatalf("the errand: %s", errand.Body)
		}
		var hits struct{ Items []any }
		low.Get(t, "/api/v1/search?q=Psykiatrisk").Status(t, http.StatusOK).JSON(t, &hits)
		if len(hits.Items) != 0 {
			t.Fatalf("search finds a withheld case: %v", hits)
		}

		// The thread: the sensitive answer and everything on the sensitive case are withheld, and
		// what was withheld is not marked seen; the attachment is refused with the step-up login.
		thread := low.Get(t, "/api/v1/cases/"+w.plain+"/messages").Status(t, http.StatusOK)
		noLeak(t, "the thread", thread.Body)
		var th struct {
			Items []struct {
				Body, StepUpURL string
				Withheld        bool
				SeenAt          *time.Time
			}
		}
		thread.JSON(t, &th)
		if len(th.Items) != 2 || !th.Items[0].Withheld || th.Items[0].SeenAt != nil || th.Items[0].StepUpURL == "" ||
			th.Items[1].Body != "Vanlig svar" || th.Items[1].SeenAt == nil {
			t.Fatalf("the thread: %s", thread.Body)
		}
		own := low.Get(t, "/api/v1/cases/"+w.open+"/messages").Status(t, http.StatusOK)
		noLeak(t, "the sensitive case's thread", own.Body)
		refusal := low.Get(t, w.attachment).Status(t, http.StatusForbidden)
		noLeak(t, "the refused download", refusal.Body)
		if pr := refusal.Problem(t); !strings.Contains(string(refusal.Body), `"stepUpUrl":"/auth/login?acr=`) || pr.Title == "" {
			t.Fatalf("download refusal: %s", refusal.Body)
		}
		ack := low.Send(t, http.MethodPost, "/api/v1/documents/"+w.sensitiveDoc+"/acknowledge", nil).Status(t, http.StatusForbidden)
		if !bytes.Contains(ack.Body, []byte("stepUpUrl")) {
			t.Fatalf("acknowledging a withheld document: %s", ack.Body)
		}

		// The changes feed since before any of it was written: withheld there too.
		delta := low.Get(t, "/api/v1/changes?cursor="+url.QueryEscape(w.cursor)).Status(t, http.StatusOK)
		noLeak(t, "the changes feed", delta.Body)
		if !bytes.Contains(delta.Body, []byte(w.open)) || !bytes.Contains(delta.Body, []byte(`"withheld":true`)) {
			t.Fatalf("the changes feed: %s", delta.Body)
		}

		// At the step-up level everything shows, and the answer is now seen.
		ov = high.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK)
		for _, s := range []string{"Psykiatrisk vurdering", "Møt til samtale", "Journalnotat.pdf"} {
			if !bytes.Contains(ov.Body, []byte(s)) {
				t.Fatalf("the overview at step-up lacks %q", s)
			}
		}
		page = high.Get(t, "/api/v1/cases/"+w.onErrand).Status(t, http.StatusOK)
		if !bytes.Contains(page.Body, []byte("Innleggelse")) || !bytes.Contains(page.Body, []byte("Epikrise.pdf")) || bytes.Contains(page.Body, []byte(`"withheld"`)) {
			t.Fatalf("the case at step-up: %s", page.Body)
		}
		errand = high.Get(t, "/api/v1/me/errands/"+w.errand).Status(t, http.StatusOK)
		if !bytes.Contains(errand.Body, []byte("Innleggelse")) || !bytes.Contains(errand.Body, []byte("Journalnotat.pdf")) {
			t.Fatalf("the errand at step-up: %s", errand.Body)
		}
		high.Get(t, "/api/v1/search?q=Psykiatrisk").Status(t, http.StatusOK).JSON(t, &hits)
		if len(hits.Items) != 2 {
			t.Fatalf("search at step-up: %v", hits)
		}
		th.Items = nil // omitted members keep what the low read decoded
		high.Get(t, "/api/v1/cases/"+w.plain+"/messages").Status(t, http.StatusOK).JSON(t, &th)
		if th.Items[0].Body != "Hemmelig svar" || th.Items[0].Withheld || th.Items[0].SeenAt == nil {
			t.Fatalf("the thread at step-up: %+v", th.Items)
		}
		if got := high.Get(t, w.attachment).Status(t, http.StatusOK); !bytes.Contains(got.Body, []byte("medisinliste")) {
			t.Fatalf("download at step-up: %q", got.Body)
		}
		high.Send(t, http.MethodPost, "/api/v1/documents/"+w.sensitiveDoc+"/acknowledge", nil).Status(t, http.StatusOK)
		p.CheckLogs(t)
	})
}

// The agency API checks sensitive like every field: not a boolean is refused naming the field,
// and nothing changes.
func TestSensitiveIsCheckedLikeEveryField(t *testing.T) {
	taskPortal(t, func(t *testing.T, p *apptest.Portal) {
		ag := agencyClient(t, p, "helse")
		number := apptest.PID(t, 1973, 42)
		refused := []struct{ path, pointer, body string }{
			{"/api/agency/v1/cases/c1", "/sensitive", `{"pid":"` + number + `","title":{"nb":"T"},"area":"health","status":"received","sensitive":"ja","version":1}`},
			{"/api/agency/v1/cases/c1", "/documents/0/sensitive", `{"pid":"` + number + `","title":{"nb":"T"},"area":"health","status":"received","documents":[{"externalId":"d","name":"D","url":"https://x.example.no/d","sensitive":1}],"version":1}`},
			{"/api/agency/v1/messages/m1", "/sensitive", `{"caseId":"c1","body":"B","sensitive":"yes","version":1}`},
		}
		for _, tc := range refused {
			before := countRows(t, p, "cases") + countRows(t, p, "messages")
			req := ag.NewRequest(t, http.MethodPut, tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			r := ag.Do(t, req).Status(t, http.StatusUnprocessableEntity)
			var prob struct{ Errors []struct{ Pointer string } }
			_ = json.Unmarshal(r.Body, &prob)
			if len(prob.Errors) == 0 || prob.Errors[0].Pointer != tc.pointer {
				t.Errorf("%s: %s, want %s", tc.path, r.Body, tc.pointer)
			}
			if after := countRows(t, p, "cases") + countRows(t, p, "messages"); after != before {
				t.Errorf("%s: a refused request changed the database", tc.path)
			}
		}
	})
}
