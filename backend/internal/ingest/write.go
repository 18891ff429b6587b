package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
)

// Put validates body and upserts it as (agency, kind, externalID). A rejected request changes
// nothing: validation happens before the transaction, and the transaction is all or nothing.
func (s *Service) Put(ctx context.Context, req Request, kind Kind, externalID string, body []byte) (*Stored, Outcome, error) {
	p, err := s.Parse(kind, externalID, body, "")
	if err != nil {
		return nil, 0, err
	}
	var st *Stored
	var out Outcome
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		st, out, err = s.write(ctx, tx, req, kind, externalID, p, people{})
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return st, out, nil
}

// Parse decodes and validates one record without touching the database.
func (s *Service) Parse(kind Kind, externalID string, body []byte, base string) (parsed, error) {
	spec := s.specOf(kind)
	if spec == nil {
		return nil, apperr.NotFound()
	}
	c := &checker{}
	checkExternalID(c, "/externalId", externalID)
	p, err := spec.parse(body, base, s.pids)
	if len(c.fields) == 0 {
		return p, err
	}
	// A bad external id is listed with the body's problems, not instead of them.
	if ae, ok := apperr.As(err); ok && ae.Code == apperr.CodeInvalid {
		return nil, apperr.Invalid(append(c.fields, ae.Fields...)...)
	}
	if err != nil {
		return nil, err
	}
	return nil, c.err()
}

// write applies a parsed record inside tx. It first takes the record (lockRecord), so writes of one
// record run one after the other, each deciding on the version the one before it stored; then
// the version check, so a conflict or a repeat changes nothing.
func (s *Service) write(ctx context.Context, tx bun.Tx, req Request, kind Kind, externalID string, p parsed, known people) (*Stored, Outcome, error) {
	now := store.UTC(s.now())
	prev, err := lockRecord(ctx, tx, req.AgencyID, kind, externalID, now)
	if err != nil {
		return nil, 0, err
	}
	out, err := decide(req, prev, p)
	switch {
	case err != nil:
		return nil, 0, err
	case out == Unchanged:
		return prev.stored(), Unchanged, nil
	case out == Created:
		prev = nil
	}
	w := &writer{tx: tx, s: s, req: req, kind: kind, externalID: externalID, now: now, known: known}
	st, err := s.apply(ctx, w, prev, p)
	if err != nil {
		return nil, 0, err
	}
	return st, out, nil
}

// decide compares p with the locked record prev (a claim, version claimVersion, when new): it is
// to be written (Created, Updated), or is a repeat (Unchanged: nothing to write), or a conflict.
func decide(req Request, prev *record, p parsed) (Outcome, error) {
	switch {
	case prev.Version == claimVersion:
		return Created, nil
	case req.Editor != "" && p.version() != prev.Version+1:
		return 0, versionConflict(prev.Version)
	case p.version() < prev.Version:
		return 0, versionConflict(prev.Version)
	case p.version() == prev.Version:
		return Unchanged, nil
	}
	return Updated, nil
}

// apply writes p over prev (nil when new) with w: the portal objects, the record and its audit.
func (s *Service) apply(ctx context.Context, w *writer, prev *record, p parsed) (*Stored, error) {
	res, err := p.apply(ctx, w, prev)
	if err != nil {
		return nil, err
	}
	if prev != nil && prev.CitizenID != nil && res.citizenID != nil && *prev.CitizenID != *res.citizenID && w.kind != KindRelations {
		// The record moved to another person: the first one's offline copy must drop it.
		if err := w.change(ctx, prev.CitizenID, objectKind(w.kind), res.objectID, "delete"); err != nil {
			return nil, err
		}
	}
	body, err := json.Marshal(res.body)
	if err != nil {
		return nil, fmt.Errorf("ingest: encode %s: %w", w.kind, err)
	}
	rec := &record{AgencyID: w.req.AgencyID, Kind: string(w.kind), ExternalID: w.externalID, ObjectID: res.objectID,
		CitizenID: res.citizenID, Version: p.version(), Body: body, CreatedAt: w.now, UpdatedAt: w.now}
	if prev != nil {
		rec.CreatedAt = prev.CreatedAt
	}
	if err := w.remember(ctx, rec); err != nil {
		return nil, err
	}
	if err := w.audit(ctx, audit.ActionWrite, res.citizenID, res.objectID); err != nil {
		return nil, err
	}
	return rec.stored(), nil
}

