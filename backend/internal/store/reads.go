package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"
	"github.com/uptrace/bun"
)

// Reads is a set of independent SELECTs answered together. On PostgreSQL they travel as one
// statement, each query's rows folded into a JSON array by the server (json_agg), so the set costs
// one round trip however many queries it holds; on SQLite, in process, each runs as its own
// statement, which is faster there than building and parsing JSON.
//
// Each destination is a pointer to a slice of row structs whose `bun` tags name the columns and whose
// `json` tags repeat those names (what the PostgreSQL answer is decoded with). Times come back as
// TIMESTAMPTZ text; DATE columns do not decode into time.Time, so cast them (::timestamptz) or leave
// them out.
type Reads struct {
	db     *DB
	items  []read
	writes []*bun.InsertQuery
}

type read struct {
	query string
	args  []any
	dest  any
}

// NewReads starts an empty set of reads.
func (db *DB) NewReads() *Reads { return &Reads{db: db} }

// Add queues query (Bun placeholders) whose rows go into dest, a pointer to a slice.
func (r *Reads) Add(dest any, query string, args ...any) {
	r.items = append(r.items, read{query: query, args: args, dest: dest})
}

// AddWrite queues an INSERT to run with the reads: on PostgreSQL as a data-modifying WITH of the
// same statement (it runs to completion whether or not anything reads it), on SQLite on its own,
// after the reads. Either way the reads do not see what it writes.
func (r *Reads) AddWrite(q *bun.InsertQuery) { r.writes = append(r.writes, q) }

// Kind is the engine the reads run on (a query may need to read a column differently for JSON).
func (r *Reads) Kind() Kind { return r.db.Kind }

// Len is how many queries are queued.
func (r *Reads) Len() int { return len(r.items) }

// Run answers every queued query and empties the set.
func (r *Reads) Run(ctx context.Context) error {
	items, writes := r.items, r.writes
	r.items, r.writes = nil, nil
	if r.db.Kind != Postgres || len(items) == 0 {
		for i, it := range items {
			if err := r.db.NewRaw(it.query, it.args...).Scan(ctx, it.dest); err != nil {
				return fmt.Errorf("store: read %d: %w", i, err)
			}
		}
		for i, w := range writes {
			if _, err := w.Exec(ctx); err != nil {
				return fmt.Errorf("store: write %d: %w", i, err)
			}
		}
		return nil
	}
	st, err := r.postgres(items, writes)
	if err != nil {
		return err
	}
	rows, err := r.db.QueryStatement(ctx, st)
	if err != nil {
		return fmt.Errorf("store: reads: %w", err)
	}
	defer rows.Close()
	// The answers are decoded from the driver's own buffer (RawBytes, valid until the row is left):
	// copying each JSON array into a string and back would double what a request allocates.
	answers := make([]sql.RawBytes, len(items))
	dests := make([]any, len(items))
	for i := range items {
		dests[i] = &answers[i]
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: reads: %w", err)
		}
		return fmt.Errorf("store: reads: %w", sql.ErrNoRows)
	}
	if err := rows.Scan(dests...); err != nil {
		return fmt.Errorf("store: reads: %w", err)
	}
	for i, it := range items {
		if err := json.Unmarshal(answers[i], it.dest); err != nil {
			return fmt.Errorf("store: read %d: decode: %w", i, err)
		}
	}
	return rows.Close()
}

// Statements is every statement Run would send now, in order: one on PostgreSQL, one per query and
// write on SQLite (their text with the arguments in it, as Bun sends them). A benchmark sends them
// itself (DB.QueryStatement), to measure the database's share of a request apart from what decoding
// and answering add.
func (r *Reads) Statements() ([]Statement, error) {
	if r.db.Kind == Postgres && len(r.items) > 0 {
		st, err := r.postgres(r.items, r.writes)
		return []Statement{st}, err
	}
	var out []Statement
	for _, it := range r.items {
		b, err := r.db.NewRaw(it.query, it.args...).AppendQuery(r.db.QueryGen(), nil)
		if err != nil {
			return nil, fmt.Errorf("store: read: %w", err)
		}
		out = append(out, Statement{SQL: string(b)})
	}
	for _, w := range r.writes {
		b, err := w.AppendQuery(r.db.QueryGen(), nil)
		if err != nil {
			return nil, fmt.Errorf("store: write: %w", err)
		}
		out = append(out, Statement{SQL: string(b)})
	}
	return out, nil
}

