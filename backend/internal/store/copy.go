package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Copier is where PostgreSQL's COPY can stream rows: a *pgx.Conn, or a pgx.Tx.
type Copier interface {
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, rows pgx.CopyFromSource) (int64, error)
	Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error)
}

// CopyModels COPYs a slice of Bun models into their table through dst. A multi-row INSERT is
// parsed and planned per statement, its values read from literals; COPY streams the same rows in
// binary. Columns and values come from Bun's own table metadata, so COPY writes exactly what an
// INSERT of the same models would: a nil pointer or a nullzero field's zero value is NULL, and
// generated keys (autoincrement, identity) are left to the database. It counts one round trip
// in the context's counter (CountRoundTrips), as the INSERT it replaces.
func CopyModels[T any](ctx context.Context, db *DB, dst Copier, all []T) error {
	if len(all) == 0 {
		return nil
	}
	countInContext(ctx)
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
	// COPY sends binary values, and pgx encodes a Go string into a UUID column only after failing
	// to (an error built per value, then the string parsed): the UUID columns are parsed here. The
	// columns' types are read once per connection, as a statement prepared under a fixed name.
	quoted := make([]string, len(columns))
	for j, c := range columns {
		quoted[j] = pgx.Identifier{c}.Sanitize()
	}
	described, err := dst.Prepare(ctx, "minside_copy_"+table.Name,
		"SELECT "+strings.Join(quoted, ", ")+" FROM "+pgx.Identifier{table.Name}.Sanitize())
	if err != nil {
		return fmt.Errorf("store: copy into %s: %w", table.Name, err)
	}
	isUUID := make([]bool, len(columns))
	for j, f := range described.Fields {
		isUUID[j] = f.DataTypeOID == pgtype.UUIDOID
	}
	i := 0
	var uuid pgtype.UUID
	values := make([]any, len(fields))
	var n int64
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
			case isUUID[j] && v.Kind() == reflect.String:
				if err := uuid.Scan(v.String()); err != nil {
					return nil, fmt.Errorf("%s: %w", f.Name, err)
				}
				values[j] = uuid.Bytes
			case isUUID[j] && v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.String:
				if err := uuid.Scan(v.Elem().String()); err != nil {
					return nil, fmt.Errorf("%s: %w", f.Name, err)
				}
				values[j] = uuid.Bytes
			default:
				values[j] = v.Interface()
			}
		}
		return values, nil
	})
	n, err = dst.CopyFrom(ctx, pgx.Identifier{table.Name}, columns, source)
	if err != nil {
		return fmt.Errorf("store: copy %d rows into %s: %w", len(all), table.Name, err)
	}
	if n != int64(len(all)) {
		return fmt.Errorf("store: copy into %s: %d of %d rows", table.Name, n, len(all))
	}
	return nil
}

// OnPgx runs fn with the pgx connection behind conn (a PostgreSQL connection of this package's
// pool), inside whatever transaction conn has open: a bun.Tx begun on conn sees what fn writes.
func OnPgx(conn bun.Conn, fn func(*pgx.Conn) error) error {
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: a pgx connection is needed, not %T", dc)
		}
		return fn(pc.Conn())
	})
}