// versionConflict answers a write that is not newer than the stored version (or, from the console,
// not based on it); currentVersion lets the client reload.
func versionConflict(current int64) error {
	return apperr.Conflict("error.detail.version_conflict").
		WithDetail("error.detail.version_conflict", map[string]any{"Current": current}).
		WithExtra("currentVersion", current)
}

// writer carries one write's transaction and context to the kind that applies it.
type writer struct {
	tx         bun.Tx
	s          *Service
	req        Request
	kind       Kind
	externalID string
	now        time.Time
	known      people     // citizens already ensured in this transaction
	rows       *batchRows // where a bulk batch collects its rows; nil: written at once
}

// people caches citizens by pseudonym within one transaction, so a bulk batch ensures each
// person once. It must be emptied when a savepoint is rolled back.
type people map[string]*citizens.Citizen

// citizen finds or creates the person a record is about; only the pseudonym is stored.
func (w *writer) citizen(ctx context.Context, n pid.Number, name string) (*citizens.Citizen, error) {
	key := w.s.dir.Pseudonym(n)
	if c, ok := w.known[key]; ok && (name == "" || c.Name == name) {
		return c, nil
	}
	c, err := w.s.dir.Ensure(ctx, w.tx, n, name, w.now)
	if err != nil {
		return nil, err
	}
	if w.known != nil {
		w.known[key] = c
	}
	return c, nil
}

func (w *writer) change(ctx context.Context, citizenID *string, kind, objectID, op string) error {
	c := changes.New(citizenID, kind, objectID, op, w.now)
	if w.rows != nil {
		w.rows.changes = append(w.rows.changes, c)
		return nil
	}
	return changes.RecordAll(ctx, w.tx, []changes.Change{c})
}

func (w *writer) notify(ctx context.Context, ev outbox.NotifyEvent, opts outbox.Options) error {
	m, err := outbox.NewMessage(outbox.TopicNotify, ev, w.now, opts)
	if err != nil {
		return err
	}
	return w.enqueue(ctx, m)
}

// enqueue writes m to the outbox in this write's transaction, or into the bulk batch's rows.
func (w *writer) enqueue(ctx context.Context, m outbox.Message) error {
	if w.rows != nil {
		w.rows.outbox = append(w.rows.outbox, m)
		return nil
	}
	_, err := outbox.EnqueueAll(ctx, w.tx, []outbox.Message{m})
	return err
}

func (w *writer) audit(ctx context.Context, action string, citizenID *string, objectID string) error {
	agencyID := w.req.AgencyID
	e := audit.Entry{
		At: w.now, ActorKind: audit.ActorAgency, ActorID: &agencyID, SubjectID: citizenID,
		Action: action, ObjectKind: objectKind(w.kind), ObjectID: objectID,
		Detail: map[string]any{"externalId": w.externalID}, RequestID: w.req.RequestID,
	}
	if editor := w.req.Editor; editor != "" {
		e.ActorKind, e.ActorID, e.Action = audit.ActorCitizen, &editor, audit.ConsoleAction(objectKind(w.kind), action)
		e.Detail = map[string]any{"externalId": w.externalID, "agencyId": agencyID, "role": "agency_editor"}
	}
	if w.rows != nil {
		w.rows.audit = append(w.rows.audit, e)
		return nil
	}
	return audit.Record(ctx, w.tx, e)
}

// remember stores what the agency record now is. The row exists (stored before, or claimed) and
// is this transaction's until it ends.
func (w *writer) remember(ctx context.Context, rec *record) error {
	if w.rows != nil {
		w.rows.remember(rec)
		return nil
	}
	if _, err := w.tx.NewUpdate().Model(rec).Column("object_id", "citizen_id", "version", "body", "created_at", "updated_at").
		WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("ingest: remember %s: %w", w.kind, err)
	}
	return nil
}
