package overviewbench

import (
	"context"
	"database/sql"
	"fmt"

	"minside/backend/internal/app"
	"minside/backend/internal/overview"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
)

// raw sends, for one logged-in citizen, the statements the overview endpoint sends after the session
// lookup (overview.Service.Statements, built by the endpoint's own query builder: one json_agg
// statement on PostgreSQL, the separate statements on SQLite), as text straight through database/sql,
// reading every column of every row as bytes and nothing else: the floor the endpoint is measured
// against. The texts are built once per person, so what HTTP adds beside it is everything that is not
// the database: Fiber, the session lookup, Bun, decoding, localisation, JSON.
type raw struct {
	db         *store.DB
	statements [][]store.Statement // per sampled person
}

// newRaw builds the statements of each token's overview, as the endpoint would for that session (in
// its saved language, else nb as the benchmark asks), on a's database.
func newRaw(ctx context.Context, a *app.App, db *store.DB, tokens []string) (*raw, error) {
	r := &raw{db: db, statements: make([][]store.Statement, len(tokens))}
	for i, token := range tokens {
		req, err := a.Sessions.LookupRequest(ctx, a.DB.NewReads(), token, represent.Access{})
		if err != nil || req == nil {
			return nil, fmt.Errorf("raw: session %d: %v", i, err)
		}
		lang := req.Language
		if lang == "" {
			lang = "nb"
		}
		v := overview.Viewer{CitizenID: req.Session.CitizenID, Lang: lang,
			Known: &overview.Known{Represents: req.Represents, People: req.People}}
		if r.statements[i], err = a.Overview.Statements(ctx, v); err != nil {
			return nil, fmt.Errorf("raw: statements %d: %w", i, err)
		}
	}
	return r, nil
}

// overview sends person i's statements and reads every answer.
func (r *raw) overview(ctx context.Context, i int) error {
	_, err := r.read(ctx, i, nil)
	return err
}

// read sends person i's statements and returns how many rows came back; each row's columns are
// handed to keep (nil: dropped) while they are valid.
func (r *raw) read(ctx context.Context, i int, keep func(cols []sql.RawBytes)) (int, error) {
	n := 0
	for _, st := range r.statements[i] {
		rows, err := r.db.QueryStatement(ctx, st)
		if err != nil {
			return n, err
		}
		names, err := rows.Columns()
		if err != nil {
			rows.Close()
			return n, err
		}
		cols := make([]sql.RawBytes, len(names))
		ptrs := make([]any, len(cols))
		for j := range cols {
			ptrs[j] = &cols[j]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return n, err
			}
			n++
			if keep != nil {
				keep(cols)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
	}
	return n, nil
}
