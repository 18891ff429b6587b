package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// A bulk batch is first applied without savepoints, its rows collected and written with one
// multi-row statement per table (on PostgreSQL every statement is a network round trip; on SQLite
// one statement of many rows costs far less than many statements). Only when a line fails in a
// way that may have left writes behind (the database refused something, or a kind refused the
// record after writing) is the batch rolled back and applied again line by line, each line in its
// savepoint, so that line is undone alone. Lines answered without writing (a version conflict, a
// repeat) need no savepoint in either pass.

// errRedoLineByLine says the collected pass hit a line it cannot undo alone.
var errRedoLineByLine = errors.New("ingest: bulk: a line failed; applying line by line")

// maxPendingRows bounds the rows collected before they are written: a batch of large records
// (many events, many languages) then makes several statements instead of one huge one.
const maxPendingRows = 4000

// deferrable is a parsed record whose write over prev issues no statement of its own (everything
// goes to the batch's rows), so the rows collected before it need not be written first. A record
// that reads or updates rows must see every earlier line's rows: the batch writes them first.
type deferrable interface {
	deferrable(prev *record) bool
}

// personal is a parsed record that names people, ensured for the whole batch at once.
type personal interface {
	people() []pid.Number
}

// batchRows are the rows a batch's lines have written and not yet sent, and every record of the
// batch as this transaction has it (claimed and locked by claimRecords).
type batchRows struct {
	copyTo  *copyTarget // PostgreSQL: the new rows go by COPY; nil: by multi-row INSERT
	records map[recordKey]*record
	dirty   []recordKey // records a line wrote, in the order first written

	cases     []cases.Case
	events    []cases.Event
	documents []cases.Document
	texts     []texts.Text
	changes   []changes.Change
	audit     []audit.Entry
	outbox    []outbox.Message
}

func (b *batchRows) pending() int {
	return len(b.cases) + len(b.events) + len(b.documents) + len(b.texts) + len(b.changes) + len(b.audit) + len(b.outbox) + len(b.dirty)
}

// remember replaces a record of the batch; it is written with the batch.
func (b *batchRows) remember(r *record) {
	key := recordKey{Kind(r.Kind), r.ExternalID}
	if !slices.Contains(b.dirty, key) {
		b.dirty = append(b.dirty, key)
	}
	b.records[key] = r
}

// flush writes the collected rows, parents before children, one statement per table.
func (b *batchRows) flush(ctx context.Context, tx bun.Tx) error {
	if err := insertRows(ctx, tx, b.copyTo, "case", &b.cases); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, b.copyTo, "case event", &b.events); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, b.copyTo, "case document", &b.documents); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, b.copyTo, "text", &b.texts); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, b.copyTo, "change", &b.changes); err != nil {
		return err
	}
	if err := audit.Prepare(b.audit); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, b.copyTo, "audit entry", &b.audit); err != nil {
		return err
	}
	// The outbox skips a message already queued (ON CONFLICT), which COPY cannot.
	if _, err := outbox.EnqueueAll(ctx, tx, b.outbox); err != nil {
		return err
	}
	b.outbox = b.outbox[:0]
	if len(b.dirty) == 0 {
		return nil
	}
	recs := make([]record, len(b.dirty))
	for i, k := range b.dirty {
		recs[i] = *b.records[k]
	}
	// Every row exists (claimed or stored before) and is locked by this transaction: the insert
	// always takes the update branch, for all records in one statement.
	if _, err := tx.NewInsert().Model(&recs).On("CONFLICT (agency_id, kind, external_id) DO UPDATE").
		Set("object_id = EXCLUDED.object_id, citizen_id = EXCLUDED.citizen_id, version = EXCLUDED.version").
		Set("body = EXCLUDED.body, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at").
		Returning("NULL").Exec(ctx); err != nil {
		return fmt.Errorf("ingest: remember %d records: %w", len(recs), err)
	}
	b.dirty = b.dirty[:0]
	return nil
}

// caseRows are the rows of a new case.
type caseRows struct {
	row       *cases.Case
	events    []cases.Event
	texts     []texts.Text
	documents []cases.Document
}

// insertCase writes a new case's rows: with the batch's, or at once (parents first).
func (w *writer) insertCase(ctx context.Context, c caseRows) error {
	if b := w.rows; b != nil {
		b.cases = append(b.cases, *c.row)
		b.events = append(b.events, c.events...)
		b.texts = append(b.texts, c.texts...)
		b.documents = append(b.documents, c.documents...)
		return nil
	}
	one := []cases.Case{*c.row}
	if err := insertRows(ctx, w.tx, nil, "case", &one); err != nil {
		return err
	}
	if err := insertRows(ctx, w.tx, nil, "case event", &c.events); err != nil {
		return err
	}
	if err := insertRows(ctx, w.tx, nil, "text", &c.texts); err != nil {
		return err
	}
	return insertRows(ctx, w.tx, nil, "case document", &c.documents)
}

