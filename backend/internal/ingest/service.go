// Package ingest is the write side of the agency API: it validates what agency systems push
// (cases, bookings, keys, notifications, relations, tiles), and upserts it keyed by (agency,
// external id) with a version, so every request is idempotent and an old one can never overwrite a
// newer one. Each write happens in one transaction with its texts, its changes-feed row, its audit
// row and the outbox event that may tell the citizen.
package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
)

// Kind names a record type as it appears in the API's paths.
type Kind string

const (
	KindCases         Kind = "cases"
	KindBookings      Kind = "bookings"
	KindKeys          Kind = "keys"
	KindNotifications Kind = "notifications"
	KindRelations     Kind = "relations"
	KindTiles         Kind = "tiles"
	KindRules         Kind = "rules"
	KindTasks         Kind = "tasks"
	KindDrafts        Kind = "drafts"
	KindErrands       Kind = "errands"
	// KindReportServices are what can be reported (the reporting service); the external id is
	// the service code.
	KindReportServices Kind = "report-services"
)

// Kinds lists every record type, in the order the documentation shows them.
func Kinds() []Kind {
	return []Kind{KindCases, KindBookings, KindKeys, KindNotifications, KindRelations, KindTiles, KindRules, KindTasks, KindDrafts, KindErrands, KindReportServices}
}

// ParseKind accepts a path segment; ok is false for anything else.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// Outcome says what a write did.
type Outcome int

const (
	Created   Outcome = iota + 1 // a new record
	Updated                      // a newer version replaced the stored one
	Unchanged                    // the same version again: nothing was written
)

// KeyGrace keeps a booking's key working after the booking ends (Helsinki Varaamo: a door code
// stays valid a few hours after, so nobody is locked in or out while tidying up).
const KeyGrace = 2 * time.Hour

// Stored is one agency record as the agency sees it on GET: what it sent, with every national
// identity number replaced by its masked form, plus the portal's id.
type Stored struct {
	Kind       Kind
	ExternalID string
	ObjectID   string
	Version    int64
	Body       json.RawMessage // the JSON object answered on GET
}

// record is the row behind Stored.
type record struct {
	bun.BaseModel `bun:"table:agency_records"`

	AgencyID   string          `bun:"agency_id,pk"`
	Kind       string          `bun:"kind,pk"`
	ExternalID string          `bun:"external_id,pk"`
	ObjectID   string          `bun:"object_id,notnull"`
	CitizenID  *string         `bun:"citizen_id"`
	Version    int64           `bun:"version,notnull"`
	Body       json.RawMessage `bun:"body,type:jsonb,notnull"`
	CreatedAt  time.Time       `bun:"created_at,notnull"`
	UpdatedAt  time.Time       `bun:"updated_at,notnull"`
}

func (r *record) stored() *Stored {
	return &Stored{Kind: Kind(r.Kind), ExternalID: r.ExternalID, ObjectID: r.ObjectID, Version: r.Version, Body: r.Body}
}

// Service validates and stores agency records.
type Service struct {
	db   *bun.DB
	dir  *citizens.Directory
	pids pid.Options
	now  func() time.Time

	batchTimeout time.Duration // bounds each bulk transaction (WithBatchTimeout); zero: none
	rules        *suggest.Env  // the fact model rules compile against (WithRules); nil: no rules kind
}

// NewService builds the service. allowSynthetic accepts test-register identity numbers (dev, test).
func NewService(db *bun.DB, dir *citizens.Directory, allowSynthetic bool, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, dir: dir, pids: pid.Options{AllowSynthetic: allowSynthetic}, now: now}
}

// Request says who writes and why, for the audit log.
type Request struct {
	AgencyID  string
	RequestID string
	// Editor is the citizen id of an agency editor writing through the agency console (empty for
	// the agency API). The audit then names the person, and a write must be exactly one version
	// newer than the stored one (the form was loaded from it), else it is a conflict.
	Editor string
}

// kindSpec is how one kind of record is parsed and applied.
type kindSpec interface {
	// parse decodes and validates body; pointers start with base.
	parse(body []byte, base string, pids pid.Options) (parsed, error)
}

// parsed is a valid record ready to be written.
type parsed interface {
	version() int64
	// apply writes the record over prev (nil when new) and returns what to remember.
	apply(ctx context.Context, w *writer, prev *record) (applied, error)
}

// applied is what a write produced: the portal object and the body to answer GET with.
type applied struct {
	objectID  string
	citizenID *string
	body      any
}

// WithRules enables the rules kind: rules are compiled against env when written.
func (s *Service) WithRules(env *suggest.Env) *Service {
	s.rules = env
	return s
}

// specOf is the kind's spec on this service: the rules kind needs the fact model.
func (s *Service) specOf(k Kind) kindSpec {
	if k == KindRules {
		if s.rules == nil {
			return nil
		}
		return ruleSpec{env: s.rules}
	}
	return specOf(k)
}