// postgres is the one statement of items and writes on PostgreSQL: with its arguments apart when
// they allow it (binder), nothing is written (an INSERT's text is its values) and the DSN names no
// query exec mode (one chosen for a pooler that cannot hold prepared statements, such as PgBouncer
// before 1.21 in transaction mode), else with them in the text, as Bun writes it.
func (r *Reads) postgres(items []read, writes []*bun.InsertQuery) (Statement, error) {
	if len(writes) == 0 && !strings.Contains(r.db.DSN, "default_query_exec_mode") {
		// Written with its parameters numbered in one pass: the overview's text is some ten
		// kilobytes, and writing it with Bun's placeholders first, then again numbered, was a fifth
		// of the bytes a run of the overview benchmark allocated.
		var bd binder
		bd.sql.Grow(selectSize(items))
		if selectOf(&bd.sql, items, bd.add) {
			return bd.statement(), nil
		}
	}
	query, args, err := combined(r.db, items, writes)
	if err != nil {
		return Statement{}, err
	}
	b, err := r.db.NewRaw(query, args...).AppendQuery(r.db.QueryGen(), nil)
	if err != nil {
		return Statement{}, fmt.Errorf("store: reads: %w", err)
	}
	return Statement{SQL: string(b)}, nil
}

// combined is the one PostgreSQL statement of items and writes, with Bun's placeholders: the writes
// as data-modifying WITHs, then the SELECT of the queries (selectOf).
func combined(db *DB, items []read, writes []*bun.InsertQuery) (string, []any, error) {
	var sql strings.Builder
	sql.Grow(selectSize(items))
	var args []any
	for i, w := range writes {
		text, err := w.AppendQuery(db.QueryGen(), nil)
		if err != nil {
			return "", nil, fmt.Errorf("store: write %d: %w", i, err)
		}
		if i == 0 {
			sql.WriteString("WITH ")
		} else {
			sql.WriteString(", ")
		}
		fmt.Fprintf(&sql, "w%d AS (?) ", i)
		args = append(args, bun.Safe(text)) // already formatted: its text is not parsed for placeholders again
	}
	selectOf(&sql, items, func(query string, queryArgs []any) bool {
		sql.WriteString(query)
		args = append(args, queryArgs...)
		return true
	})
	return sql.String(), args, nil
}

// aggregateOpen and aggregateClose wrap each query of a combined statement into a column holding
// its rows as one JSON array.
const (
	aggregateOpen  = "(SELECT COALESCE(json_agg(q), '[]'::json) FROM ("
	aggregateClose = ") AS q) AS r"
)

// selectOf writes the SELECT of items into sql, one column per query (aggregateOpen, the query as
// put writes it, aggregateClose and the column's number). It stops with false when put does.
func selectOf(sql *strings.Builder, items []read, put func(query string, args []any) bool) bool {
	sql.WriteString("SELECT ")
	for i, it := range items {
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString(aggregateOpen)
		if !put(it.query, it.args) {
			return false
		}
		sql.WriteString(aggregateClose)
		sql.WriteString(strconv.Itoa(i))
	}
	return true
}

// selectSize is about the length of the statement of items, to allocate it once.
func selectSize(items []read) int {
	size := 8
	for _, it := range items {
		size += len(it.query) + 4*len(it.args) + len(aggregateOpen) + len(aggregateClose) + len(", 00")
	}
	return size
}
