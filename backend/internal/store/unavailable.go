package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Unavailable reports whether err means the database cannot be reached or did not answer in time,
// rather than a bug: timeouts (the request's deadline, PostgreSQL's statement_timeout, SQLite's
// busy_timeout on the write lock), refused or broken connections, and server shutdowns. The web
// layer answers these 503, which a client may retry.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57014: canceled (statement_timeout or our cancel request);
		// 57P01..57P03: admin shutdown, crash shutdown, cannot connect now.
		c := pgErr.Code
		return len(c) == 5 && (c[:2] == "08" || c == "57014" || c == "57P01" || c == "57P02" || c == "57P03")
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		// The primary code is the low byte: SQLITE_BUSY_SNAPSHOT and friends are BUSY too.
		switch liteErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT:
			return true
		}
		return false
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}
