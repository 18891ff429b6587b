package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/cases"
	"minside/backend/internal/errands"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
)

// urgentWithin makes a deadline urgent enough to break through quiet hours.
const urgentWithin = 72 * time.Hour

var caseStatuses = cases.Statuses()

// CaseRecord is a case as an agency sends it.
type CaseRecord struct {
	PID         string            `json:"pid"`
	Title       map[string]string `json:"title"`
	TitlePublic map[string]string `json:"titlePublic,omitempty"`
	Kind        string            `json:"kind,omitempty"`
	Area        string            `json:"area"`
	Status      string            `json:"status"`
	NextAction  *NextAction       `json:"nextAction,omitempty"`
	Events      []CaseEvent       `json:"events,omitempty"`
	Documents   []CaseDocument    `json:"documents,omitempty"`
	DeepLink    string            `json:"deepLink,omitempty"`
	// Errand attaches the case to an errand (package errands) of the same person; the agency must
	// be the errand's lead or allowed by it. SharedWithErrand shows the whole case to the errand's
	// other agencies (else they see only its events marked shared).
	Errand           *ErrandRef `json:"errand,omitempty"`
	SharedWithErrand bool       `json:"sharedWithErrand,omitempty"`
	NextSteps        []CaseStep `json:"nextSteps,omitempty"`
	// Sensitive: a login below the step-up level sees that the case exists (agency, date), not its
	// title, status, timeline, documents or messages.
	Sensitive bool  `json:"sensitive,omitempty"`
	Version   int64 `json:"version"`
}

// CaseStep is one "what happens next" of a case, naming who the agency waits for: the citizen, no
// one (the agency itself works), or a third party named by Party; the list replaces the previous one.
type CaseStep struct {
	Text       map[string]string `json:"text"`
	WaitingFor string            `json:"waitingFor"`
	Party      map[string]string `json:"party,omitempty"`
	DueAt      string            `json:"dueAt,omitempty"`
}

// NextAction is what the citizen must do, and by when.
type NextAction struct {
	Text  map[string]string `json:"text"`
	DueAt string            `json:"dueAt,omitempty"`
}

// CaseEvent is one entry of the timeline; upserted by external id, never deleted by omission.
type CaseEvent struct {
	ExternalID string            `json:"externalId"`
	OccurredAt string            `json:"occurredAt"`
	Status     string            `json:"status,omitempty"`
	Title      map[string]string `json:"title"`
	Body       map[string]string `json:"body,omitempty"`
	// SharedWithErrand shows this entry to the other agencies of the case's errand.
	SharedWithErrand bool `json:"sharedWithErrand,omitempty"`
}

// CaseDocument links a document the agency holds; the list replaces the previous one. Requires
// asks the citizen to acknowledge ("I have read") or sign it, optionally by DueAt: it stays in
// "needs your action" until done, and the agency hears of it by the document.acknowledged webhook.
type CaseDocument struct {
	ExternalID string `json:"externalId"`
	Name       string `json:"name"`
	Type       string `json:"type,omitempty"`
	URL        string `json:"url"`
	Requires   string `json:"requires,omitempty"`
	DueAt      string `json:"dueAt,omitempty"`
	Sensitive  bool   `json:"sensitive,omitempty"` // name and link only at the step-up level
}

var documentRequires = []string{cases.RequiresAcknowledge, cases.RequiresSign}

type caseSpec struct{}

type parsedCase struct {
	rec      CaseRecord
	number   pid.Number
	due      *time.Time
	occurred []time.Time
	stepsDue []*time.Time
	docDue   []*time.Time // each document's dueAt
}

