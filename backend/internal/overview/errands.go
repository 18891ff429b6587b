package overview

import (
	"context"
	"slices"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/cases"
	"minside/backend/internal/errands"
	"minside/backend/internal/store"
)

// overviewErrands bounds the errands the overview shows.
const overviewErrands = 20

// Errand is an errand as the overview lists it: one entry for all its cases. Agency is the lead.
type Errand struct {
	ID        string    `json:"id"`
	Agency    Agency    `json:"agency"`
	Title     string    `json:"title"`
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updatedAt"`
	Subject   *Person   `json:"subject"`
	citizenID string
}

type errandRow struct {
	ID         string    `bun:"id" json:"id"`
	CitizenID  string    `bun:"citizen_id" json:"citizen_id"`
	Area       string    `bun:"area" json:"area"`
	Status     string    `bun:"status" json:"status"`
	UpdatedAt  time.Time `bun:"updated_at" json:"updated_at"`
	AgencySlug string    `bun:"agency_slug" json:"agency_slug"`
	AgencyName string    `bun:"agency_name" json:"agency_name"`
}

const errandSelect = `SELECT e.id, e.citizen_id, e.area, e.status, e.updated_at, a.slug AS agency_slug, a.name AS agency_name
FROM errands e JOIN agencies a ON a.id = e.agency_id WHERE `

// queuedErrands is errandSelect queued on reads with its titles.
type queuedErrands struct {
	rows  []errandRow
	texts *queuedTexts
}

// queueErrands queues the errands the scope may see (by the errand's area, as for a case).
func queueErrands(reads *store.Reads, sc *scope, extra string, args ...any) *queuedErrands {
	q := &queuedErrands{}
	where, wargs := sc.whose("e.citizen_id", "e.area")
	all := append(wargs, args...)
	reads.Add(&q.rows, errandSelect+where+extra, all...)
	q.texts = queueTexts(reads, errandSelect+where+extra, all, sc.viewer.Lang)
	return q
}

func (q *queuedErrands) visible(sc *scope) []Errand {
	txt := q.texts.picked()
	out := make([]Errand, 0, len(q.rows))
	for _, r := range q.rows {
		ok, who := sc.sees(r.CitizenID, r.Area)
		if !ok {
			continue
		}
		out = append(out, Errand{ID: r.ID, Agency: Agency{Slug: r.AgencySlug, Name: r.AgencyName}, Title: txt.get(r.ID, "title"),
			Status: r.Status, UpdatedAt: r.UpdatedAt.UTC(), Subject: who, citizenID: r.CitizenID})
	}
	return out
}

// ErrandEntry is one entry of the errand's merged timeline, marked with its agency.
type ErrandEntry struct {
	CaseEvent
	Agency Agency `json:"agency"`
	CaseID string `json:"caseId"`
}

// ErrandDocument is one document of any of the errand's cases.
type ErrandDocument struct {
	CaseDocument
	Agency Agency `json:"agency"`
}

// ErrandStep is one "what happens next": Agency waits for WaitingFor (the citizen, itself, or the
// third party Party), with what and by when.
type ErrandStep struct {
	Agency     Agency     `json:"agency"`
	WaitingFor string     `json:"waitingFor"`
	Party      *string    `json:"party"`
	Text       string     `json:"text"`
	DueAt      *time.Time `json:"dueAt"`
}

// ErrandDetail is the citizen's one view of an errand: one status, its cases, one timeline, one
// list of documents and one "what happens next".
type ErrandDetail struct {
	Errand
	Cases     []Case           `json:"cases"`
	Timeline  []ErrandEntry    `json:"timeline"`
	Documents []ErrandDocument `json:"documents"`
	Next      []ErrandStep     `json:"next"`
}