// copyTarget is the PostgreSQL connection a batch's transaction runs on, for COPY: the server
// reads binary values instead of parsing and planning a statement of literals, and the portal
// formats no SQL. It suits rows that are only appended (no ON CONFLICT, nothing returned).
type copyTarget struct {
	db   *store.DB
	conn bun.Conn
}

// insertRows appends rows in tx: with COPY on copyTo, else with one multi-row INSERT.
func insertRows[T any](ctx context.Context, tx bun.Tx, copyTo *copyTarget, what string, rows *[]T) error {
	if len(*rows) == 0 {
		return nil
	}
	var err error
	if copyTo != nil {
		err = store.OnPgx(copyTo.conn, func(c *pgx.Conn) error { return store.CopyModels(ctx, copyTo.db, c, *rows) })
	} else {
		_, err = tx.NewInsert().Model(rows).Returning("NULL").Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("ingest: %d %ss: %w", len(*rows), what, err)
	}
	*rows = (*rows)[:0]
	return nil
}

// applyCollected applies the valid lines of a batch in tx with their rows collected
// (see above). It returns errRedoLineByLine when a line failed after it may have written.
func (s *Service) applyCollected(ctx context.Context, tx bun.Tx, copyTo *copyTarget, req Request, batch []pending) error {
	now := store.UTC(s.now())
	records, err := claimRecords(ctx, tx, req.AgencyID, batchKeys(batch), now)
	if err != nil {
		return redoUnlessTransient(ctx, err)
	}
	rows := &batchRows{copyTo: copyTo, records: records}
	known, err := s.ensurePeople(ctx, tx, req, batch, records, now)
	if err != nil {
		return redoUnlessTransient(ctx, err)
	}
	for i := range batch {
		p := &batch[i]
		if p.parsed == nil {
			continue
		}
		p.result.Err, p.result.Stored, p.result.Outcome = nil, nil, 0
		prev := rows.records[recordKey{p.result.Kind, p.result.ExternalID}]
		out, err := decide(req, prev, p.parsed)
		switch {
		case err != nil:
			p.result.Err = prefixPointers(err, "/record")
			continue
		case out == Unchanged:
			p.result.Stored, p.result.Outcome = prev.stored(), Unchanged
			continue
		case out == Created:
			prev = nil
		}
		if d, ok := p.parsed.(deferrable); !ok || !d.deferrable(prev) || rows.pending() >= maxPendingRows {
			if err := rows.flush(ctx, tx); err != nil {
				return redoUnlessTransient(ctx, err)
			}
		}
		w := &writer{tx: tx, s: s, req: req, kind: p.result.Kind, externalID: p.result.ExternalID, now: now, known: known, rows: rows}
		st, err := s.apply(ctx, w, prev, p.parsed)
		if err != nil {
			return redoUnlessTransient(ctx, err)
		}
		p.result.Stored, p.result.Outcome = st, out
	}
	if err := rows.flush(ctx, tx); err != nil {
		return redoUnlessTransient(ctx, err)
	}
	return dropClaims(ctx, tx, req.AgencyID, claims(records))
}

// redoUnlessTransient passes on what is not the lines' fault (the database is unavailable, a
// deadlock that inTx runs again, the deadline) and turns anything else into errRedoLineByLine.
func redoUnlessTransient(ctx context.Context, err error) error {
	if _, ok := apperr.As(err); !ok && (store.Unavailable(err) || store.Contended(err) || ctx.Err() != nil) {
		return err
	}
	return errRedoLineByLine
}

// ensurePeople finds or creates, in two statements, the people named by the lines that will be
// written (a new record, or a newer version), so their lines need no round trip for them.
func (s *Service) ensurePeople(ctx context.Context, tx bun.Tx, req Request, batch []pending, records map[recordKey]*record, now time.Time) (people, error) {
	var numbers []pid.Number
	for _, p := range batch {
		named, ok := p.parsed.(personal)
		if !ok {
			continue
		}
		if out, err := decide(req, records[recordKey{p.result.Kind, p.result.ExternalID}], p.parsed); err != nil || out == Unchanged {
			continue
		}
		numbers = append(numbers, named.people()...)
	}
	found, err := s.dir.EnsureAll(ctx, tx, numbers, now)
	if err != nil {
		return nil, err
	}
	return people(found), nil
}
