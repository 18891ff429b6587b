package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/auth"
	"minside/backend/internal/represent"
)

type docAck struct {
	ID               string
	Requires         string
	AcknowledgedAt   time.Time
	ByRepresentative bool
	Level            string
}

// A document to acknowledge or sign waits in "needs your action"; "I have read" is recorded once;
// signing below the step-up level is refused with the step-up login and changes nothing; the case
// page, the access log and the agency's GET show what was done.
func TestDocumentsToAcknowledgeAndSign(t *testing.T) {
	taskPortal(t, func(t *testing.T, p *apptest.Portal) {
		number := apptest.PID(t, 1980, 21)
		c := p.LoginAs(t, number) // substantial: below the step-up level
		ag := agencyClient(t, p, "byggesak")
		due := p.Clock.Now().UTC().Truncate(time.Second).Add(7 * 24 * time.Hour)
		rec := map[string]any{"pid": number, "title": map[string]string{"nb": "Byggesøknad"}, "area": "building", "status": "decided", "version": 1,
			"documents": []map[string]any{
				{"externalId": "d-read", "name": "Vilkår.pdf", "url": "https://byggesak.example.no/d/1", "requires": "acknowledge", "dueAt": due.Format(time.RFC3339)},
				{"externalId": "d-sign", "name": "Avtale.pdf", "url": "https://byggesak.example.no/d/2", "requires": "sign"},
				{"externalId": "d-plain", "name": "Kart.pdf", "url": "https://byggesak.example.no/d/3"},
			}}
		var created struct{ ID string }
		ag.Send(t, http.MethodPut, "/api/agency/v1/cases/c-1", rec).Status(t, http.StatusCreated).JSON(t, &created)

		items, _ := needsAction(t, c)
		var read, sign *needsItem
		for i := range items {
			if items[i].Kind == "document" && items[i].Title == "Vilkår.pdf" {
				read = &items[i]
			}
			if items[i].Kind == "document" && items[i].Title == "Avtale.pdf" {
				sign = &items[i]
			}
		}
		if read == nil || read.DueAt == nil || !read.DueAt.Equal(due) || read.Link == nil || read.StepUpURL != nil {
			t.Fatalf("document to read in needs action: %+v (all: %+v)", read, items)
		}
		if sign == nil || sign.StepUpURL == nil || !strings.Contains(*sign.StepUpURL, "acr="+auth.ACRHigh) {
			t.Fatalf("document to sign below the step-up level: %+v", sign)
		}
		if len(items) != 2 {
			t.Fatalf("%d items in needs action, want the two documents: %+v", len(items), items)
		}

		// "I have read": recorded once, a second press answers the first.
		var first, again docAck
		c.Send(t, http.MethodPost, "/api/v1/documents/"+read.ID+"/acknowledge", nil).Status(t, http.StatusOK).JSON(t, &first)
		p.Clock.Advance(time.Minute)
		c.Send(t, http.MethodPost, "/api/v1/documents/"+read.ID+"/acknowledge", nil).Status(t, http.StatusOK).JSON(t, &again)
		if first.Requires != "acknowledge" || first.Level != auth.ACRSubstantial || first.ByRepresentative || !again.AcknowledgedAt.Equal(first.AcknowledgedAt) {
			t.Fatalf("acknowledged %+v, then %+v", first, again)
		}
		if n := count(t, p, "outbox", "topic = 'webhook' AND CAST(payload AS TEXT) LIKE ?", "%document.acknowledged%"); n != 0 {
			t.Fatalf("%d webhooks for an agency without a webhook URL", n)
		}

		// Signing at substantial: 403 problem+json with the step-up login, nothing written.
		r := c.Send(t, http.MethodPost, "/api/v1/documents/"+sign.ID+"/acknowledge", nil).Status(t, http.StatusForbidden)
		if pr := r.Problem(t); pr.Code != "forbidden" || !strings.Contains(string(r.Body), `"stepUpUrl":"/auth/login?acr=`) {
			t.Fatalf("sign below the level: %+v %s", pr, r.Body)
		}
		if n := count(t, p, "document_acknowledgements", "document_ext_id = 'd-sign'"); n != 0 {
			t.Fatal("a refused signature was recorded")
		}
		// A document that asks nothing is a conflict; another person's is not found.
		var plainID string
		if err := p.DB.NewSelect().Table("case_documents").Column("id").Where("external_id = 'd-plain'").Scan(t.Context(), &plainID); err != nil {
			t.Fatal(err)
		}
		c.Send(t, http.MethodPost, "/api/v1/documents/"+plainID+"/acknowledge", nil).Status(t, http.StatusConflict)
		p.LoginAs(t, apptest.PID(t, 1981, 22)).Send(t, http.MethodPost, "/api/v1/documents/"+read.ID+"/acknowledge", nil).Status(t, http.StatusNotFound)

		// The case page offers the step-up login on the document to sign, and only there.
		var page struct {
			Documents []struct {
				Name      string
				StepUpURL *string
			}
		}
		c.Get(t, "/api/v1/cases/"+created.ID).Status(t, http.StatusOK).JSON(t, &page)
		if len(page.Documents) != 3 || page.Documents[0].StepUpURL != nil || page.Documents[1].StepUpURL == nil ||
			!strings.Contains(*page.Documents[1].StepUpURL, "returnTo=%2Fcases%2F"+created.ID) || page.Documents[2].StepUpURL != nil {
			t.Fatalf("case documents below the step-up level: %+v", page.Documents)
		}

		// After a step-up login the signature goes through.
		c.Login(t, number, apptest.LoginOptions{ACR: auth.ACRHigh})
		var meNow struct{ CSRFToken string }
		c.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &meNow)
		c.CSRFToken = meNow.CSRFToken // a new session has a new token
		var signed docAck
		c.Send(t, http.MethodPost, "/api/v1/documents/"+sign.ID+"/acknowledge", nil).Status(t, http.StatusOK).JSON(t, &signed)
		if signed.Requires != "sign" || signed.Level != auth.ACRHigh {
			t.Fatalf("signed %+v", signed)
		}
		if items, _ := needsAction(t, c); find(items, "document") != nil {
			t.Fatalf("acknowledged documents still in needs action: %+v", items)
		}

		// The case page says who did it and when; the agency's update keeps the document's id.
		rec["version"] = 2
		ag.Send(t, http.MethodPut, "/api/agency/v1/cases/c-1", rec).Status(t, http.StatusOK)
		var detail struct {
			Documents []struct {
				ID, Name        string
				Requires        *string
				Acknowledgement *struct {
					At               time.Time
					ByRepresentative bool
				}
			}
		}
		c.Get(t, "/api/v1/cases/"+created.ID).Status(t, http.StatusOK).JSON(t, &detail)
		if len(detail.Documents) != 3 || detail.Documents[0].ID != read.ID || detail.Documents[0].Acknowledgement == nil ||
			!detail.Documents[0].Acknowledgement.At.Equal(first.AcknowledgedAt) || detail.Documents[1].Acknowledgement == nil ||
			detail.Documents[2].Requires != nil || detail.Documents[2].Acknowledgement != nil {
			t.Fatalf("case documents %+v", detail.Documents)
		}

		// The access log has both, as the citizen's own actions.
		var log struct {
			Items []struct {
				Action, Text string
				Actor        struct{ Me bool }
			}
		}
		c.Get(t, "/api/v1/me/access-log").Status(t, http.StatusOK).JSON(t, &log)
		n := 0
		for _, e := range log.Items {
			if e.Action == "document.acknowledge" && e.Actor.Me && e.Text != "" && !strings.Contains(e.Text, "document.acknowledge") {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d acknowledgements in the access log, want 2: %+v", n, log.Items)
		}

		// The agency's GET lists them, without a national id.
		got := ag.Get(t, "/api/agency/v1/cases/c-1").Status(t, http.StatusOK)
		var body struct {
			Acknowledgements []struct{ Document, Requires, By, Level string }
		}
		got.JSON(t, &body)
		if len(body.Acknowledgements) != 2 || body.Acknowledgements[0].Document != "d-read" || body.Acknowledgements[0].By != "citizen" ||
			body.Acknowledgements[1].Document != "d-sign" || body.Acknowledgements[1].Level != auth.ACRHigh {
			t.Fatalf("agency GET acknowledgements %+v", body.Acknowledgements)
		}
		if strings.Contains(string(got.Body), number) {
			t.Fatal("the agency's GET shows the national id in clear")
		}
	})
}