// ErrandOf returns one visible errand merged over the cases the viewer may see. A representative
// sees the errand only within the relation's areas (the errand's area) and, inside it, only the
// cases of areas the relation covers: represent's one rule through the scope, as for cases.
func (s *Service) ErrandOf(ctx context.Context, v Viewer, id string) (ErrandDetail, error) {
	if !validID(id) {
		return ErrandDetail{}, apperr.NotFound()
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	sc, err := s.resolve(ctx, v, utc(s.now()))
	if err != nil {
		return ErrandDetail{}, err
	}
	reads := s.db.NewReads()
	qe := queueErrands(reads, sc, " AND e.id = ?", id)
	where, args := sc.whose("c.citizen_id", "c.area")
	qc := queueCases(reads, sc, where+" AND c.errand_id = ? ORDER BY c.updated_at DESC, c.id DESC", append(args, id)...)
	if err := reads.Run(ctx); err != nil {
		return ErrandDetail{}, fail("errand", err)
	}
	es := qe.visible(sc)
	if len(es) == 0 {
		return ErrandDetail{}, apperr.NotFound()
	}
	d := ErrandDetail{Errand: es[0], Cases: qc.visible(sc), Timeline: []ErrandEntry{}, Documents: []ErrandDocument{}, Next: []ErrandStep{}}
	if err := s.mergeCases(ctx, &d, v.Lang, v.Cleared); err != nil {
		return ErrandDetail{}, err
	}
	if err := s.auditRead(ctx, sc, d.citizenID, audit.ActionReadErrand, "errand", id); err != nil {
		return ErrandDetail{}, err
	}
	return d, nil
}

// mergeCases fills the timeline, documents and next steps from the visible cases of d; a withheld
// case adds nothing (it is listed, without its content), a withheld document only that it exists.
func (s *Service) mergeCases(ctx context.Context, d *ErrandDetail, lang string, cleared bool) error {
	byID := map[string]Case{}
	var ids []string
	for _, c := range d.Cases {
		if !c.Withheld {
			ids, byID[c.ID] = append(ids, c.ID), c
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var events []cases.Event
	if err := s.db.NewSelect().Model(&events).Where("case_id IN (?)", store.In(ids)).Order("occurred_at", "id").Scan(ctx); err != nil {
		return fail("errand events", err)
	}
	var docs []cases.Document
	if err := s.db.NewSelect().Model(&docs).Where("case_id IN (?)", store.In(ids)).Order("created_at", "id").Scan(ctx); err != nil {
		return fail("errand documents", err)
	}
	var steps []errands.Step
	if err := s.db.NewSelect().Model(&steps).Where("case_id IN (?)", store.In(ids)).Order("case_id", "position").Scan(ctx); err != nil {
		return fail("errand steps", err)
	}
	owners := []string{}
	for _, e := range events {
		owners = append(owners, e.ID)
	}
	for _, st := range steps {
		owners = append(owners, st.ID)
	}
	txt, err := s.loadTexts(ctx, owners, lang)
	if err != nil {
		return err
	}
	for _, e := range events {
		ev := CaseEvent{ID: e.ID, At: e.OccurredAt.UTC(), Status: e.Status, Title: txt.get(e.ID, "title")}
		if body := txt.get(e.ID, "body"); body != "" {
			ev.Body = &body
		}
		d.Timeline = append(d.Timeline, ErrandEntry{CaseEvent: ev, Agency: byID[e.CaseID].Agency, CaseID: e.CaseID})
	}
	for _, doc := range docs {
		d.Documents = append(d.Documents, ErrandDocument{CaseDocument: documentOf(doc, cleared), Agency: byID[doc.CaseID].Agency})
	}
	// What the citizen must do comes first (each case's next action), then the agencies' steps.
	for _, c := range d.Cases {
		if c.Status == cases.StatusAwaitingCitizen && c.NextAction != nil {
			d.Next = append(d.Next, ErrandStep{Agency: c.Agency, WaitingFor: errands.WaitingCitizen, Text: c.NextAction.Text, DueAt: c.NextAction.DueAt})
		}
	}
	for _, st := range steps {
		step := ErrandStep{Agency: byID[st.CaseID].Agency, WaitingFor: st.WaitingFor, Text: txt.get(st.ID, "text"), DueAt: utcPtr(st.DueAt)}
		if party := txt.get(st.ID, "party"); party != "" {
			step.Party = &party
		}
		d.Next = append(d.Next, step)
	}
	slices.SortStableFunc(d.Next, func(a, b ErrandStep) int {
		switch {
		case a.DueAt == nil && b.DueAt == nil:
			return 0
		case a.DueAt == nil:
			return 1
		case b.DueAt == nil:
			return -1
		}
		return a.DueAt.Compare(*b.DueAt)
	})
	return nil
}
