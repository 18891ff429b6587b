package messages

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/auth"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/files"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/textcheck"
	"minside/backend/internal/uploads"
	"minside/backend/internal/webhook"
)

// EventReceived is the webhook an agency gets for a citizen's message.
const EventReceived = "message.received"

// MaxBody is the longest message text, in characters.
const MaxBody = 5000

// Service writes and reads messages.
type Service struct {
	db     *store.DB
	files  files.Store
	links  *Links
	limits uploads.Limits
	now    func() time.Time
}

// New builds the service; limits bound the attachments of one message.
func New(db *store.DB, store files.Store, links *Links, limits uploads.Limits, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, files: store, links: links, limits: limits, now: now}
}

// Limits are the attachment limits (the web layer sizes its upload body limit from them).
func (s *Service) Limits() uploads.Limits { return s.limits }

// Links signs the attachments' download links.
func (s *Service) Links() *Links { return s.links }

// Received is the data of the message.received webhook: the case by the agency's own id, or the
// errand by its reference, who wrote (the citizen, or a representative: never a name or national
// id), and a short-lived link per file.
type Received struct {
	MessageID   string             `json:"messageId"`
	CaseID      string             `json:"caseId,omitempty"`
	Errand      *ErrandRef         `json:"errand,omitempty"`
	By          string             `json:"by"`
	Body        string             `json:"body"`
	SentAt      time.Time          `json:"sentAt"`
	Attachments []ReceivedDocument `json:"attachments"`
}

// ReceivedDocument is one attachment in the webhook.
type ReceivedDocument struct {
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	URL         string    `json:"url"`
	ExpiresAt   time.Time `json:"expiresAt"`
}

// Post writes a message from the citizen side on the target, as the view's actor: the citizen, or
// a representative whose scope covers the case's or errand's area (represent.View, the one rule).
// Bad text or files, or an agency not on the errand, give one apperr.Invalid naming every field at
// fault, and nothing is stored.
func (s *Service) Post(ctx context.Context, v represent.View, to Target, body string, in []uploads.Input, requestID string) (m *Message, err error) {
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		m, err = s.PostTx(ctx, tx, v, to, body, in, requestID)
		return err
	})
	return m, err
}

// PostTx is Post in the caller's transaction (the web layer's idempotency record shares it). The
// files are stored before the rows; if the transaction fails after PostTx returned, they stay
// behind unreferenced, which is harmless.
func (s *Service) PostTx(ctx context.Context, tx bun.IDB, v represent.View, to Target, body string, in []uploads.Input, requestID string) (*Message, error) {
	now := store.UTC(s.now())
	var errs apperr.Fields
	text, problem := textcheck.Check(body, textcheck.Text.Limit(MaxBody).Need(true))
	if problem != nil {
		errs.Add("/body", problem.Key, problem.Data)
	}
	checked, err := uploads.Check("/attachments", in, s.limits)
	if e, ok := apperr.As(err); ok {
		errs = append(errs, e.Fields...)
	} else if err != nil {
		return nil, err
	}
	subj, err := ownSubject(ctx, tx, v, to.Kind, to.ID)
	if err != nil {
		return nil, err
	}
	agency, err := subj.addressed(to.Agency)
	if e, ok := apperr.As(err); ok {
		errs = append(errs, e.Fields...)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	author := v.SubjectID
	if v.ActingAs() {
		author = v.ActorID
	}
	m := &Message{ID: store.NewID(), SubjectKind: subj.kind, SubjectID: subj.id, AgencyID: agency.ID, CitizenID: subj.citizenID,
		Direction: FromCitizen, AuthorID: &author, Version: 1, Body: text, CreatedAt: now, AgencySlug: agency.Slug, AgencyName: agency.Name}
	// The bytes go first: a message row never points at a file that is not there. If the
	// transaction fails, the files are removed again.
	var stored []string
	for i, f := range checked {
		a := &Attachment{ID: store.NewID(), MessageID: m.ID, Position: i, Name: f.Name, ContentType: f.Type, Size: int64(len(f.Data))}
		a.StorageKey = FileOwner().Prefix + a.ID
		if err := s.files.Put(ctx, a.StorageKey, bytes.NewReader(f.Data), a.Size, f.Type); err != nil {
			s.remove(stored)
			return nil, fmt.Errorf("messages: store attachment: %w", err)
		}
		stored = append(stored, a.StorageKey)
		m.Attachments = append(m.Attachments, a)
	}
	err = func() error {
		if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
			return fmt.Errorf("messages: insert: %w", err)
		}
		if len(m.Attachments) > 0 {
			if _, err := tx.NewInsert().Model(&m.Attachments).Exec(ctx); err != nil {
				return fmt.Errorf("messages: insert attachments: %w", err)
			}
		}
		ev := Received{MessageID: m.ID, CaseID: subj.caseExtID, Errand: subj.errand, By: webhook.ActorCitizen, Body: m.Body, SentAt: now, Attachments: []ReceivedDocument{}}
		if v.ActingAs() {
			ev.By = webhook.ActorRepresentative
		}
		for _, a := range m.Attachments {
			l := s.links.Sign(a.ID, now)
			ev.Attachments = append(ev.Attachments, ReceivedDocument{Name: a.Name, ContentType: a.ContentType, Size: a.Size, URL: l.URL, ExpiresAt: l.ExpiresAt})
		}
		if err := webhook.Enqueue(ctx, tx, agency.ID, EventReceived, ev, now); err != nil {
			return err
		}
		if err := changes.Record(ctx, tx, &subj.citizenID, "message", m.ID, changes.OpUpsert, now); err != nil {
			return err
		}
		if v.ActingAs() {
			actor, subject := v.ActorID, v.SubjectID
			return audit.Record(ctx, tx, audit.Entry{At: now, ActorKind: audit.ActorRepresentative, ActorID: &actor, SubjectID: &subject,
				Action: audit.ActionMessageSend, ObjectKind: "message", ObjectID: m.ID, RequestID: requestID})
		}
		return nil
	}()
	if err != nil {
		s.remove(stored)
		return nil, err
	}
	return m, nil
}