func (caseSpec) parse(body []byte, base string, pids pid.Options) (parsed, error) {
	p := &parsedCase{}
	c := &checker{base: base, pids: pids}
	if err := decodeStrict(body, &p.rec, c); err != nil {
		return nil, err
	}
	r := &p.rec // checks write the canonical text back into the record
	p.number, _ = c.pid("/pid", r.PID)
	c.texts("/title", r.Title, titleText, true)
	c.texts("/titlePublic", r.TitlePublic, titleText, false)
	c.text("/kind", &r.Kind, shortText)
	c.oneOf("/area", r.Area, areas, true)
	c.oneOf("/status", r.Status, caseStatuses, true)
	if r.NextAction != nil {
		c.texts("/nextAction/text", r.NextAction.Text, titleText, true)
		p.due = c.time("/nextAction/dueAt", r.NextAction.DueAt, false)
	}
	c.count("/events", len(r.Events), maxEvents)
	seen := map[string]bool{}
	for i := range r.Events {
		e := &r.Events[i]
		ptr := "/events/" + strconv.Itoa(i)
		checkExternalID(c, ptr+"/externalId", e.ExternalID)
		if seen[e.ExternalID] {
			c.add(ptr+"/externalId", "field.duplicate", nil)
		}
		seen[e.ExternalID] = true
		at := c.time(ptr+"/occurredAt", e.OccurredAt, true)
		if at != nil {
			p.occurred = append(p.occurred, *at)
		} else {
			p.occurred = append(p.occurred, time.Time{})
		}
		c.oneOf(ptr+"/status", e.Status, caseStatuses, false)
		c.texts(ptr+"/title", e.Title, titleText, true)
		c.texts(ptr+"/body", e.Body, bodyText, false)
	}
	c.count("/documents", len(r.Documents), maxDocuments)
	docs := map[string]bool{}
	for i := range r.Documents {
		d := &r.Documents[i]
		ptr := "/documents/" + strconv.Itoa(i)
		checkExternalID(c, ptr+"/externalId", d.ExternalID)
		if docs[d.ExternalID] {
			c.add(ptr+"/externalId", "field.duplicate", nil)
		}
		docs[d.ExternalID] = true
		c.text(ptr+"/name", &d.Name, nameText.Need(true))
		c.text(ptr+"/type", &d.Type, shortText)
		c.httpsURL(ptr+"/url", d.URL, true)
		c.oneOf(ptr+"/requires", d.Requires, documentRequires, false)
		due := c.time(ptr+"/dueAt", d.DueAt, false)
		if due != nil && d.Requires == "" {
			c.add(ptr+"/requires", "field.required", nil) // a date for nothing to do
		}
		p.docDue = append(p.docDue, due)
	}
	c.httpsURL("/deepLink", r.DeepLink, false)
	if r.Errand != nil {
		c.text("/errand/agency", &r.Errand.Agency, shortText.Need(true))
		checkExternalID(c, "/errand/externalId", r.Errand.ExternalID)
	}
	c.count("/nextSteps", len(r.NextSteps), maxListItems)
	for i := range r.NextSteps {
		st := &r.NextSteps[i]
		ptr := "/nextSteps/" + strconv.Itoa(i)
		c.texts(ptr+"/text", st.Text, titleText, true)
		c.oneOf(ptr+"/waitingFor", st.WaitingFor, errands.WaitingFor, true)
		c.texts(ptr+"/party", st.Party, nameText, st.WaitingFor == errands.WaitingThirdParty)
		p.stepsDue = append(p.stepsDue, c.time(ptr+"/dueAt", st.DueAt, false))
	}
	c.version(r.Version)
	if err := c.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *parsedCase) version() int64 { return p.rec.Version }

func (p *parsedCase) people() []pid.Number { return []pid.Number{p.number} }

// deferrable: a new case only inserts; an update reads and replaces its children.
// A case on an errand or with next steps reads and writes beyond its own rows.
func (p *parsedCase) deferrable(prev *record) bool {
	return prev == nil && p.rec.Errand == nil && len(p.rec.NextSteps) == 0
}

