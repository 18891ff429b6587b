package account_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/account"
	"minside/backend/internal/audit"
	"minside/backend/internal/cases"
	"minside/backend/internal/messages"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/texts"
)

// The export keeps the one rule for sensitive content (auth.Withholds), as every screen does: from
// a login below the step-up level a sensitive case says only that it exists (its agency and
// dates), with no title, texts, timeline or documents; a sensitive document on an ordinary case
// has no name or link, nor when the person confirmed it; a message on a sensitive case, or an
// answer the agency marked sensitive, has no text or attachments. At the step-up level everything
// is there.
func TestExportWithholdsSensitiveContentBelowTheStepUpLevel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		var ordinary string
		must(t, db.NewSelect().TableExpr("cases").Column("id").Where("citizen_id = ?", f.me).Scan(ctx, &ordinary))

		secret := &cases.Case{ID: store.NewID(), AgencyID: f.agency, ExternalID: "helse-1", Version: 1, CitizenID: f.me, Area: "health",
			Status: cases.StatusInProgress, Sensitive: true, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour)}
		must(t, insert(db, secret))
		must(t, texts.Save(ctx, db, "case", secret.ID, texts.Fields{"title": {"nb": "Utredning av hukommelse"}}))
		ev := &cases.Event{ID: store.NewID(), CaseID: secret.ID, ExternalID: "e1", OccurredAt: t0, CreatedAt: t0}
		must(t, insert(db, ev))
		must(t, texts.Save(ctx, db, "case_event", ev.ID, texts.Fields{"title": {"nb": "Henvist til demensutredning"}}))
		must(t, insert(db, &cases.Document{ID: store.NewID(), CaseID: secret.ID, ExternalID: "epikrise", Name: "epikrise.pdf",
			URL: "https://agency.example/epikrise", CreatedAt: t0}))
		must(t, insert(db, &cases.Document{ID: store.NewID(), CaseID: ordinary, ExternalID: "legeerklaering", Name: "legeerklæring.pdf",
			URL: "https://agency.example/legeerklaering", Sensitive: true, CreatedAt: t0}))

		must(t, insert(db, &cases.Acknowledgement{CaseID: ordinary, DocumentExtID: "legeerklaering", CitizenID: f.me, ActorID: f.me,
			ActorKind: audit.ActorCitizen, Requires: cases.RequiresAcknowledge, Level: "idporten-loa-high", AcknowledgedAt: t0}))

		me, answer := f.me, "svar-helse"
		onSecret := &messages.Message{ID: store.NewID(), SubjectKind: messages.SubjectCase, SubjectID: secret.ID, AgencyID: f.agency, CitizenID: f.me,
			Direction: messages.FromCitizen, AuthorID: &me, Version: 1, Body: "Jeg glemmer avtaler.", CreatedAt: t0}
		markedSensitive := &messages.Message{ID: store.NewID(), SubjectKind: messages.SubjectCase, SubjectID: ordinary, AgencyID: f.agency, CitizenID: f.me,
			Direction: messages.FromAgency, ExternalID: &answer, Version: 1, Body: "Resultatet av blodprøven.", Sensitive: true, CreatedAt: t0.Add(time.Minute)}
		plain := &messages.Message{ID: store.NewID(), SubjectKind: messages.SubjectCase, SubjectID: ordinary, AgencyID: f.agency, CitizenID: f.me,
			Direction: messages.FromCitizen, AuthorID: &me, Version: 1, Body: "Takk for svaret.", CreatedAt: t0.Add(2 * time.Minute)}
		for _, m := range []*messages.Message{onSecret, markedSensitive, plain} {
			must(t, insert(db, m))
		}
		must(t, insert(db, &messages.Attachment{ID: store.NewID(), MessageID: onSecret.ID, Name: "dagbok.pdf", ContentType: "application/pdf",
			Size: 10, StorageKey: "attachments/x"}))

		svc := account.New(newBundle(t)).WithBaseURL("https://minside.example/")
		low, err := svc.Export(ctx, db, f.me, "nb", false, "req-low", t0)
		must(t, err)
		byID := map[string]account.ExportCase{}
		for _, c := range low.Cases {
			byID[c.ID] = c
		}
		if c := byID[secret.ID]; !c.Withheld || c.Title != "" || c.Status != "" || c.Area != "" || len(c.Texts) != 0 ||
			len(c.Events) != 0 || len(c.Documents) != 0 || c.Agency != "Kulturetaten" || c.UpdatedAt.IsZero() {
			t.Errorf("a sensitive case below the step-up level: %+v", c)
		}
		c := byID[ordinary]
		if c.Withheld || c.Title != "Søknad om kulturstøtte" || len(c.Documents) != 2 {
			t.Fatalf("the ordinary case: %+v", c)
		}
		for _, doc := range c.Documents {
			if doc.Sensitive && (!doc.Withheld || doc.Name != "" || doc.URL != "") {
				t.Errorf("a sensitive document below the step-up level: %+v", doc)
			}
			if !doc.Sensitive && (doc.Withheld || doc.Name != "vedtak.pdf") {
				t.Errorf("an ordinary document: %+v", doc)
			}
		}
		msgs := map[string]account.ExportMessage{}
		for _, m := range low.Messages {
			msgs[m.ID] = m
		}
		for _, id := range []string{onSecret.ID, markedSensitive.ID} {
			if m := msgs[id]; !m.Withheld || m.Body != "" || len(m.Attachments) != 0 || m.SentAt.IsZero() {
				t.Errorf("a sensitive message below the step-up level: %+v", m)
			}
		}
		if m := msgs[plain.ID]; m.Withheld || m.Body != "Takk for svaret." {
			t.Errorf("an ordinary message: %+v", m)
		}
		if len(low.Acknowledgements) != 1 || low.Acknowledgements[0].Document != "" || !low.Acknowledgements[0].Withheld || low.Acknowledgements[0].At.IsZero() {
			t.Errorf("the confirmed sensitive document below the step-up level: %+v", low.Acknowledgements)
		}
		page, err := svc.RenderHTML(low)
		must(t, err)
		html := string(page)
		for _, hidden := range []string{"Utredning av hukommelse", "demensutredning", "epikrise", "legeerklæring", "glemmer", "blodprøven", "dagbok"} {
			if strings.Contains(html, hidden) {
				t.Errorf("the readable export below the step-up level shows %q", hidden)
			}
		}
		if !strings.Contains(html, "Sensitiv sak fra Kulturetaten") || !strings.Contains(html, "Takk for svaret.") {
			t.Error("the readable export lacks the neutral title of the sensitive case or the ordinary message")
		}

		high, err := svc.Export(ctx, db, f.me, "nb", true, "req-high", t0)
		must(t, err)
		page, err = svc.RenderHTML(high)
		must(t, err)
		for _, shown := range []string{"Utredning av hukommelse", "Henvist til demensutredning", "epikrise.pdf", "legeerklæring.pdf",
			"Jeg glemmer avtaler.", "Resultatet av blodprøven.", "dagbok.pdf"} {
			if !strings.Contains(string(page), shown) {
				t.Errorf("the readable export at the step-up level lacks %q", shown)
			}
		}
	})
}
