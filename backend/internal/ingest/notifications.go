package ingest

import (
	"context"
	"database/sql"
	"fmt"

	"minside/backend/internal/apperr"
	"minside/backend/internal/notify"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

var urgencies = []string{"low", "normal", "high"}

// NotificationRecord is a message to a citizen as an agency sends it.
type NotificationRecord struct {
	PID      string            `json:"pid"`
	Category string            `json:"category"`
	Title    map[string]string `json:"title"`
	Body     map[string]string `json:"body"`
	Link     string            `json:"link,omitempty"`
	// CaseExternalID names this agency's case the message is about: the message links to it.
	CaseExternalID string `json:"caseExternalId,omitempty"`
	Urgency        string `json:"urgency,omitempty"`
	DedupeKey      string `json:"dedupeKey,omitempty"`
	Version        int64  `json:"version"`
}

type notificationSpec struct{}

type parsedNotification struct {
	rec    NotificationRecord
	number pid.Number
}

func (notificationSpec) parse(body []byte, base string, pids pid.Options) (parsed, error) {
	p := &parsedNotification{}
	c := &checker{base: base, pids: pids}
	if err := decodeStrict(body, &p.rec, c); err != nil {
		return nil, err
	}
	r := &p.rec // checks write the canonical text back into the record
	p.number, _ = c.pid("/pid", r.PID)
	c.oneOf("/category", r.Category, notify.Categories, true)
	c.texts("/title", r.Title, titleText, true)
	c.texts("/body", r.Body, bodyText, true)
	c.link("/link", r.Link)
	if r.CaseExternalID != "" {
		checkExternalID(c, "/caseExternalId", r.CaseExternalID)
		if r.Link != "" {
			c.add("/caseExternalId", "field.link_or_case", nil)
		}
	}
	c.oneOf("/urgency", r.Urgency, urgencies, false)
	c.text("/dedupeKey", &r.DedupeKey, tokenText)
	c.version(r.Version)
	if err := c.err(); err != nil {
		return nil, err
	}
	if p.rec.Urgency == "" {
		p.rec.Urgency = "normal"
	}
	return p, nil
}

func (p *parsedNotification) version() int64 { return p.rec.Version }

func (p *parsedNotification) apply(ctx context.Context, w *writer, prev *record) (applied, error) {
	r := p.rec
	person, err := w.citizen(ctx, p.number, "")
	if err != nil {
		return applied{}, err
	}
	agencyID, ext := w.req.AgencyID, w.externalID
	row := &notify.Notification{ID: store.NewID(), AgencyID: &agencyID, ExternalID: &ext, CreatedAt: w.now}
	if prev != nil {
		row.ID = prev.ObjectID
		if err := w.tx.NewSelect().Model(row).Where("id = ?", prev.ObjectID).Scan(ctx); err != nil {
			return applied{}, fmt.Errorf("ingest: notification: %w", err)
		}
	}
	row.CitizenID, row.Category, row.Urgency, row.Link = person.ID, r.Category, r.Urgency, r.Link
	if r.CaseExternalID != "" {
		if row.Link, err = caseLink(ctx, w, r.CaseExternalID, person.ID); err != nil {
			return applied{}, err
		}
	}
	row.DedupeKey = nil
	if r.DedupeKey != "" {
		key := r.DedupeKey
		row.DedupeKey = &key
	}
	if row.DedupeKey != nil {
		// A second notification of this agency with the same dedupe key for the same person is the
		// same message: an agency retrying under a new external id must not notify twice. The key
		// is the agency's own: another agency's use of it neither collides nor shows.
		n, err := w.tx.NewSelect().Model((*notify.Notification)(nil)).
			Where("agency_id = ? AND citizen_id = ? AND dedupe_key = ? AND id <> ?", agencyID, person.ID, r.DedupeKey, row.ID).Count(ctx)
		if err != nil {
			return applied{}, fmt.Errorf("ingest: notification: %w", err)
		}
		if n > 0 {
			return applied{}, duplicateDedupeKey()
		}
	}
	if prev != nil {
		_, err = w.tx.NewUpdate().Model(row).Column("citizen_id", "category", "urgency", "link", "dedupe_key").WherePK().Exec(ctx)
	} else {
		// A concurrent create with the same dedupe key passes the count above too: the unique
		// index decides, without aborting the transaction.
		var res sql.Result
		if res, err = w.tx.NewInsert().Model(row).On("CONFLICT DO NOTHING").Exec(ctx); err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return applied{}, duplicateDedupeKey()
			}
		}
	}
	if err != nil {
		return applied{}, fmt.Errorf("ingest: notification: %w", err)
	}
	if err := texts.Save(ctx, w.tx, "notification", row.ID, texts.Fields{"title": r.Title, "body": r.Body}); err != nil {
		return applied{}, err
	}
	if err := w.change(ctx, &person.ID, "notification", row.ID, "upsert"); err != nil {
		return applied{}, err
	}
	if prev == nil {
		ev := outbox.NotifyEvent{CitizenID: person.ID, Kind: "notification", ObjectID: row.ID, Reason: "new", Urgent: r.Urgency == "high"}
		if err := w.notify(ctx, ev, outbox.Options{}); err != nil {
			return applied{}, err
		}
	}
	body, err := stripPIDs(r, row.ID, map[string]string{"pid": p.number.String()})
	return applied{objectID: row.ID, citizenID: &person.ID, body: body}, err
}

func deleteNotification(ctx context.Context, w *writer, r *record) error {
	if err := texts.Delete(ctx, w.tx, "notification", r.ObjectID); err != nil {
		return err
	}
	if _, err := w.tx.NewDelete().Model((*notify.Notification)(nil)).Where("id = ?", r.ObjectID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete notification: %w", err)
	}
	return w.change(ctx, r.CitizenID, "notification", r.ObjectID, "delete")
}

// caseLink is the portal path of the agency's case caseExternalID, which must be about citizenID:
// a message cannot point its reader at someone else's case, nor at another agency's.
func caseLink(ctx context.Context, w *writer, caseExternalID, citizenID string) (string, error) {
	rec, err := findRecord(ctx, w.tx, w.req.AgencyID, KindCases, caseExternalID, false)
	if err != nil {
		return "", err
	}
	if rec == nil || rec.Version == 0 || rec.CitizenID == nil || *rec.CitizenID != citizenID { // version 0: only reserved
		return "", apperr.Invalid(apperr.Field("/caseExternalId", "field.unknown_case", nil))
	}
	return "/cases/" + rec.ObjectID, nil
}

func duplicateDedupeKey() error {
	return apperr.Invalid(apperr.Field("/dedupeKey", "field.duplicate", nil))
}
