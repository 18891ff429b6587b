package seed

import (
	"context"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"minside/backend/internal/ingest"
	"minside/backend/internal/store"
)

// copyBatch writes one batch of synthetic citizens on PostgreSQL with COPY, in one transaction on
// one pgx connection: a multi-row INSERT is parsed and planned per statement and caps out at a few
// thousand rows a second here, while COPY streams the same rows in binary. It first drops citizens
// whose number the database already holds, like the INSERT path.
func (s *Seeder) copyBatch(ctx context.Context, r *rows) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("seed: connection for COPY: %w", err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		return pgx.BeginFunc(ctx, pc, func(tx pgx.Tx) error {
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
			return r.copy(ctx, s.db, tx)
		})
	}); err != nil {
		return err
	}
	// The agency records go through ingest (each checked as a PUT would be), so not by COPY: in a
	// transaction of their own once the batch's objects are there.
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := ingest.Register(ctx, tx, r.records); err != nil {
			return fmt.Errorf("seed: agency records: %w", err)
		}
		return nil
	})
}

// copy streams the rows a scale batch generates, in foreign-key order, one COPY per table.
func (r *rows) copy(ctx context.Context, db *store.DB, tx pgx.Tx) error {
	steps := []struct {
		name string
		fn   func() error
	}{
		{"citizens", func() error { return copyModels(ctx, db, tx, r.citizens) }},
		{"cases", func() error { return copyModels(ctx, db, tx, r.cases) }},
		{"case events", func() error { return copyModels(ctx, db, tx, r.events) }},
		{"bookings", func() error { return copyModels(ctx, db, tx, r.bookings) }},
		{"keys", func() error { return copyModels(ctx, db, tx, r.keys) }},
		{"key windows", func() error { return copyModels(ctx, db, tx, r.windows) }},
		{"key doors", func() error { return copyModels(ctx, db, tx, r.keyDoors) }},
		{"notifications", func() error { return copyModels(ctx, db, tx, r.notifications) }},
		{"texts", func() error { return copyModels(ctx, db, tx, r.texts) }},
		{"changes", func() error { return copyModels(ctx, db, tx, r.changes) }},
	}
	if n := len(r.preferences) + len(r.roles) + len(r.relations) + len(r.documents) + len(r.tiles); n > 0 {
		return fmt.Errorf("seed: COPY covers what the scale generator makes; %d other rows", n)
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("seed: copy %s: %w", s.name, err)
		}
	}
	return nil
}

// copyModels COPYs a slice of Bun models into their table. Columns and values come from Bun's own
// table metadata, so COPY writes exactly what an INSERT of the same models would: a nil pointer or
// a nullzero field's zero value is NULL, and generated keys (autoincrement) are left to the database.
func copyModels[T any](ctx context.Context, db *store.DB, tx pgx.Tx, all []T) error {
	if len(all) == 0 {
		return nil
	}
	table := db.Table(reflect.TypeFor[T]())
	var fields []*schema.Field
	var columns []string
	for _, f := range table.Fields {
		if f.AutoIncrement || f.Identity {
			continue
		}
		fields = append(fields, f)
		columns = append(columns, f.Name)
	}
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
			default:
				values[j] = v.Interface()
			}
		}
		return values, nil
	})
	n, err := tx.CopyFrom(ctx, pgx.Identifier{table.Name}, columns, source)
	if err != nil {
		return err
	}
	if n != int64(len(all)) {
		return fmt.Errorf("copied %d of %d rows", n, len(all))
	}
	return nil
}