// specOf is the spec of every kind that needs nothing but the record (not rules).
func specOf(k Kind) kindSpec {
	switch k {
	case KindCases:
		return caseSpec{}
	case KindBookings:
		return bookingSpec{}
	case KindKeys:
		return keySpec{}
	case KindNotifications:
		return notificationSpec{}
	case KindRelations:
		return relationSpec{}
	case KindTiles:
		return tileSpec{}
	case KindTasks:
		return taskSpec{}
	case KindDrafts:
		return taskSpec{draft: true}
	case KindErrands:
		return errandSpec{}
	case KindReportServices:
		return reportServiceSpec{}
	}
	return nil
}

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

// findRecord reads the agency's record; forUpdate also locks it until the transaction ends
// (PostgreSQL; on SQLite a write transaction holds the whole database already).
func findRecord(ctx context.Context, db bun.IDB, agencyID string, kind Kind, externalID string, forUpdate bool) (*record, error) {
	r := new(record)
	q := db.NewSelect().Model(r).
		Where("agency_id = ? AND kind = ? AND external_id = ?", agencyID, string(kind), externalID)
	if forUpdate && db.Dialect().Name() == dialect.PG {
		q = q.For("UPDATE")
	}
	err := q.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: find %s: %w", kind, err)
	}
	return r, nil
}

// Get returns the agency's own record; another agency's record is not_found, exactly like one that
// does not exist. Reading a citizen's record is audited.
func (s *Service) Get(ctx context.Context, req Request, kind Kind, externalID string) (*Stored, error) {
	if s.specOf(kind) == nil {
		return nil, apperr.NotFound()
	}
	var st *Stored
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r, err := findRecord(ctx, tx, req.AgencyID, kind, externalID, false)
		if err != nil {
			return err
		}
		if r == nil {
			return apperr.NotFound()
		}
		st = r.stored()
		if kind == KindCases {
			if st.Body, err = withAcknowledgements(ctx, tx, r.ObjectID, st.Body); err != nil {
				return err
			}
		}
		if r.CitizenID == nil {
			return nil
		}
		w := &writer{tx: tx, s: s, req: req, kind: kind, externalID: externalID, now: store.UTC(s.now())}
		return w.audit(ctx, audit.ActionRead, r.CitizenID, r.ObjectID)
	})
	return st, err
}

// Delete removes the agency's record and the portal object it became, and tells the changes feed.
func (s *Service) Delete(ctx context.Context, req Request, kind Kind, externalID string) error {
	if s.specOf(kind) == nil {
		return apperr.NotFound()
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// Locked, so a PUT waiting on the record sees it gone and creates it anew, and a PUT that
		// got it first has its objects deleted with it.
		r, err := findRecord(ctx, tx, req.AgencyID, kind, externalID, true)
		if err != nil {
			return err
		}
		if r == nil {
			return apperr.NotFound()
		}
		w := &writer{tx: tx, s: s, req: req, kind: kind, externalID: externalID, now: store.UTC(s.now())}
		if err := w.deleteObject(ctx, r); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model(r).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("ingest: forget %s: %w", kind, err)
		}
		return w.audit(ctx, audit.ActionDelete, r.CitizenID, r.ObjectID)
	})
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
	if w.rows != nil {
		w.rows.outbox = append(w.rows.outbox, m)
		return nil
	}
	_, err = outbox.EnqueueAll(ctx, w.tx, []outbox.Message{m})
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

// objectKind is the singular name used by the changes feed, the audit log and the outbox.
func objectKind(k Kind) string {
	switch k {
	case KindCases:
		return "case"
	case KindBookings:
		return "booking"
	case KindKeys:
		return "key"
	case KindNotifications:
		return "notification"
	case KindRelations:
		return "relation"
	case KindTiles:
		return "tile"
	case KindRules:
		return "rule"
	case KindTasks:
		return "task"
	case KindDrafts:
		return "draft"
	case KindErrands:
		return "errand"
	case KindReportServices:
		return "report_service"
	}
	return string(k)
}

// deleteObject removes the portal object behind r (its children cascade) and its texts.
func (w *writer) deleteObject(ctx context.Context, r *record) error {
	var err error
	switch Kind(r.Kind) {
	case KindCases:
		err = deleteCase(ctx, w, r)
	case KindBookings:
		err = deleteBooking(ctx, w, r)
	case KindKeys:
		err = deleteKey(ctx, w, r)
	case KindNotifications:
		err = deleteNotification(ctx, w, r)
	case KindRelations:
		err = deleteRelation(ctx, w, r)
	case KindTiles:
		err = deleteTile(ctx, w, r)
	case KindRules:
		err = deleteRule(ctx, w, r)
	case KindTasks, KindDrafts:
		err = deleteTask(ctx, w, r)
	case KindErrands:
		err = deleteErrand(ctx, w, r)
	case KindReportServices:
		err = deleteReportService(ctx, w, r)
	}
	return err
}

// stripPIDs turns a record into its GET form: the JSON of v with the named identity numbers
// replaced by their masked forms (pid → pidMasked), and the portal's id. Only the top level is
// taken apart: the members' values are kept as encoded (numbers exactly as they were).
func stripPIDs(v any, id string, masked map[string]string) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for field, mask := range masked {
		delete(m, field)
		if m[field+"Masked"], err = json.Marshal(mask); err != nil {
			return nil, err
		}
	}
	if m["id"], err = json.Marshal(id); err != nil {
		return nil, err
	}
	return m, nil
}
