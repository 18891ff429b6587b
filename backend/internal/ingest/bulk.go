package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
)

// Bulk tuning: lines are applied in transactions of batchSize records (one commit per batch is
// what makes onboarding fast, above all on SQLite), each line inside its own savepoint so a bad
// line never undoes its neighbours.
const (
	batchSize   = 200
	maxLineSize = 256 << 10 // one line may be as large as one PUT body
)

// LineResult is the outcome of one NDJSON line: Err is nil, an *apperr.Error (invalid, conflict,
// not_found, bad_request, too_large), or the database's error for this line alone (a 500 for this
// line; the line was undone and its neighbours were not touched).
type LineResult struct {
	Line       int
	Kind       Kind
	ExternalID string
	Outcome    Outcome
	Stored     *Stored
	Err        error
}

// bulkLine is one line of the bulk format.
type bulkLine struct {
	Kind       string          `json:"kind"`
	ExternalID string          `json:"externalId"`
	Record     json.RawMessage `json:"record"`
}

type pending struct {
	result LineResult
	parsed parsed
}

// WithBatchTimeout returns a copy of the service whose bulk transactions each give up after d: a
// bulk request runs as long as its body takes to read, so no single deadline fits it, but a batch
// of writes that takes longer than d means the database hangs.
func (s *Service) WithBatchTimeout(d time.Duration) *Service {
	c := *s
	c.batchTimeout = d
	return &c
}

