package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// Forbidden reports whether PostgreSQL refused a statement because the portal's role lacks the
// privilege (insufficient_privilege): asking again will not help until an operator grants it.
// SQLite has no roles.
func Forbidden(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}
