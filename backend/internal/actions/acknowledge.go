package actions

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/auth"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/store"
	"minside/backend/internal/webhook"
)

// Acknowledged is a document's acknowledgement as the citizen API answers it.
type Acknowledged struct {
	ID               string    `json:"id"` // the document
	CaseID           string    `json:"caseId"`
	Requires         string    `json:"requires"`
	AcknowledgedAt   time.Time `json:"acknowledgedAt"`
	ByRepresentative bool      `json:"byRepresentative"` // stamped "on behalf of"
	Level            string    `json:"level"`
}

// documentRow is a document with what the acknowledgement needs of its case.
type documentRow struct {
	ID         string `bun:"id"`
	CaseID     string `bun:"case_id"`
	ExternalID string `bun:"external_id"`
	Requires   string `bun:"requires"`
	CitizenID  string `bun:"citizen_id"`
	Area       string `bun:"area"`
	AgencyID   string `bun:"agency_id"`
	CaseExtID  string `bun:"case_ext_id"`
	Sensitive  bool   `bun:"sensitive"` // the document's or its case's
}

// AcknowledgeDocument records that the view's subject read ("acknowledge") or signed ("sign") a
// case document, at the login level acr. Signing, and any sensitive document (auth.Withholds),
// needs the step-up level: below it the answer is
// 403 with the login that raises it, and nothing is written. A second press answers the first
// acknowledgement and changes nothing; only the press that wrote it tells the agency
// (document.acknowledged), writes the feed and the access log.
func (s *Service) AcknowledgeDocument(ctx context.Context, tx bun.IDB, v For, docID, acr, requestID string, now time.Time) (*Acknowledged, error) {
	now = store.UTC(now)
	d, err := loadDocument(ctx, tx, v, docID)
	if err != nil {
		return nil, err
	}
	if d.Requires == "" {
		return nil, apperr.New(apperr.CodeConflict).WithDetail("error.detail.nothing_to_acknowledge", nil)
	}
	if prev, err := loadAcknowledgement(ctx, tx, d); err != nil || prev != nil {
		return acknowledged(d, prev), err
	}
	// Signing, or confirming to have read what this login cannot see, needs the step-up level.
	if (d.Requires == cases.RequiresSign || d.Sensitive) && !auth.Cleared(acr, s.deps.StepUpACR) {
		q := url.Values{"acr": {s.deps.StepUpACR}, "returnTo": {"/"}} // the overview, where the document waits
		return nil, apperr.Forbidden().WithDetail("error.detail.step_up_required", nil).WithExtra("stepUpUrl", "/auth/login?"+q.Encode())
	}
	kind := audit.ActorCitizen
	if v.ActingAs() {
		kind = audit.ActorRepresentative
	}
	ack := &cases.Acknowledgement{CaseID: d.CaseID, DocumentExtID: d.ExternalID, CitizenID: d.CitizenID, ActorID: actorOf(v),
		ActorKind: kind, Requires: d.Requires, Level: acr, AcknowledgedAt: now}
	res, err := tx.NewInsert().Model(ack).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("actions: acknowledge document: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 { // another press won the race: its acknowledgement stands
		prev, err := loadAcknowledgement(ctx, tx, d)
		return acknowledged(d, prev), err
	}
	if err := s.deps.Webhooks(ctx, tx, d.AgencyID, webhook.EventDocumentAcknowledged, webhook.DocumentAcknowledged{
		Case: d.CaseExtID, Document: d.ExternalID, Requires: d.Requires, At: now, By: by(v), Level: acr}, now); err != nil {
		return nil, fmt.Errorf("actions: document acknowledged: %w", err)
	}
	if err := changes.Record(ctx, tx, &d.CitizenID, "case", d.CaseID, changes.OpUpsert, now); err != nil {
		return nil, err
	}
	actor, subject := ack.ActorID, d.CitizenID
	if err := audit.Record(ctx, tx, audit.Entry{At: now, ActorKind: kind, ActorID: &actor, SubjectID: &subject,
		Action: audit.ActionDocumentAcknowledge, ObjectKind: "document", ObjectID: d.ID,
		Detail: map[string]any{"requires": d.Requires, "level": acr}, RequestID: requestID}); err != nil {
		return nil, err
	}
	return acknowledged(d, ack), nil
}

func acknowledged(d *documentRow, a *cases.Acknowledgement) *Acknowledged {
	if a == nil {
		return nil
	}
	return &Acknowledged{ID: d.ID, CaseID: d.CaseID, Requires: a.Requires, AcknowledgedAt: a.AcknowledgedAt.UTC(),
		ByRepresentative: a.ActorKind == audit.ActorRepresentative, Level: a.Level}
}

// loadDocument returns the document when the view may act on its case, else not found.
func loadDocument(ctx context.Context, db bun.IDB, v For, id string) (*documentRow, error) {
	return loadOwned(ctx, v, id, "document", func(ctx context.Context, d *documentRow) error {
		return db.NewRaw(`SELECT d.id, d.case_id, d.external_id, d.requires, c.citizen_id, c.area, c.agency_id, c.external_id AS case_ext_id,
 (d.sensitive OR c.sensitive) AS sensitive
FROM case_documents d JOIN cases c ON c.id = d.case_id WHERE d.id = ?`, id).Scan(ctx, d)
	}, func(d *documentRow) (string, string) { return d.CitizenID, d.Area })
}

func loadAcknowledgement(ctx context.Context, db bun.IDB, d *documentRow) (*cases.Acknowledgement, error) {
	a := new(cases.Acknowledgement)
	err := db.NewSelect().Model(a).Where("case_id = ? AND document_ext_id = ?", d.CaseID, d.ExternalID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("actions: load acknowledgement: %w", err)
	}
	return a, nil
}
