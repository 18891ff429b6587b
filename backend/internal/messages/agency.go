package messages

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/textcheck"
)

// Answer is the agency's message on one of its cases, or on an errand it leads or joined, keyed
// by the agency's own id. Sensitive withholds its text below the citizen's step-up level.
type Answer struct {
	CaseID    string     // the case's external id at this agency; or
	Errand    *ErrandRef // the errand, named as when attaching cases
	Body      string
	Sensitive bool
	Version   int64
}

// PutAnswer stores the agency's answer idempotently: the same version again changes nothing, a
// newer one replaces the text (and sensitivity), an older one is a conflict. A new answer tells the citizen by push
// (category "messages", through the outbox). created reports whether it was new.
func (s *Service) PutAnswer(ctx context.Context, agencyID, externalID string, in Answer, requestID string) (m *Message, created bool, err error) {
	now := store.UTC(s.now())
	var errs apperr.Fields
	if _, p := textcheck.Check(externalID, textcheck.Line.Limit(200).Need(true)); p != nil {
		errs.Add("/externalId", p.Key, p.Data)
	}
	text, p := textcheck.Check(in.Body, textcheck.Text.Limit(MaxBody).Need(true))
	if p != nil {
		errs.Add("/body", p.Key, p.Data)
	}
	switch {
	case in.CaseID == "" && in.Errand == nil:
		errs.Add("/caseId", "field.required", nil)
	case in.CaseID != "" && in.Errand != nil:
		errs.Add("/errand", "field.invalid", nil) // one thread: a case or an errand
	case in.Errand != nil && (in.Errand.Agency == "" || in.Errand.ExternalID == ""):
		errs.Add("/errand", "field.required", nil)
	}
	if in.Version < 1 {
		errs.Add("/version", "field.invalid", nil)
	}
	if err := errs.Err(); err != nil {
		return nil, false, err
	}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		subj, err := agencySubject(ctx, tx, agencyID, in)
		if err != nil {
			return err
		}
		prev := new(Message)
		err = tx.NewSelect().Model(prev).Where("agency_id = ? AND external_id = ?", agencyID, externalID).Scan(ctx)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			ext := externalID
			m = &Message{ID: store.NewID(), SubjectKind: subj.kind, SubjectID: subj.id, AgencyID: agencyID, CitizenID: subj.citizenID,
				Direction: FromAgency, ExternalID: &ext, Version: in.Version, Body: text, Sensitive: in.Sensitive, CreatedAt: now}
			if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
				return fmt.Errorf("messages: insert answer: %w", err)
			}
			created = true
			if _, err := outbox.Enqueue(ctx, tx, outbox.TopicNotify,
				outbox.NotifyEvent{CitizenID: subj.citizenID, Kind: "message", ObjectID: m.ID, Reason: "new"}, now, outbox.Options{}); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("messages: load answer: %w", err)
		case prev.SubjectID != subj.id:
			return apperr.Invalid(apperr.Field(subjectPointer(in), "field.invalid", nil)) // an answer does not move between threads
		case in.Version == prev.Version:
			m = prev
			return nil
		case in.Version < prev.Version:
			return apperr.Conflict("error.detail.version_conflict").
				WithDetail("error.detail.version_conflict", map[string]any{"Current": prev.Version}).
				WithExtra("currentVersion", prev.Version)
		default:
			prev.Body, prev.Version, prev.Sensitive = text, in.Version, in.Sensitive
			if _, err := tx.NewUpdate().Model(prev).Column("body", "version", "sensitive").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("messages: update answer: %w", err)
			}
			m = prev
		}
		m.CaseRef, m.Errand = subj.caseExtID, subj.errand
		if err := changes.Record(ctx, tx, &subj.citizenID, "message", m.ID, changes.OpUpsert, now); err != nil {
			return err
		}
		aid, cid := agencyID, subj.citizenID
		return audit.Record(ctx, tx, audit.Entry{At: now, ActorKind: audit.ActorAgency, ActorID: &aid, SubjectID: &cid,
			Action: audit.ActionWrite, ObjectKind: "message", ObjectID: m.ID, RequestID: requestID})
	})
	if err != nil {
		return nil, false, err
	}
	return m, created, nil
}

// AgencyRead gives the agency one message on its cases (a citizen's, by the portal's id from the
// webhook, or its own answer by its external id) with fresh download links. Reading a citizen's
// message is reading their data: audited, and the first read is the "seen by the agency" receipt.
func (s *Service) AgencyRead(ctx context.Context, agencyID, id, requestID string) (*Message, error) {
	now := store.UTC(s.now())
	m := new(Message)
	q := s.db.NewSelect().Model(m).Relation("Attachments", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("position") }).
		Where("message.agency_id = ?", agencyID)
	if isUUID(id) {
		q = q.Where("(message.id = ? OR message.external_id = ?)", id, id)
	} else {
		q = q.Where("message.external_id = ?", id)
	}
	if err := q.Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound()
	} else if err != nil {
		return nil, fmt.Errorf("messages: agency read: %w", err)
	}
	subj, err := loadSubject(ctx, s.db, m.SubjectKind, m.SubjectID)
	if err != nil {
		return nil, err
	}
	m.CaseRef, m.Errand = subj.caseExtID, subj.errand
	if m.Direction != FromCitizen {
		return m, nil
	}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if m.SeenAt == nil {
			res, err := tx.NewUpdate().Model((*Message)(nil)).Set("seen_at = ?", now).Where("id = ? AND seen_at IS NULL", m.ID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("messages: seen by agency: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				m.SeenAt = &now
				if err := changes.Record(ctx, tx, &m.CitizenID, "message", m.ID, changes.OpUpsert, now); err != nil {
					return err
				}
			}
		}
		aid, cid := agencyID, m.CitizenID
		return audit.Record(ctx, tx, audit.Entry{At: now, ActorKind: audit.ActorAgency, ActorID: &aid, SubjectID: &cid,
			Action: audit.ActionRead, ObjectKind: "message", ObjectID: m.ID, RequestID: requestID})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// subjectPointer is the field that names an answer's thread.
func subjectPointer(in Answer) string {
	if in.Errand != nil {
		return "/errand"
	}
	return "/caseId"
}

func isUUID(s string) bool { return len(s) == 36 && s[8] == '-' && s[13] == '-' }
