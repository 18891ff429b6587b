package messages

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/cases"
	"minside/backend/internal/errands"
	"minside/backend/internal/represent"
)

// ErrandRef names an errand the way agencies do when they attach cases: the lead agency's slug
// and the lead's external id. The webhook and the answers of every participant use it.
type ErrandRef struct {
	Agency     string `json:"agency"`
	ExternalID string `json:"externalId"`
}

// Target is the thread a citizen writes on: a case, or an errand and the participating agency
// the message is for (by slug; empty: the lead agency).
type Target struct {
	Kind   string // SubjectCase or SubjectErrand
	ID     string
	Agency string
}

// subject is what a thread hangs on, loaded for one reader: whose it is, within which area, and
// the agencies a message on it may be for (a case: its agency; an errand: the lead, then the
// agencies the lead let join).
type subject struct {
	kind, id  string
	citizenID string
	area      string
	sensitive bool       // a sensitive case withholds its whole thread below the step-up level
	agencies  []agencyOf // [0] is the owner: the case's agency, the errand's lead
	caseExtID string     // a case: the agency's id of it
	errand    *ErrandRef // an errand: how its agencies name it
}

type agencyOf struct {
	ID   string `bun:"id"`
	Slug string `bun:"slug"`
	Name string `bun:"name"`
}

// addressed picks the agency a message on the subject is for; unknown slugs are refused naming
// the field, so a message never goes to an agency outside the errand.
func (s *subject) addressed(slug string) (agencyOf, error) {
	if slug == "" {
		return s.agencies[0], nil
	}
	for _, a := range s.agencies {
		if a.Slug == slug {
			return a, nil
		}
	}
	return agencyOf{}, apperr.Invalid(apperr.Field("/agency", "field.unknown", nil))
}

// name fills the agency of each message (all are among the subject's agencies, but an agency
// that left an errand keeps its messages: those are named by a read).
func (s *subject) name(ctx context.Context, db bun.IDB, ms []*Message) error {
	known := map[string]agencyOf{}
	for _, a := range s.agencies {
		known[a.ID] = a
	}
	var missing []string
	for _, m := range ms {
		if _, ok := known[m.AgencyID]; !ok {
			missing = append(missing, m.AgencyID)
		}
	}
	if len(missing) > 0 {
		var more []agencyOf
		if err := db.NewSelect().Table("agencies").Column("id", "slug", "name").Where("id IN (?)", bun.In(missing)).Scan(ctx, &more); err != nil {
			return fmt.Errorf("messages: agencies: %w", err)
		}
		for _, a := range more {
			known[a.ID] = a
		}
	}
	for _, m := range ms {
		a := known[m.AgencyID]
		m.AgencySlug, m.AgencyName = a.Slug, a.Name
	}
	return nil
}

// Recipient is an agency a citizen's message on a thread may be for.
type Recipient struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Recipients lists the agencies a message on the case or errand may be for, the owner (the case's
// agency, the errand's lead: the default) first.
func (s *Service) Recipients(ctx context.Context, v represent.View, kind, id string) ([]Recipient, error) {
	subj, err := ownSubject(ctx, s.db, v, kind, id)
	if err != nil {
		return nil, err
	}
	out := make([]Recipient, len(subj.agencies))
	for i, a := range subj.agencies {
		out[i] = Recipient{Slug: a.Slug, Name: a.Name}
	}
	return out, nil
}

// ownSubject loads a case or an errand the view may act on; any other is not found.
func ownSubject(ctx context.Context, db bun.IDB, v represent.View, kind, id string) (*subject, error) {
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFound()
	}
	s, err := loadSubject(ctx, db, kind, id)
	if err != nil {
		return nil, err
	}
	if !v.Owns(s.citizenID, s.area) {
		return nil, apperr.NotFound()
	}
	return s, nil
}

// loadSubject reads a case or an errand by the portal's id, with the agencies it may address.
func loadSubject(ctx context.Context, db bun.IDB, kind, id string) (*subject, error) {
	switch kind {
	case SubjectCase:
		c := new(cases.Case)
		err := db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound()
		}
		if err != nil {
			return nil, fmt.Errorf("messages: load case: %w", err)
		}
		s := &subject{kind: kind, id: c.ID, citizenID: c.CitizenID, area: c.Area, sensitive: c.Sensitive, caseExtID: c.ExternalID}
		var a agencyOf
		if err := db.NewSelect().Table("agencies").Column("id", "slug", "name").Where("id = ?", c.AgencyID).Scan(ctx, &a.ID, &a.Slug, &a.Name); err != nil {
			return nil, fmt.Errorf("messages: case agency: %w", err)
		}
		s.agencies = []agencyOf{a}
		return s, nil
	case SubjectErrand:
		e := new(errands.Errand)
		err := db.NewSelect().Model(e).Where("e.id = ?", id).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.NotFound()
		}
		if err != nil {
			return nil, fmt.Errorf("messages: load errand: %w", err)
		}
		s := &subject{kind: kind, id: e.ID, citizenID: e.CitizenID, area: e.Area}
		var lead agencyOf
		if err := db.NewSelect().Table("agencies").Column("id", "slug", "name").Where("id = ?", e.AgencyID).Scan(ctx, &lead.ID, &lead.Slug, &lead.Name); err != nil {
			return nil, fmt.Errorf("messages: errand lead: %w", err)
		}
		var joined []agencyOf
		err = db.NewSelect().TableExpr("errand_agencies AS p").ColumnExpr("a.id, a.slug, a.name").
			Join("JOIN agencies AS a ON a.id = p.agency_id").Where("p.errand_id = ?", e.ID).OrderExpr("a.slug").Scan(ctx, &joined)
		if err != nil {
			return nil, fmt.Errorf("messages: errand agencies: %w", err)
		}
		s.agencies = append([]agencyOf{lead}, joined...)
		s.errand = &ErrandRef{Agency: lead.Slug, ExternalID: e.ExternalID}
		return s, nil
	}
	return nil, apperr.NotFound()
}

// agencySubject finds the subject an agency answers on, by its own case id or by the errand's
// reference; the agency must own the case, or lead or have joined the errand.
func agencySubject(ctx context.Context, db bun.IDB, agencyID string, in Answer) (*subject, error) {
	if in.Errand == nil {
		var id string
		err := db.NewSelect().Table("cases").Column("id").Where("agency_id = ? AND external_id = ?", agencyID, in.CaseID).Scan(ctx, &id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.Invalid(apperr.Field("/caseId", "field.unknown", nil))
		}
		if err != nil {
			return nil, fmt.Errorf("messages: load case: %w", err)
		}
		return loadSubject(ctx, db, SubjectCase, id)
	}
	var id string
	err := db.NewSelect().TableExpr("errands AS e").Column("e.id").Join("JOIN agencies AS a ON a.id = e.agency_id").
		Where("a.slug = ? AND e.external_id = ?", in.Errand.Agency, in.Errand.ExternalID).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.Invalid(apperr.Field("/errand", "field.unknown_reference", nil))
	}
	if err != nil {
		return nil, fmt.Errorf("messages: load errand: %w", err)
	}
	s, err := loadSubject(ctx, db, SubjectErrand, id)
	if err != nil {
		return nil, err
	}
	for _, a := range s.agencies {
		if a.ID == agencyID {
			return s, nil
		}
	}
	return nil, apperr.Invalid(apperr.Field("/errand", "field.errand_not_allowed", nil))
}
