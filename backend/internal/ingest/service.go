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
	"minside/backend/internal/citizens"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
)

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

// Service validates and stores agency records.
type Service struct {
	db   *store.DB
	dir  *citizens.Directory
	pids pid.Options
	now  func() time.Time

	batchTimeout time.Duration // bounds each bulk transaction (WithBatchTimeout); zero: none
	rules        *suggest.Env  // the fact model rules compile against (WithRules); nil: no rules kind
}

// NewService builds the service. allowSynthetic accepts test-register identity numbers (dev, test).
func NewService(db *store.DB, dir *citizens.Directory, allowSynthetic bool, now func() time.Time) *Service {
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

// WithRules enables the rules kind: rules are compiled against env when written.
func (s *Service) WithRules(env *suggest.Env) *Service {
	s.rules = env
	return s
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