// remove deletes files a failed write left behind; a leftover is harmless (nothing points at it).
func (s *Service) remove(keys []string) {
	for _, k := range keys {
		_ = s.files.Delete(context.WithoutCancel(context.Background()), k)
	}
}

// Thread is the conversation on a case or errand the view may see, oldest first. Reading it is
// reading the agency's answers: each unseen one gets "seen by you" now (only when the person
// themselves reads, and not what was withheld; a representative's reading is not the person's).
// Below the step-up level (cleared false) sensitive messages, and every message of a sensitive
// case, are Withheld: the reader sees who wrote and when, not what.
func (s *Service) Thread(ctx context.Context, v represent.View, kind, id string, cleared bool, requestID string) ([]*Message, error) {
	subj, err := ownSubject(ctx, s.db, v, kind, id)
	if err != nil {
		return nil, err
	}
	now := store.UTC(s.now())
	var out []*Message
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if !v.ActingAs() && !auth.Withholds(subj.sensitive, cleared) {
			q := tx.NewUpdate().Model((*Message)(nil)).Set("seen_at = ?", now).
				Where("subject_kind = ? AND subject_id = ? AND direction = ? AND seen_at IS NULL", subj.kind, subj.id, FromAgency)
			if !cleared {
				q = q.Where("sensitive = ?", false)
			}
			res, err := q.Exec(ctx)
			if err != nil {
				return fmt.Errorf("messages: mark seen: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				// The agency learns it was read through the GET of its answer (seenAt).
				if err := changes.Record(ctx, tx, &subj.citizenID, subj.kind, subj.id, changes.OpUpsert, now); err != nil {
					return err
				}
			}
		}
		err := tx.NewSelect().Model(&out).Relation("Attachments", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Order("position")
		}).Where("subject_kind = ? AND subject_id = ?", subj.kind, subj.id).Order("created_at", "id").Scan(ctx)
		if err != nil {
			return fmt.Errorf("messages: thread: %w", err)
		}
		for _, m := range out {
			if auth.Withholds(m.Sensitive || subj.sensitive, cleared) {
				m.Withheld, m.Body, m.Attachments = true, "", nil
			}
		}
		if err := nameAuthors(ctx, tx, out); err != nil {
			return err
		}
		if err := subj.name(ctx, tx, out); err != nil {
			return err
		}
		if v.ActingAs() {
			actor, subject := v.ActorID, v.SubjectID
			return audit.Record(ctx, tx, audit.Entry{At: now, ActorKind: audit.ActorRepresentative, ActorID: &actor, SubjectID: &subject,
				Action: audit.ActionRead, ObjectKind: "message", ObjectID: subj.id, RequestID: requestID})
		}
		return nil
	})
	return out, err
}