// A representative acknowledges only within the relation's scope, stamped "on behalf of".
func TestRepresentativeAcknowledgesWithinScope(t *testing.T) {
	taskPortal(t, func(t *testing.T, p *apptest.Portal) {
		rep := p.LoginAs(t, apptest.PID(t, 1975, 23))
		self := me(t, p, rep)
		giverPID := apptest.PID(t, 1938, 24)
		giver := p.Citizen(t, giverPID, "Astrid")
		p.Relation(t, represent.KindPowerOfAttorney, self, giver, []string{"health"}, nil)
		ag := agencyClient(t, p, "helse")
		put := func(ext, area string) string {
			var out struct{ ID string }
			ag.Send(t, http.MethodPut, "/api/agency/v1/cases/"+ext, map[string]any{"pid": giverPID, "title": map[string]string{"nb": "Sak"},
				"area": area, "status": "in_progress", "version": 1,
				"documents": []map[string]any{{"externalId": ext + "-d", "name": "Brev.pdf", "url": "https://helse.example.no/d", "requires": "acknowledge"}}}).
				Status(t, http.StatusCreated).JSON(t, &out)
			var id string
			if err := p.DB.NewSelect().Table("case_documents").Column("id").Where("case_id = ?", out.ID).Scan(t.Context(), &id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		health, building := put("h-1", "health"), put("b-1", "building")
		actAs(t, rep, giver.ID, http.StatusOK)
		rep.Send(t, http.MethodPost, "/api/v1/documents/"+building+"/acknowledge", nil).Status(t, http.StatusNotFound)
		if n := count(t, p, "document_acknowledgements", "document_ext_id = 'b-1-d'"); n != 0 {
			t.Fatal("an acknowledgement outside the scope was recorded")
		}
		var a docAck
		rep.Send(t, http.MethodPost, "/api/v1/documents/"+health+"/acknowledge", nil).Status(t, http.StatusOK).JSON(t, &a)
		if !a.ByRepresentative {
			t.Fatalf("not stamped on behalf: %+v", a)
		}
		if n := count(t, p, "audit_log", "action = 'document.acknowledge' AND actor_kind = 'representative' AND actor_id = ? AND subject_id = ?", self.ID, giver.ID); n != 1 {
			t.Fatalf("%d audit rows for the representative's acknowledgement", n)
		}
	})
}
