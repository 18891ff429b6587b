package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/errands"
	"minside/backend/internal/store"
)

// ErrandView is an errand as one of its agencies reads it: the overall status, the agency's own
// cases as it sent them, and of the other agencies' cases only what they marked shared (a whole
// case with sharedWithErrand, else only its events with sharedWithErrand).
type ErrandView struct {
	ID           string            `json:"id"`
	Lead         string            `json:"lead"`
	ExternalID   string            `json:"externalId"`
	Title        map[string]string `json:"title"`
	Area         string            `json:"area"`
	Status       string            `json:"status"`
	Participants []string          `json:"participants"`
	Cases        []ErrandCaseView  `json:"cases"`
	// The lead's own record as it sent it (its masked pid and version); empty for other agencies.
	PIDMasked string `json:"pidMasked,omitempty"`
	Version   int64  `json:"version,omitempty"`
}

// ErrandCaseView is one case of the errand. Own: the agency's case, with its external id and all
// of it. Another agency's shared case shows all but its external id and deep link; an unshared one
// only the events marked shared (no title, no status).
type ErrandCaseView struct {
	Agency     string            `json:"agency"`
	Own        bool              `json:"own"`
	Shared     bool              `json:"shared"`
	ExternalID string            `json:"externalId,omitempty"`
	Title      map[string]string `json:"title,omitempty"`
	Status     string            `json:"status,omitempty"`
	Events     []CaseEvent       `json:"events"`
	Documents  []CaseDocument    `json:"documents"`
	NextSteps  []CaseStep        `json:"nextSteps"`
}

// errandCaseRow is an attached case with the record its agency sent.
type errandCaseRow struct {
	CaseID     string          `bun:"case_id" json:"case_id"`
	AgencyID   string          `bun:"agency_id" json:"agency_id"`
	Slug       string          `bun:"slug" json:"slug"`
	ExternalID string          `bun:"external_id" json:"external_id"`
	Shared     bool            `bun:"shared_with_errand" json:"shared_with_errand"`
	Body       json.RawMessage `bun:"body" json:"body"`
}

const errandCasesQuery = `SELECT c.id AS case_id, c.agency_id, a.slug, c.external_id, c.shared_with_errand, r.body
FROM cases c JOIN agencies a ON a.id = c.agency_id
JOIN agency_records r ON r.agency_id = c.agency_id AND r.kind = 'cases' AND r.external_id = c.external_id
WHERE c.errand_id = ? ORDER BY a.slug, c.external_id`

// Errand reads the errand the agency lead (its slug; "" for the caller itself) holds as externalID,
// as the calling agency may see it. An agency that is neither the lead, nor allowed by it, nor has
// a case on it gets not_found, as for an errand that does not exist. The read is audited.
func (s *Service) Errand(ctx context.Context, req Request, lead, externalID string) (*ErrandView, error) {
	var v *ErrandView
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		v, err = s.errandView(ctx, tx, req, lead, externalID)
		return err
	})
	return v, err
}

func (s *Service) errandView(ctx context.Context, tx bun.Tx, req Request, lead, externalID string) (*ErrandView, error) {
	leadID := req.AgencyID
	if lead != "" {
		if err := tx.NewSelect().Table("agencies").Column("id").Where("slug = ?", lead).Scan(ctx, &leadID); errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound()
		} else if err != nil {
			return nil, fmt.Errorf("ingest: errand lead: %w", err)
		}
	}
	rec, err := findRecord(ctx, tx, leadID, KindErrands, externalID, false)
	if err != nil {
		return nil, err
	}
	if rec == nil || rec.Version == claimVersion {
		return nil, apperr.NotFound()
	}
	var stored ErrandRecord
	if err := json.Unmarshal(rec.Body, &stored); err != nil {
		return nil, fmt.Errorf("ingest: stored errand: %w", err)
	}
	e := new(errands.Errand)
	if err := tx.NewSelect().Model(e).Where("id = ?", rec.ObjectID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ingest: errand: %w", err)
	}
	var allowed []string
	if err := tx.NewSelect().Model((*errands.Participant)(nil)).Column("agency_id").Where("errand_id = ?", e.ID).Scan(ctx, &allowed); err != nil {
		return nil, fmt.Errorf("ingest: errand participants: %w", err)
	}
	var rows []errandCaseRow
	if err := tx.NewRaw(errandCasesQuery, e.ID).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("ingest: errand cases: %w", err)
	}
	isLead := leadID == req.AgencyID
	hasCase := slices.ContainsFunc(rows, func(r errandCaseRow) bool { return r.AgencyID == req.AgencyID })
	if !isLead && !hasCase && !slices.Contains(allowed, req.AgencyID) {
		return nil, apperr.NotFound()
	}
	var leadSlug string
	if err := tx.NewSelect().Table("agencies").Column("slug").Where("id = ?", leadID).Scan(ctx, &leadSlug); err != nil {
		return nil, fmt.Errorf("ingest: errand lead: %w", err)
	}
	v := &ErrandView{ID: e.ID, Lead: leadSlug, ExternalID: e.ExternalID, Title: stored.Title, Area: e.Area, Status: e.Status,
		Participants: stored.Participants, Cases: []ErrandCaseView{}}
	if v.Participants == nil {
		v.Participants = []string{}
	}
	if isLead {
		var masked struct {
			PIDMasked string `json:"pidMasked"`
		}
		if err := json.Unmarshal(rec.Body, &masked); err != nil {
			return nil, fmt.Errorf("ingest: stored errand: %w", err)
		}
		v.PIDMasked, v.Version = masked.PIDMasked, rec.Version
	}
	for _, r := range rows {
		cv, ok, err := caseView(r, req.AgencyID)
		if err != nil {
			return nil, err
		}
		if ok {
			v.Cases = append(v.Cases, cv)
		}
	}
	w := &writer{tx: tx, s: s, req: req, kind: KindErrands, externalID: externalID, now: store.UTC(s.now())}
	if err := w.audit(ctx, audit.ActionRead, &e.CitizenID, e.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// caseView is what the agency reader may see of one attached case; ok is false for nothing.
func caseView(r errandCaseRow, reader string) (ErrandCaseView, bool, error) {
	var c CaseRecord
	if err := json.Unmarshal(r.Body, &c); err != nil {
		return ErrandCaseView{}, false, fmt.Errorf("ingest: stored case: %w", err)
	}
	own := r.AgencyID == reader
	v := ErrandCaseView{Agency: r.Slug, Own: own, Shared: r.Shared, Events: []CaseEvent{}, Documents: []CaseDocument{}, NextSteps: []CaseStep{}}
	if own || r.Shared {
		v.Title, v.Status, v.Events, v.Documents = c.Title, c.Status, c.Events, c.Documents
		v.NextSteps = c.NextSteps
		if own {
			v.ExternalID = r.ExternalID
		}
		nonNil(&v)
		return v, true, nil
	}
	for _, e := range c.Events {
		if e.SharedWithErrand {
			v.Events = append(v.Events, e)
		}
	}
	return v, len(v.Events) > 0, nil
}

func nonNil(v *ErrandCaseView) {
	if v.Events == nil {
		v.Events = []CaseEvent{}
	}
	if v.Documents == nil {
		v.Documents = []CaseDocument{}
	}
	if v.NextSteps == nil {
		v.NextSteps = []CaseStep{}
	}
}
