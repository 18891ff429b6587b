package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// Contended reports whether PostgreSQL aborted a transaction only because it collided with another
// one (deadlock_detected, serialization_failure). Nothing of it was written, and running the whole
// transaction again is the documented remedy. SQLite never answers so: its writers queue.
func Contended(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}