func (p *parsedCase) apply(ctx context.Context, w *writer, prev *record) (applied, error) {
	r := p.rec
	person, err := w.citizen(ctx, p.number, "")
	if err != nil {
		return applied{}, err
	}
	var before CaseRecord
	row := &cases.Case{ID: store.NewID(), CreatedAt: w.now}
	if prev != nil {
		if err := json.Unmarshal(prev.Body, &before); err != nil {
			return applied{}, fmt.Errorf("ingest: stored case: %w", err)
		}
		row.ID, row.CreatedAt = prev.ObjectID, prev.CreatedAt
	}
	links, err := p.errandLinks(ctx, w, prev, before, person.ID)
	if err != nil {
		return applied{}, err
	}
	row.ErrandID, row.SharedWithErrand = links.now, r.SharedWithErrand && links.now != nil
	row.AgencyID, row.ExternalID, row.Version, row.CitizenID = w.req.AgencyID, w.externalID, r.Version, person.ID
	row.Kind, row.Area, row.Status, row.NextActionDue, row.DeepLink, row.UpdatedAt = r.Kind, r.Area, r.Status, p.due, r.DeepLink, w.now
	row.Sensitive = r.Sensitive
	fields := texts.Fields{"title": r.Title, "title_public": r.TitlePublic, "next_action": nil}
	if r.NextAction != nil {
		fields["next_action"] = r.NextAction.Text
	}
	if prev == nil {
		err = w.insertCase(ctx, p.newRows(w, row, fields))
	} else if _, err = w.tx.NewUpdate().Model(row).ExcludeColumn("created_at").WherePK().Exec(ctx); err != nil {
		err = fmt.Errorf("ingest: case: %w", err)
	} else {
		err = p.updateChildren(ctx, w, row.ID, fields)
	}
	if err != nil {
		return applied{}, err
	}
	if err := p.saveSteps(ctx, w, row.ID, len(before.NextSteps) > 0); err != nil {
		return applied{}, err
	}
	if err := links.refresh(ctx, w); err != nil {
		return applied{}, err
	}
	if err := w.change(ctx, &person.ID, "case", row.ID, "upsert"); err != nil {
		return applied{}, err
	}
	if reason := caseNotifyReason(prev != nil, before, r); reason != "" {
		urgent := reason == "awaiting_citizen" && p.due != nil && p.due.Sub(w.now) <= urgentWithin
		ev := outbox.NotifyEvent{CitizenID: person.ID, Kind: "case", ObjectID: row.ID, Reason: reason, Urgent: urgent}
		if err := w.notify(ctx, ev, outbox.Options{}); err != nil {
			return applied{}, err
		}
	}
	if err := w.suggestEvent(ctx, person.ID, caseEvent(prev != nil, before, r, row.ID)); err != nil {
		return applied{}, err
	}
	// Events are never deleted by omission: the answer on GET is the whole timeline so far.
	r.Events = mergeEvents(before.Events, r.Events)
	body, err := stripPIDs(r, row.ID, map[string]string{"pid": p.number.String()})
	return applied{objectID: row.ID, citizenID: &person.ID, body: body}, err
}

// caseNotifyReason tells the citizen when a case starts awaiting them or changes status. A case
// first seen in any other status is onboarding, not news.
func caseNotifyReason(existed bool, before, now CaseRecord) string {
	switch {
	case now.Status == cases.StatusAwaitingCitizen && (!existed || before.Status != now.Status):
		return "awaiting_citizen"
	case existed && before.Status != now.Status:
		return "status_changed"
	}
	return ""
}

// newRows are a new case's rows: the case, its texts, events and documents.
func (p *parsedCase) newRows(w *writer, row *cases.Case, fields texts.Fields) caseRows {
	out := caseRows{row: row, texts: textRows("case", row.ID, fields), documents: p.documentRows(w, row.ID)}
	for i, e := range p.rec.Events {
		ev := cases.Event{ID: store.NewID(), CaseID: row.ID, ExternalID: e.ExternalID, OccurredAt: p.occurred[i],
			SharedWithErrand: e.SharedWithErrand, CreatedAt: w.now}
		if e.Status != "" {
			status := e.Status
			ev.Status = &status
		}
		out.events = append(out.events, ev)
		out.texts = append(out.texts, textRows("case_event", ev.ID, texts.Fields{"title": e.Title, "body": e.Body})...)
	}
	return out
}

// updateChildren replaces the texts and documents of an existing case and upserts its events.
func (p *parsedCase) updateChildren(ctx context.Context, w *writer, caseID string, fields texts.Fields) error {
	if err := texts.Save(ctx, w.tx, "case", caseID, fields); err != nil {
		return err
	}
	if err := p.upsertEvents(ctx, w, caseID); err != nil {
		return err
	}
	// A document keeps its portal id while the agency keeps its external id, so the citizen's
	// "I have read" (and a queued offline press) still finds it after the agency's update.
	var before []cases.Document
	if err := w.tx.NewSelect().Model(&before).Column("id", "external_id").Where("case_id = ?", caseID).Scan(ctx); err != nil {
		return fmt.Errorf("ingest: case documents: %w", err)
	}
	if _, err := w.tx.NewDelete().Model((*cases.Document)(nil)).Where("case_id = ?", caseID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: case documents: %w", err)
	}
	ids := make(map[string]string, len(before))
	for _, d := range before {
		ids[d.ExternalID] = d.ID
	}
	return p.insertDocuments(ctx, w, caseID, ids)
}

// textRows flattens a record's multilingual fields into rows of the texts table.
func textRows(ownerKind, ownerID string, fields texts.Fields) []texts.Text {
	var rows []texts.Text
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		for _, lang := range slices.Sorted(maps.Keys(fields[field])) {
			rows = append(rows, texts.Text{OwnerKind: ownerKind, OwnerID: ownerID, Field: field, Lang: lang, Value: fields[field][lang]})
		}
	}
	return rows
}

