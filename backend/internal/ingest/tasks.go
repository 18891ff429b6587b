package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"minside/backend/internal/apperr"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/tasks"
	"minside/backend/internal/texts"
)

// TaskRecord is something an agency asks the citizen to do by a date. It stays in "needs your
// action" until the agency sets status done or closed.
type TaskRecord struct {
	PID            string            `json:"pid"`
	Area           string            `json:"area"`
	Title          map[string]string `json:"title"`
	Body           map[string]string `json:"body,omitempty"`
	DueAt          string            `json:"dueAt"`
	Link           string            `json:"link,omitempty"`
	CaseExternalID string            `json:"caseExternalId,omitempty"` // this agency's case the task belongs to
	Status         string            `json:"status"`
	Sensitive      bool              `json:"sensitive,omitempty"` // content only at the step-up login level
	Version        int64             `json:"version"`
}

// DraftRecord is an application the citizen started in the agency's system: shown with
// "continue" (link) until the agency sets status submitted or it expires.
type DraftRecord struct {
	PID       string            `json:"pid"`
	Area      string            `json:"area"`
	Title     map[string]string `json:"title"`
	Body      map[string]string `json:"body,omitempty"`
	Link      string            `json:"link"`
	ExpiresAt string            `json:"expiresAt"`
	Status    string            `json:"status"`
	Sensitive bool              `json:"sensitive,omitempty"`
	Version   int64             `json:"version"`
}

// taskSpec parses tasks (draft false) or drafts (draft true); both become rows of tasks.
type taskSpec struct{ draft bool }

// parsedTask is a valid task or draft; the record it came from is kept for GET.
type parsedTask struct {
	row    tasks.Task // the fields the record sets
	title  map[string]string
	body   map[string]string
	caseID string // caseExternalId, resolved when written
	number pid.Number
	record any
}

func (s taskSpec) parse(body []byte, base string, pids pid.Options) (parsed, error) {
	c := &checker{base: base, pids: pids}
	p := &parsedTask{}
	if s.draft {
		r := &DraftRecord{}
		if err := decodeStrict(body, r, c); err != nil {
			return nil, err
		}
		p.number, _ = c.pid("/pid", r.PID)
		c.oneOf("/area", r.Area, areas, true)
		c.texts("/title", r.Title, titleText, true)
		c.texts("/body", r.Body, bodyText, false)
		c.httpsURL("/link", r.Link, true)
		p.row.ExpiresAt = c.time("/expiresAt", r.ExpiresAt, true)
		c.oneOf("/status", r.Status, tasks.DraftStatuses, true)
		c.version(r.Version)
		p.row.Kind, p.row.Area, p.row.Link, p.row.Status, p.row.Sensitive, p.row.Version = tasks.KindDraft, r.Area, r.Link, r.Status, r.Sensitive, r.Version
		p.title, p.body, p.record = r.Title, r.Body, r
	} else {
		r := &TaskRecord{}
		if err := decodeStrict(body, r, c); err != nil {
			return nil, err
		}
		p.number, _ = c.pid("/pid", r.PID)
		c.oneOf("/area", r.Area, areas, true)
		c.texts("/title", r.Title, titleText, true)
		c.texts("/body", r.Body, bodyText, false)
		p.row.DueAt = c.time("/dueAt", r.DueAt, true)
		c.httpsURL("/link", r.Link, false)
		if r.CaseExternalID != "" {
			checkExternalID(c, "/caseExternalId", r.CaseExternalID)
		}
		c.oneOf("/status", r.Status, tasks.TaskStatuses, true)
		c.version(r.Version)
		p.row.Kind, p.row.Area, p.row.Link, p.row.Status, p.row.Sensitive, p.row.Version = tasks.KindTask, r.Area, r.Link, r.Status, r.Sensitive, r.Version
		p.title, p.body, p.caseID, p.record = r.Title, r.Body, r.CaseExternalID, r
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *parsedTask) version() int64 { return p.row.Version }

func (p *parsedTask) apply(ctx context.Context, w *writer, prev *record) (applied, error) {
	person, err := w.citizen(ctx, p.number, "")
	if err != nil {
		return applied{}, err
	}
	row := p.row
	row.ID, row.AgencyID, row.ExternalID, row.CitizenID, row.CreatedAt, row.UpdatedAt = store.NewID(), w.req.AgencyID, w.externalID, person.ID, w.now, w.now
	if p.caseID != "" {
		rec, err := findRecord(ctx, w.tx, w.req.AgencyID, KindCases, p.caseID, false)
		if err != nil {
			return applied{}, err
		}
		if rec == nil || rec.Version == 0 || rec.CitizenID == nil || *rec.CitizenID != person.ID { // version 0: only reserved
			return applied{}, apperr.Invalid(apperr.Field("/caseExternalId", "field.unknown_case", nil))
		}
		row.CaseID = &rec.ObjectID
	}
	var before tasks.Task
	if prev != nil {
		err := w.tx.NewSelect().Model(&before).Where("id = ?", prev.ObjectID).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			row.ID, prev = prev.ObjectID, nil // an expired draft the janitor deleted: written anew under its old id
		} else if err != nil {
			return applied{}, fmt.Errorf("ingest: %s: %w", row.Kind, err)
		}
	}
	if prev != nil {
		row.ID, row.CreatedAt, row.SeenAt, row.RemindedAt = before.ID, before.CreatedAt, before.SeenAt, before.RemindedAt
		if before.CitizenID != row.CitizenID {
			row.SeenAt, row.RemindedAt = nil, nil // a new person has seen nothing yet
		}
		_, err = w.tx.NewUpdate().Model(&row).ExcludeColumn("created_at").WherePK().Exec(ctx)
	} else {
		_, err = w.tx.NewInsert().Model(&row).Exec(ctx)
	}
	if err != nil {
		return applied{}, fmt.Errorf("ingest: %s: %w", row.Kind, err)
	}
	if err := texts.Save(ctx, w.tx, tasks.TextOwner, row.ID, texts.Fields{"title": p.title, "body": p.body}); err != nil {
		return applied{}, err
	}
	if err := w.change(ctx, &person.ID, row.Kind, row.ID, "upsert"); err != nil {
		return applied{}, err
	}
	// A new open task is announced; a draft is the citizen's own doing and is not.
	opened := row.Kind == tasks.KindTask && row.Status == tasks.StatusOpen && (prev == nil || before.Status != tasks.StatusOpen)
	if opened {
		urgent := row.DueAt != nil && row.DueAt.Sub(w.now) <= urgentWithin
		ev := outbox.NotifyEvent{CitizenID: person.ID, Kind: tasks.KindTask, ObjectID: row.ID, Reason: "new", Urgent: urgent}
		if err := w.notify(ctx, ev, outbox.Options{}); err != nil {
			return applied{}, err
		}
	}
	body, err := stripPIDs(p.record, row.ID, map[string]string{"pid": p.number.String()})
	return applied{objectID: row.ID, citizenID: &person.ID, body: body}, err
}

func deleteTask(ctx context.Context, w *writer, r *record) error {
	if err := texts.Delete(ctx, w.tx, tasks.TextOwner, r.ObjectID); err != nil {
		return err
	}
	if _, err := w.tx.NewDelete().Model((*tasks.Task)(nil)).Where("id = ?", r.ObjectID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete %s: %w", r.Kind, err)
	}
	return w.change(ctx, r.CitizenID, objectKind(Kind(r.Kind)), r.ObjectID, "delete")
}

func (p *parsedTask) bodyParts() (any, map[string]string) {
	return p.record, map[string]string{"pid": p.number.String()}
}
