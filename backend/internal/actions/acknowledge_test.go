package actions_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/actions"
	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/cases"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/webhook"
)

const (
	acrSubstantial = "idporten-loa-substantial"
	acrHigh        = "idporten-loa-high"
)

// document creates a case of owner in area with one document that requires what is given.
func (w *world) document(t *testing.T, owner, area, requires string) *cases.Document {
	t.Helper()
	c := &cases.Case{ID: store.NewID(), AgencyID: w.agency, ExternalID: "c-" + store.NewID(), Version: 1, CitizenID: owner,
		Kind: "building_permit", Area: area, Status: cases.StatusInProgress, CreatedAt: t0, UpdatedAt: t0}
	insert(t, w.db, c)
	due := t0.Add(7 * 24 * time.Hour)
	d := &cases.Document{ID: store.NewID(), CaseID: c.ID, ExternalID: "d-" + store.NewID(), Name: "Vedtak", URL: "https://agency.example/d.pdf",
		Requires: requires, DueAt: &due, CreatedAt: t0}
	insert(t, w.db, d)
	return d
}

func acknowledgeIn(t *testing.T, svc *actions.Service, db *store.DB, v actions.For, id, acr string, now time.Time) (*actions.Acknowledged, error) {
	t.Helper()
	var out *actions.Acknowledged
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = svc.AcknowledgeDocument(ctx, tx, v, id, acr, "req-ack", now)
		return err
	})
	return out, err
}