func (p *parsedCase) upsertEvents(ctx context.Context, w *writer, caseID string) error {
	if len(p.rec.Events) == 0 {
		return nil
	}
	ids := make([]string, len(p.rec.Events))
	for i, e := range p.rec.Events {
		ids[i] = e.ExternalID
	}
	var existing []cases.Event
	if err := w.tx.NewSelect().Model(&existing).Where("case_id = ? AND external_id IN (?)", caseID, bun.In(ids)).Scan(ctx); err != nil {
		return fmt.Errorf("ingest: case events: %w", err)
	}
	byExt := map[string]cases.Event{}
	for _, e := range existing {
		byExt[e.ExternalID] = e
	}
	for i, e := range p.rec.Events {
		row, found := byExt[e.ExternalID]
		if !found {
			row = cases.Event{ID: store.NewID(), CaseID: caseID, ExternalID: e.ExternalID, CreatedAt: w.now}
		}
		row.OccurredAt, row.SharedWithErrand = p.occurred[i], e.SharedWithErrand
		row.Status = nil
		if e.Status != "" {
			status := e.Status
			row.Status = &status
		}
		var err error
		if found {
			_, err = w.tx.NewUpdate().Model(&row).Column("occurred_at", "status", "shared_with_errand").WherePK().Exec(ctx)
		} else {
			_, err = w.tx.NewInsert().Model(&row).Exec(ctx)
		}
		if err != nil {
			return fmt.Errorf("ingest: case event: %w", err)
		}
		if err := texts.Save(ctx, w.tx, "case_event", row.ID, texts.Fields{"title": e.Title, "body": e.Body}); err != nil {
			return err
		}
	}
	return nil
}

func (p *parsedCase) insertDocuments(ctx context.Context, w *writer, caseID string, ids map[string]string) error {
	rows := p.documentRows(w, caseID)
	for i := range rows {
		if id, ok := ids[rows[i].ExternalID]; ok {
			rows[i].ID = id
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := w.tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: case documents: %w", err)
	}
	return nil
}

func (p *parsedCase) documentRows(w *writer, caseID string) []cases.Document {
	rows := make([]cases.Document, len(p.rec.Documents))
	for i, d := range p.rec.Documents {
		rows[i] = cases.Document{ID: store.NewID(), CaseID: caseID, ExternalID: d.ExternalID, Name: d.Name, DocType: d.Type, URL: d.URL,
			Requires: d.Requires, DueAt: p.docDue[i], Sensitive: d.Sensitive, CreatedAt: w.now}
	}
	return rows
}

// mergeEvents keeps every earlier event and lets the new list replace same-id entries, ordered by time.
func mergeEvents(before, now []CaseEvent) []CaseEvent {
	out := slices.Clone(now)
	have := map[string]bool{}
	for _, e := range now {
		have[e.ExternalID] = true
	}
	for _, e := range before {
		if !have[e.ExternalID] {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b CaseEvent) int {
		ta, _ := time.Parse(time.RFC3339, a.OccurredAt)
		tb, _ := time.Parse(time.RFC3339, b.OccurredAt)
		return ta.Compare(tb)
	})
	return out
}

func deleteCase(ctx context.Context, w *writer, r *record) error {
	var stored CaseRecord
	if err := json.Unmarshal(r.Body, &stored); err != nil {
		return fmt.Errorf("ingest: stored case: %w", err)
	}
	errandID := ""
	if stored.Errand != nil {
		var err error
		if errandID, err = storedErrandID(ctx, w, r.ObjectID); err != nil {
			return err
		}
	}
	if len(stored.NextSteps) > 0 {
		if err := deleteSteps(ctx, w, r.ObjectID); err != nil {
			return err
		}
	}
	var eventIDs []string
	if err := w.tx.NewSelect().Model((*cases.Event)(nil)).Column("id").Where("case_id = ?", r.ObjectID).Scan(ctx, &eventIDs); err != nil {
		return fmt.Errorf("ingest: delete case: %w", err)
	}
	if err := texts.Delete(ctx, w.tx, "case_event", eventIDs...); err != nil {
		return err
	}
	if err := texts.Delete(ctx, w.tx, "case", r.ObjectID); err != nil {
		return err
	}
	if _, err := w.tx.NewDelete().Model((*cases.Case)(nil)).Where("id = ?", r.ObjectID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete case: %w", err)
	}
	if errandID != "" {
		if err := errands.Refresh(ctx, w.tx, errandID, w.now); err != nil {
			return err
		}
	}
	if err := w.suggestEvent(ctx, *r.CitizenID, suggest.Event{Kind: "case.deleted", ObjectID: r.ObjectID}); err != nil {
		return err
	}
	return w.change(ctx, r.CitizenID, "case", r.ObjectID, "delete")
}