// Bulk reads NDJSON records from r ({"kind", "externalId", "record"} per line, blank lines
// skipped) as they arrive and applies them in batches, reporting every line in order through emit.
// Pointers in a line's errors start at the line ("/record/title/nb"). A line the database refuses
// is undone alone and reported with its error. An error return means the database (or r) failed
// as a whole: batches already reported are committed, and every line is safe to send again.
func (s *Service) Bulk(ctx context.Context, req Request, r io.Reader, emit func(LineResult) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var batch []pending
	flush := func() error {
		if err := s.applyBatch(ctx, req, batch); err != nil {
			return err
		}
		for _, p := range batch {
			if err := emit(p.result); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	for n := 1; ; n++ {
		line, tooLong, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("ingest: bulk: read: %w", err)
		}
		if tooLong {
			batch = append(batch, pending{result: LineResult{Line: n, Err: apperr.New(apperr.CodeTooLarge)}})
		} else if len(bytes.TrimSpace(line)) > 0 {
			batch = append(batch, s.parseLine(n, line))
		}
		if len(batch) >= batchSize || (errors.Is(err, io.EOF) && len(batch) > 0) {
			if ferr := flush(); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// readLine returns the next line without its newline; tooLong when it exceeded maxLineSize (the
// rest of it is skipped). err is io.EOF on the last line.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, rerr := br.ReadLine()
		if !tooLong {
			if len(line)+len(chunk) > maxLineSize {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if rerr != nil {
			return line, tooLong, rerr
		}
		if !isPrefix {
			return line, tooLong, nil
		}
	}
}

func (s *Service) parseLine(n int, raw []byte) pending {
	res := LineResult{Line: n}
	members, err := decodeMembers(raw)
	if err != nil {
		res.Err = err
		return pending{result: res}
	}
	var fields apperr.Fields
	for _, name := range slices.Sorted(maps.Keys(members)) {
		if name != "kind" && name != "externalId" && name != "record" {
			fields.Add("/"+escapePointer(name), "field.unknown", nil)
		}
	}
	l, err := lineOf(raw, members, len(fields) > 0)
	if err != nil {
		fields.Add("", "field.invalid", nil)
	}
	res.ExternalID = l.ExternalID
	kind, ok := ParseKind(l.Kind)
	switch {
	case l.Kind == "":
		fields.Add("/kind", "field.required", nil)
	case !ok:
		fields.Add("/kind", "field.invalid_enum", map[string]any{"Allowed": kindList()})
	}
	res.Kind = kind
	if len(l.Record) == 0 || string(l.Record) == "null" {
		fields.Add("/record", "field.required", nil)
	}
	if err := fields.Err(); err != nil {
		res.Err = err
		return pending{result: res}
	}
	p, err := s.Parse(kind, l.ExternalID, l.Record, "")
	if err != nil {
		res.Err = prefixPointers(err, "/record")
		return pending{result: res}
	}
	return pending{result: res, parsed: p}
}

// lineOf reads a line from its members, without decoding the line (and its record) once more.
// A line with members of other names is decoded whole, as encoding/json matches them to the
// line's fields (case-insensitively), so its answer names the same errors.
func lineOf(raw []byte, members map[string]json.RawMessage, others bool) (bulkLine, error) {
	var l bulkLine
	if others {
		return l, json.Unmarshal(raw, &l)
	}
	var errs []error // like encoding/json, a member of the wrong type leaves the others read
	for name, dst := range map[string]*string{"kind": &l.Kind, "externalId": &l.ExternalID} {
		if v, ok := members[name]; ok {
			errs = append(errs, json.Unmarshal(v, dst))
		}
	}
	l.Record = members["record"]
	return l, errors.Join(errs...)
}

// applyBatch writes the valid lines of a batch in one transaction: first with their rows
// collected (applyCollected); when a line failed there, again line by line, each in a savepoint.
func (s *Service) applyBatch(ctx context.Context, req Request, batch []pending) error {
	valid := 0
	for _, p := range batch {
		if p.parsed != nil {
			valid++
		}
	}
	if valid == 0 {
		return nil
	}
	if s.batchTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.batchTimeout)
		defer cancel()
	}
	// inTx may run either pass again after a deadlock: every line's result is decided afresh.
	err := s.inCollectedTx(ctx, req, batch)
	if !errors.Is(err, errRedoLineByLine) {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error { return s.applyLineByLine(ctx, tx, req, batch) })
}

// inCollectedTx runs applyCollected in a transaction; on PostgreSQL on a connection held for it,
// so the batch's new rows can go by COPY on that connection, inside the transaction.
func (s *Service) inCollectedTx(ctx context.Context, req Request, batch []pending) error {
	if s.db.Dialect().Name() != dialect.PG {
		return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error { return s.applyCollected(ctx, tx, nil, req, batch) })
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("ingest: bulk: connection: %w", err)
	}
	defer conn.Close()
	copyTo := &copyTarget{db: s.db, conn: conn}
	return inTxOn(ctx, conn, func(ctx context.Context, tx bun.Tx) error { return s.applyCollected(ctx, tx, copyTo, req, batch) })
}

// applyLineByLine writes the valid lines of a batch in tx, each in a savepoint, so a line the
// database refuses is undone alone.
func (s *Service) applyLineByLine(ctx context.Context, tx bun.Tx, req Request, batch []pending) error {
	known := people{}
	records, err := claimRecords(ctx, tx, req.AgencyID, batchKeys(batch), store.UTC(s.now()))
	if err != nil {
		return err
	}
	for i := range batch {
		p := &batch[i]
		if p.parsed == nil {
			continue
		}
		p.result.Err, p.result.Stored, p.result.Outcome = nil, nil, 0
		if _, err := tx.ExecContext(ctx, "SAVEPOINT bulk_line"); err != nil {
			return fmt.Errorf("ingest: bulk: savepoint: %w", err)
		}
		st, out, err := s.write(ctx, tx, req, p.result.Kind, p.result.ExternalID, p.parsed, known)
		if err != nil {
			if _, ok := apperr.As(err); !ok && (store.Unavailable(err) || store.Contended(err) || ctx.Err() != nil) {
				return err // not this line: the database is unavailable, or a deadlock (inTx runs the batch again)
			}
			// Any other error is this line's (a value the database refuses, a constraint):
			// undone to its savepoint, it leaves the transaction usable for the next line.
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT bulk_line"); rerr != nil {
				return fmt.Errorf("ingest: bulk: rollback line: %w", rerr)
			}
			clear(known) // a person created by the undone line no longer exists
			p.result.Err = prefixPointers(err, "/record")
		} else {
			p.result.Stored, p.result.Outcome = st, out
		}
		if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT bulk_line"); err != nil {
			return fmt.Errorf("ingest: bulk: release: %w", err)
		}
	}
	return dropClaims(ctx, tx, req.AgencyID, claims(records))
}

// prefixPointers moves a record's field pointers under the line member that holds the record.
func prefixPointers(err error, prefix string) error {
	ae, ok := apperr.As(err)
	if !ok || len(ae.Fields) == 0 {
		return err
	}
	out := *ae
	out.Fields = make([]apperr.FieldError, len(ae.Fields))
	for i, f := range ae.Fields {
		if f.Pointer == "/externalId" {
			out.Fields[i] = f // the line's own member, not the record's
			continue
		}
		f.Pointer = prefix + f.Pointer
		out.Fields[i] = f
	}
	return &out
}

func kindList() string {
	var b bytes.Buffer
	for i, k := range Kinds() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(k))
	}
	return b.String()
}
