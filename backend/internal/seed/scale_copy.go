package seed

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun/schema"

	"minside/backend/internal/ingest"
	"minside/backend/internal/store"
)

// copyBatch writes one batch of synthetic citizens on PostgreSQL with COPY, in one transaction on
// one pgx connection: a multi-row INSERT is parsed and planned per statement and caps out at a few
// thousand rows a second here, while COPY streams the same rows in binary. It first drops citizens
// whose number the database already holds, like the INSERT path.
//
// The transaction commits without waiting for its WAL to reach the disk (synchronous_commit off,
// for this transaction only): a crash can lose the last batches written, never part of one, and
// the next run continues after the highest citizen left, so nothing is lost that a rerun does not
// write again. It saves one WAL flush per batch and lets the writers' commits overlap.
func (s *Seeder) copyBatch(ctx context.Context, r *rows, took func(step string, d time.Duration)) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("seed: connection for COPY: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		return pgx.BeginFunc(ctx, pc, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
				return fmt.Errorf("seed: asynchronous commit: %w", err)
			}
			hashes := make([]string, len(r.citizens))
			for i, c := range r.citizens {
				hashes[i] = c.PIDHash
			}
			found, err := tx.Query(ctx, `SELECT pid_hash FROM citizens WHERE pid_hash = ANY($1)`, hashes)
			if err != nil {
				return fmt.Errorf("seed: check numbers: %w", err)
			}
			taken, err := pgx.CollectRows(found, pgx.RowTo[string])
			if err != nil {
				return fmt.Errorf("seed: check numbers: %w", err)
			}
			if len(taken) > 0 {
				r.dropCitizens(taken)
			}
			return r.copy(ctx, s.db, tx, took)
		})
	})
}

// copy streams the rows a scale batch generates, in foreign-key order, one COPY per table. The
// agency records are checked as a PUT would check them (ingest.Rows) and COPied with the rest.
// took, when not nil, is told how long each step took (BenchmarkCopyPerTable).
func (r *rows) copy(ctx context.Context, db *store.DB, tx pgx.Tx, took func(step string, d time.Duration)) error {
	start := time.Now()
	records, err := ingest.Rows(r.records)
	if err != nil {
		return fmt.Errorf("seed: agency records: %w", err)
	}
	if took != nil {
		took("check agency records", time.Since(start))
	}
	uuids, err := uuidColumns(ctx, tx)
	if err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"citizens", func() error { return copyModels(ctx, db, tx, uuids, r.citizens) }},
		{"relations", func() error { return copyModels(ctx, db, tx, uuids, r.relations) }},
		{"errands", func() error { return copyModels(ctx, db, tx, uuids, r.errands) }},
		{"errand agencies", func() error { return copyModels(ctx, db, tx, uuids, r.participants) }},
		{"cases", func() error { return copyModels(ctx, db, tx, uuids, r.cases) }},
		{"case steps", func() error { return copyModels(ctx, db, tx, uuids, r.steps) }},
		{"case events", func() error { return copyModels(ctx, db, tx, uuids, r.events) }},
		{"case documents", func() error { return copyModels(ctx, db, tx, uuids, r.documents) }},
		{"tasks", func() error { return copyModels(ctx, db, tx, uuids, r.tasks) }},
		{"messages", func() error { return copyModels(ctx, db, tx, uuids, r.messages) }},
		{"bookings", func() error { return copyModels(ctx, db, tx, uuids, r.bookings) }},
		{"keys", func() error { return copyModels(ctx, db, tx, uuids, r.keys) }},
		{"key windows", func() error { return copyModels(ctx, db, tx, uuids, r.windows) }},
		{"key doors", func() error { return copyModels(ctx, db, tx, uuids, r.keyDoors) }},
		{"notifications", func() error { return copyModels(ctx, db, tx, uuids, r.notifications) }},
		{"texts", func() error { return copyModels(ctx, db, tx, uuids, r.texts) }},
		{"changes", func() error { return copyModels(ctx, db, tx, uuids, r.changes) }},
		{"agency records", func() error { return copyModels(ctx, db, tx, uuids, records) }},
	}
	if n := len(r.preferences) + len(r.roles) + len(r.tiles); n > 0 {
		return fmt.Errorf("seed: COPY covers what the scale generator makes; %d other rows", n)
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.fn(); err != nil {
			return fmt.Errorf("seed: copy %s: %w", s.name, err)
		}
		if took != nil {
			took(s.name, time.Since(start))
		}
	}
	return nil
}

// uuidColumns lists the UUID columns of the current schema's tables, as "table.column". The models
// hold ids as strings; pgx sends a string to a UUID column only after failing to encode it and
// building an error message (a tenth of the seed's own CPU), so copyModels parses them itself.
func uuidColumns(ctx context.Context, tx pgx.Tx) (map[string]bool, error) {
	found, err := tx.Query(ctx, `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND data_type = 'uuid'`)
	if err != nil {
		return nil, fmt.Errorf("seed: uuid columns: %w", err)
	}
	names, err := pgx.CollectRows(found, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("seed: uuid columns: %w", err)
	}
	uuids := make(map[string]bool, len(names))
	for _, n := range names {
		uuids[n] = true
	}
	return uuids, nil
}

// copyModels COPYs a slice of Bun models into their table. Columns and values come from Bun's own
// table metadata, so COPY writes exactly what an INSERT of the same models would: a nil pointer or
// a nullzero field's zero value is NULL, and generated keys (autoincrement) are left to the database.
func copyModels[T any](ctx context.Context, db *store.DB, tx pgx.Tx, uuids map[string]bool, all []T) error {
	if len(all) == 0 {
		return nil
	}
	table := db.Table(reflect.TypeFor[T]())
	var fields []*schema.Field
	var columns []string
	var isUUID []bool
	for _, f := range table.Fields {
		if f.AutoIncrement || f.Identity {
			continue
		}
		fields = append(fields, f)
		columns = append(columns, f.Name)
		isUUID = append(isUUID, uuids[table.Name+"."+f.Name])
	}
	var bad error
	i := 0
	values := make([]any, len(fields))
	source := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(all) {
			return nil, nil
		}
		strct := reflect.ValueOf(&all[i]).Elem()
		i++
		for j, f := range fields {
			switch v := f.Value(strct); {
			case f.NullZero && f.HasZeroValue(strct), f.IsPtr && v.IsNil():
				values[j] = nil
			case isUUID[j]:
				id, err := uuid.Parse(reflect.Indirect(v).String())
				if err != nil {
					bad = fmt.Errorf("%s.%s: %w", table.Name, f.Name, err)
					return nil, bad
				}
				values[j] = pgtype.UUID{Bytes: id, Valid: true}
			default:
				values[j] = v.Interface()
			}
		}
		return values, nil
	})
	n, err := tx.CopyFrom(ctx, pgx.Identifier{table.Name}, columns, source)
	if bad != nil {
		return bad
	}
	if err != nil {
		return err
	}
	if n != int64(len(all)) {
		return fmt.Errorf("copied %d of %d rows", n, len(all))
	}
	return nil
}