func codeOf(err error) apperr.Code {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

func TestAcknowledgeDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := actions.New(actions.Deps{Webhooks: webhooks, StepUpACR: acrHigh})
		webhookRows := func(d *cases.Document) int {
			return count(t, db, "outbox", "topic = 'webhook' AND CAST(payload AS TEXT) LIKE ?", "%"+d.ExternalID+"%")
		}

		t.Run("acknowledged once: recorded, agency told, feed and access log written; a second press changes nothing", func(t *testing.T) {
			w := newWorld(t, db)
			d := w.document(t, w.parent, "building", cases.RequiresAcknowledge)
			got, err := acknowledgeIn(t, svc, db, own(w.parent), d.ID, acrSubstantial, t0)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != d.ID || got.Requires != cases.RequiresAcknowledge || !got.AcknowledgedAt.Equal(t0) || got.ByRepresentative || got.Level != acrSubstantial {
				t.Fatalf("acknowledgement: %+v", got)
			}
			again, err := acknowledgeIn(t, svc, db, own(w.parent), d.ID, acrHigh, t0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if !again.AcknowledgedAt.Equal(t0) || again.Level != acrSubstantial {
				t.Fatalf("second press changed the acknowledgement: %+v", again)
			}
			if n := count(t, db, "document_acknowledgements", "case_id = ?", d.CaseID); n != 1 {
				t.Fatalf("%d acknowledgement rows", n)
			}
			if n := webhookRows(d); n != 1 {
				t.Fatalf("%d webhook rows, want 1", n)
			}
			if n := count(t, db, "changes", "object_id = ?", d.CaseID); n != 1 {
				t.Fatalf("%d change rows, want 1", n)
			}
			if n := count(t, db, "audit_log", "object_id = ? AND action = 'document.acknowledge' AND actor_kind = 'citizen' AND subject_id = ?", d.ID, w.parent); n != 1 {
				t.Fatalf("%d access log rows, want 1", n)
			}
		})

		t.Run("sign below the step-up level: 403 with the step-up login, nothing written", func(t *testing.T) {
			w := newWorld(t, db)
			d := w.document(t, w.parent, "building", cases.RequiresSign)
			_, err := acknowledgeIn(t, svc, db, own(w.parent), d.ID, acrSubstantial, t0)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.CodeForbidden || !strings.Contains(ae.Extra["stepUpUrl"].(string), "acr="+acrHigh) {
				t.Fatalf("sign at substantial: %v", err)
			}
			if n := count(t, db, "document_acknowledgements", "case_id = ?", d.CaseID) + webhookRows(d) + count(t, db, "audit_log", "object_id = ?", d.ID); n != 0 {
				t.Fatalf("a refused signature wrote %d rows", n)
			}
			got, err := acknowledgeIn(t, svc, db, own(w.parent), d.ID, acrHigh, t0)
			if err != nil || got.Requires != cases.RequiresSign || got.Level != acrHigh {
				t.Fatalf("sign at high: %+v %v", got, err)
			}
		})

		t.Run("a representative within scope acknowledges on behalf; outside scope or a stranger: not found", func(t *testing.T) {
			w := newWorld(t, db)
			d := w.document(t, w.child, "school", cases.RequiresAcknowledge)
			if _, err := acknowledgeIn(t, svc, db, actingFor(w.parent, w.child, []string{"health"}), d.ID, acrHigh, t0); codeOf(err) != apperr.CodeNotFound {
				t.Fatalf("outside the scope: %v", err)
			}
			if _, err := acknowledgeIn(t, svc, db, own(w.stranger), d.ID, acrHigh, t0); codeOf(err) != apperr.CodeNotFound {
				t.Fatalf("a stranger: %v", err)
			}
			if n := count(t, db, "document_acknowledgements", "case_id = ?", d.CaseID) + webhookRows(d); n != 0 {
				t.Fatalf("refused acknowledgements wrote %d rows", n)
			}
			got, err := acknowledgeIn(t, svc, db, actingFor(w.parent, w.child, []string{"school"}), d.ID, acrHigh, t0)
			if err != nil || !got.ByRepresentative {
				t.Fatalf("within the scope: %+v %v", got, err)
			}
			if n := count(t, db, "audit_log", "object_id = ? AND actor_kind = 'representative' AND actor_id = ? AND subject_id = ?", d.ID, w.parent, w.child); n != 1 {
				t.Fatalf("%d representative access log rows", n)
			}
		})

		t.Run("a document that asks nothing, or an id that is no document: refused", func(t *testing.T) {
			w := newWorld(t, db)
			d := w.document(t, w.parent, "building", "")
			if _, err := acknowledgeIn(t, svc, db, own(w.parent), d.ID, acrHigh, t0); codeOf(err) != apperr.CodeConflict {
				t.Fatalf("nothing to acknowledge: %v", err)
			}
			if _, err := acknowledgeIn(t, svc, db, own(w.parent), "not-an-id", acrHigh, t0); codeOf(err) != apperr.CodeNotFound {
				t.Fatalf("bad id: %v", err)
			}
		})

		t.Run("the webhook arrives signed, says what was done and carries no national id", func(t *testing.T) {
			w := newWorld(t, db)
			ctx := context.Background()
			secret, err := webhook.GenerateSecret()
			if err != nil {
				t.Fatal(err)
			}
			var body []byte
			var headers http.Header
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				body, _ = io.ReadAll(r.Body)
				headers = r.Header.Clone()
				rw.WriteHeader(http.StatusNoContent)
			}))
			defer srv.Close()
			if _, err := db.NewUpdate().Model((*agency.Agency)(nil)).Set("webhook_url = ?", srv.URL).Set("webhook_secret = ?", secret).
				Where("id = ?", w.agency).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			d := w.document(t, w.child, "school", cases.RequiresSign)
			if _, err := acknowledgeIn(t, svc, db, actingFor(w.parent, w.child, nil), d.ID, acrHigh, t0); err != nil {
				t.Fatal(err)
			}
			var msg outbox.Message
			if err := db.NewSelect().Model(&msg).Where("topic = 'webhook' AND CAST(payload AS TEXT) LIKE ?", "%"+d.ExternalID+"%").Scan(ctx); err != nil {
				t.Fatal(err)
			}
			sender := webhook.NewSender(db, webhook.SenderOptions{Client: webhook.NewClient(true, 5*time.Second)})
			if res := sender.Handle(ctx, msg); res.String() != "done" {
				t.Fatalf("delivery: %s", res)
			}
			if err := webhook.Verify(secret, headers, body, webhook.DefaultTolerance); err != nil {
				t.Fatalf("signature: %v", err)
			}
			var ev struct {
				Type string                       `json:"type"`
				Data webhook.DocumentAcknowledged `json:"data"`
			}
			if err := json.Unmarshal(body, &ev); err != nil {
				t.Fatal(err)
			}
			var caseExt string
			if err := db.NewSelect().Model((*cases.Case)(nil)).Column("external_id").Where("id = ?", d.CaseID).Scan(ctx, &caseExt); err != nil {
				t.Fatal(err)
			}
			want := webhook.DocumentAcknowledged{Case: caseExt, Document: d.ExternalID, Requires: cases.RequiresSign, At: t0, By: webhook.ActorRepresentative, Level: acrHigh}
			if ev.Type != webhook.EventDocumentAcknowledged || ev.Data != want {
				t.Fatalf("event %s %+v, want %+v", ev.Type, ev.Data, want)
			}
			if leaks := pid.FindLeaks(string(body)); len(leaks) > 0 || strings.Contains(string(body), w.child) || strings.Contains(string(body), w.parent) {
				t.Fatalf("the webhook names a person: %s", body)
			}
		})
	})
}