// ErrWithheld is the refusal to open a sensitive attachment below the step-up level; the web
// layer adds the step-up login to the problem answer.
func ErrWithheld() *apperr.Error {
	return apperr.Forbidden().WithDetail("error.detail.step_up_required", nil)
}

// CitizenAttachment opens an attachment of a message the view may see; a withheld one (the
// message or its case sensitive, and not cleared) is refused with ErrWithheld.
func (s *Service) CitizenAttachment(ctx context.Context, v represent.View, attachmentID string, cleared bool) (*Attachment, *Message, func() (io.ReadCloser, error), error) {
	a, m, err := s.attachment(ctx, attachmentID)
	if err != nil {
		return nil, nil, nil, err
	}
	subj, err := ownSubject(ctx, s.db, v, m.SubjectKind, m.SubjectID)
	if err != nil {
		return nil, nil, nil, err
	}
	if auth.Withholds(m.Sensitive || subj.sensitive, cleared) {
		return nil, m, nil, ErrWithheld()
	}
	return a, m, s.opener(a), nil
}

func (s *Service) opener(a *Attachment) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		return s.files.Open(context.Background(), a.StorageKey)
	}
}

func (s *Service) attachment(ctx context.Context, id string) (*Attachment, *Message, error) {
	if uuid.Validate(id) != nil {
		return nil, nil, apperr.NotFound()
	}
	a := new(Attachment)
	if err := s.db.NewSelect().Model(a).Where("id = ?", id).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.NotFound()
	} else if err != nil {
		return nil, nil, fmt.Errorf("messages: load attachment: %w", err)
	}
	m := new(Message)
	if err := s.db.NewSelect().Model(m).Where("id = ?", a.MessageID).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("messages: load message: %w", err)
	}
	return a, m, nil
}

// SignedAttachment opens an attachment for whoever holds a valid signed link (the agency's
// webhook receiver). It is the agency reading the citizen's file, so it is audited.
func (s *Service) SignedAttachment(ctx context.Context, attachmentID, expires, sig, requestID string) (*Attachment, func() (io.ReadCloser, error), error) {
	now := store.UTC(s.now())
	if !s.links.Check(attachmentID, expires, sig, now) {
		return nil, nil, apperr.Forbidden()
	}
	a, m, err := s.attachment(ctx, attachmentID)
	if err != nil {
		return nil, nil, err
	}
	agencyID, citizenID := m.AgencyID, m.CitizenID
	err = audit.Record(ctx, s.db, audit.Entry{At: now, ActorKind: audit.ActorAgency, ActorID: &agencyID, SubjectID: &citizenID,
		Action: audit.ActionRead, ObjectKind: "message", ObjectID: m.ID, RequestID: requestID,
		Detail: map[string]any{"attachmentId": a.ID}})
	if err != nil {
		return nil, nil, err
	}
	return a, s.opener(a), nil
}

// nameAuthors fills the names of representatives who wrote for the person.
func nameAuthors(ctx context.Context, db bun.IDB, ms []*Message) error {
	var ids []string
	for _, m := range ms {
		if m.OnBehalf() {
			ids = append(ids, *m.AuthorID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var people []citizens.Citizen
	if err := db.NewSelect().Model(&people).Column("id", "name").Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return fmt.Errorf("messages: authors: %w", err)
	}
	names := map[string]string{}
	for _, p := range people {
		names[p.ID] = p.Name
	}
	for _, m := range ms {
		if m.OnBehalf() {
			m.AuthorName = names[*m.AuthorID]
		}
	}
	return nil
}

// FileOwner says where an attachment's bytes are kept (attachments/<attachment id>) and which row
// names them, for the sweep of orphaned files.
func FileOwner() files.Owner {
	return files.Owner{Prefix: "attachments/", Table: "message_attachments", IDColumn: "id", KeyColumn: "storage_key"}
}
