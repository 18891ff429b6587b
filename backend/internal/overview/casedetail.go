package overview

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/auth"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
)

// CaseEvent is one entry of a case's timeline.
type CaseEvent struct {
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
	Status *string   `json:"status"`
	Title  string    `json:"title"`
	Body   *string   `json:"body"`
}

// CaseDocument links to a document the agency holds.
type CaseDocument struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Type            string           `json:"type"`
	URL             string           `json:"url"`
	Requires        *string          `json:"requires"` // "acknowledge", "sign", or null: nothing to do
	DueAt           *time.Time       `json:"dueAt"`
	Acknowledgement *Acknowledgement `json:"acknowledgement"`     // null until done
	StepUpURL       *string          `json:"stepUpUrl,omitempty"` // to sign, or to see a withheld one, log in at this level first (set by the web layer)
	Sensitive       bool             `json:"sensitive,omitempty"`
	Withheld        bool             `json:"withheld,omitempty"` // sensitive, below the step-up level: no name, no link
}

// documentOf is a document as the citizen sees it; a withheld one says only that it exists.
func documentOf(doc cases.Document, cleared bool) CaseDocument {
	cd := CaseDocument{ID: doc.ID, Name: doc.Name, Type: doc.DocType, URL: doc.URL, DueAt: utcPtr(doc.DueAt), Sensitive: doc.Sensitive}
	if doc.Requires != "" {
		requires := doc.Requires
		cd.Requires = &requires
	}
	if auth.Withholds(doc.Sensitive, cleared) {
		cd.Withheld, cd.Name, cd.URL = true, "", ""
	}
	return cd
}

// CaseDetail is a case with its timeline and documents.
type CaseDetail struct {
	Case
	Events    []CaseEvent    `json:"events"`
	Documents []CaseDocument `json:"documents"`
}

// FirstSeen is a person's first open of a case.
type FirstSeen struct {
	AgencyID         string
	CaseID           string // the portal's id
	ExternalID       string // the agency's id of the case
	SeenAt           time.Time
	ByRepresentative bool // opened by someone acting for the case's person
}

// SeenHook runs in the transaction that records a person's first open of a case, so the agency
// hears about it exactly once (the app enqueues the case.seen webhook here).
type SeenHook func(ctx context.Context, tx bun.Tx, seen FirstSeen) error

// Case returns one visible case with its timeline and documents. The viewer's first open is
// recorded once, however many requests race for it, and only that first open calls onFirstSeen.
func (s *Service) Case(ctx context.Context, v Viewer, id string, onFirstSeen SeenHook) (CaseDetail, error) {
	if !validID(id) {
		return CaseDetail{}, apperr.NotFound()
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	now := utc(s.now())
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return CaseDetail{}, err
	}
	where, args := sc.whose("c.citizen_id", "c.area")
	items, err := s.loadCases(ctx, sc, where+" AND c.id = ?", append(args, id)...)
	if err != nil {
		return CaseDetail{}, err
	}
	if len(items) == 0 {
		return CaseDetail{}, apperr.NotFound()
	}
	d := CaseDetail{Case: items[0], Events: []CaseEvent{}, Documents: []CaseDocument{}}
	if d.Withheld {
		// It exists, and that is all this login sees: not opened (no "seen"), but the read is logged.
		if err := s.auditRead(ctx, sc, d.citizenID, audit.ActionReadCase, "case", id); err != nil {
			return CaseDetail{}, err
		}
		return d, nil
	}

	var events []cases.Event
	if err := s.db.NewSelect().Model(&events).Where("case_id = ?", id).Order("occurred_at", "id").Scan(ctx); err != nil {
		return CaseDetail{}, fail("case events", err)
	}
	var docs []cases.Document
	if err := s.db.NewSelect().Model(&docs).Where("case_id = ?", id).Order("created_at", "id").Scan(ctx); err != nil {
		return CaseDetail{}, fail("case documents", err)
	}
	acks, err := s.acknowledgementsOf(ctx, id)
	if err != nil {
		return CaseDetail{}, err
	}
	eventIDs := make([]string, len(events))
	for i, e := range events {
		eventIDs[i] = e.ID
	}
	txt, err := s.loadTexts(ctx, eventIDs, v.Lang)
	if err != nil {
		return CaseDetail{}, err
	}
	for _, e := range events {
		ev := CaseEvent{ID: e.ID, At: e.OccurredAt.UTC(), Status: e.Status, Title: txt.get(e.ID, "title")}
		if body := txt.get(e.ID, "body"); body != "" {
			ev.Body = &body
		}
		d.Events = append(d.Events, ev)
	}
	for _, doc := range docs {
		cd := documentOf(doc, v.Cleared)
		if a, ok := acks[doc.ExternalID]; ok {
			cd.Acknowledgement = &Acknowledgement{At: a.AcknowledgedAt.UTC(), ByRepresentative: a.ActorKind == audit.ActorRepresentative, Level: a.Level}
		}
		d.Documents = append(d.Documents, cd)
	}

	if d.SeenAt == nil {
		seenAt, err := s.markSeen(ctx, sc, d.Case, now, onFirstSeen)
		if err != nil {
			return CaseDetail{}, err
		}
		d.SeenAt = &seenAt
	}
	if err := s.auditRead(ctx, sc, d.citizenID, audit.ActionReadCase, "case", id); err != nil {
		return CaseDetail{}, err
	}
	return d, nil
}

// markSeen records the viewer's first open. INSERT … ON CONFLICT DO NOTHING makes concurrent first
// opens one row; only the request whose insert took effect reports it (change row and hook).
func (s *Service) markSeen(ctx context.Context, sc *scope, c Case, now time.Time, onFirstSeen SeenHook) (time.Time, error) {
	var seenAt time.Time
	err := s.db.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(&cases.Seen{CaseID: c.ID, CitizenID: sc.viewer.CitizenID, FirstSeenAt: now}).
			On("CONFLICT (case_id, citizen_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tx.NewSelect().Model((*cases.Seen)(nil)).Column("first_seen_at").
				Where("case_id = ? AND citizen_id = ?", c.ID, sc.viewer.CitizenID).Scan(ctx, &seenAt)
		}
		seenAt = now
		owner := c.citizenID
		if err := changes.Record(ctx, tx, &owner, "case", c.ID, changes.OpUpsert, now); err != nil {
			return err
		}
		if onFirstSeen == nil {
			return nil
		}
		var row struct {
			AgencyID   string `bun:"agency_id" json:"agency_id"`
			ExternalID string `bun:"external_id" json:"external_id"`
		}
		if err := tx.NewSelect().Table("cases").Column("agency_id", "external_id").Where("id = ?", c.ID).Scan(ctx, &row); err != nil {
			return err
		}
		return onFirstSeen(ctx, tx, FirstSeen{AgencyID: row.AgencyID, CaseID: c.ID, ExternalID: row.ExternalID,
			SeenAt: now, ByRepresentative: sc.viewer.CitizenID != owner})
	})
	if err != nil {
		return time.Time{}, fail("mark seen", err)
	}
	return seenAt.UTC(), nil
}
