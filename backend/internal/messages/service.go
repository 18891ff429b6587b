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
	"minside/backend/internal/cases"
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
	db     *bun.DB
	files  files.Store
	links  *Links
	limits uploads.Limits
	now    func() time.Time
}

// New builds the service; limits bound the attachments of one message.
func New(db *bun.DB, store files.Store, links *Links, limits uploads.Limits, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, files: store, links: links, limits: limits, now: now}
}

// Limits are the attachment limits (the web layer sizes its upload body limit from them).
func (s *Service) Limits() uploads.Limits { return s.limits }

// Links signs the attachments' download links.
func (s *Service) Links() *Links { return s.links }

// Received is the data of the message.received webhook: the case by the agency's own id, who wrote
// (the citizen, or a representative: never a name or national id), and a short-lived link per file.
type Received struct {
	MessageID   string             `json:"messageId"`
	CaseID      string             `json:"caseId"`
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

// Post writes a message from the citizen side on caseID, as the view's actor: the citizen, or a
// representative whose scope covers the case's area (represent.View, the one rule). Bad text or
// files give one apperr.Invalid naming every field at fault, and nothing is stored.
func (s *Service) Post(ctx context.Context, v represent.View, caseID, body string, in []uploads.Input, requestID string) (m *Message, err error) {
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		m, err = s.PostTx(ctx, tx, v, caseID, body, in, requestID)
		return err
	})
	return m, err
}

// PostTx is Post in the caller's transaction (the web layer's idempotency record shares it). The
// files are stored before the rows; if the transaction fails after PostTx returned, they stay
// behind unreferenced, which is harmless.
func (s *Service) PostTx(ctx context.Context, tx bun.IDB, v represent.View, caseID, body string, in []uploads.Input, requestID string) (*Message, error) {
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
	if err := errs.Err(); err != nil {
		return nil, err
	}
	c, err := s.ownCase(ctx, tx, v, caseID)
	if err != nil {
		return nil, err
	}
	author := v.SubjectID
	if v.ActingAs() {
		author = v.ActorID
	}
	m := &Message{ID: store.NewID(), SubjectKind: SubjectCase, SubjectID: c.ID, AgencyID: c.AgencyID, CitizenID: c.CitizenID,
		Direction: FromCitizen, AuthorID: &author, Version: 1, Body: text, CreatedAt: now}
	// The bytes go first: a message row never points at a file that is not there. If the
	// transaction fails, the files are removed again.
	var stored []string
	for i, f := range checked {
		a := &Attachment{ID: store.NewID(), MessageID: m.ID, Position: i, Name: f.Name, ContentType: f.Type, Size: int64(len(f.Data))}
		a.StorageKey = "attachments/" + a.ID
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
		ev := Received{MessageID: m.ID, CaseID: c.ExternalID, By: webhook.ActorCitizen, Body: m.Body, SentAt: now, Attachments: []ReceivedDocument{}}
		if v.ActingAs() {
			ev.By = webhook.ActorRepresentative
		}
		for _, a := range m.Attachments {
			l := s.links.Sign(a.ID, now)
			ev.Attachments = append(ev.Attachments, ReceivedDocument{Name: a.Name, ContentType: a.ContentType, Size: a.Size, URL: l.URL, ExpiresAt: l.ExpiresAt})
		}
		if err := webhook.Enqueue(ctx, tx, c.AgencyID, EventReceived, ev, now); err != nil {
			return err
		}
		if err := changes.Record(ctx, tx, &c.CitizenID, "message", m.ID, changes.OpUpsert, now); err != nil {
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

// ownCase loads a case the view may act on; any other is not found.
func (s *Service) ownCase(ctx context.Context, db bun.IDB, v represent.View, caseID string) (*cases.Case, error) {
	if uuid.Validate(caseID) != nil {
		return nil, apperr.NotFound()
	}
	c := new(cases.Case)
	err := db.NewSelect().Model(c).Where("id = ?", caseID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("messages: load case: %w", err)
	}
	if !v.Owns(c.CitizenID, c.Area) {
		return nil, apperr.NotFound()
	}
	return c, nil
}

// Thread is the conversation on a case the view may see, oldest first. Reading it is reading the
// agency's answers: each unseen one gets "seen by you" now (only when the person themselves reads;
// a representative's reading is not the person's).
func (s *Service) Thread(ctx context.Context, v represent.View, caseID, requestID string) ([]*Message, error) {
	c, err := s.ownCase(ctx, s.db, v, caseID)
	if err != nil {
		return nil, err
	}
	now := store.UTC(s.now())
	var out []*Message
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if !v.ActingAs() {
			res, err := tx.NewUpdate().Model((*Message)(nil)).Set("seen_at = ?", now).
				Where("subject_kind = ? AND subject_id = ? AND direction = ? AND seen_at IS NULL", SubjectCase, c.ID, FromAgency).Exec(ctx)
			if err != nil {
				return fmt.Errorf("messages: mark seen: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				// The agency learns it was read through the GET of its answer (seenAt).
				if err := changes.Record(ctx, tx, &c.CitizenID, "case", c.ID, changes.OpUpsert, now); err != nil {
					return err
				}
			}
		}
		err := tx.NewSelect().Model(&out).Relation("Attachments", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Order("position")
		}).Where("subject_kind = ? AND subject_id = ?", SubjectCase, c.ID).Order("created_at", "id").Scan(ctx)
		if err != nil {
			return fmt.Errorf("messages: thread: %w", err)
		}
		if err := nameAuthors(ctx, tx, out); err != nil {
			return err
		}
		if v.ActingAs() {
			actor, subject := v.ActorID, v.SubjectID
			return audit.Record(ctx, tx, audit.Entry{At: now, ActorKind: audit.ActorRepresentative, ActorID: &actor, SubjectID: &subject,
				Action: audit.ActionRead, ObjectKind: "message", ObjectID: c.ID, RequestID: requestID})
		}
		return nil
	})
	return out, err
}

// CitizenAttachment opens an attachment of a message the view may see.
func (s *Service) CitizenAttachment(ctx context.Context, v represent.View, attachmentID string) (*Attachment, func() (io.ReadCloser, error), error) {
	a, m, err := s.attachment(ctx, attachmentID)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.ownCase(ctx, s.db, v, m.SubjectID); err != nil {
		return nil, nil, err
	}
	return a, s.opener(a), nil
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
