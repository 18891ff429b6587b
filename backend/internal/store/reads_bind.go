package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Statement is one statement as Reads sends it: its SQL and, when the arguments travel apart from
// the text, the arguments (then the text is the same for every request of the same shape, and
// PostgreSQL keeps it prepared on each connection).
type Statement struct {
	SQL      string
	Args     []any
	prepared bool // PostgreSQL: the arguments travel apart; keep the text prepared
}

// InList is bun.In for a query queued on Reads: its values can travel as parameters of their own,
// so the statement's text does not change with them. Elsewhere it formats as bun.In does.
type InList struct{ values []any }

// In lists values for an IN (?) of a query queued on Reads.
func In[T any](values []T) InList {
	l := InList{values: make([]any, len(values))}
	for i, v := range values {
		l.values[i] = v
	}
	return l
}

// AppendQuery formats the list as bun.In does (a query run through Bun directly).
func (l InList) AppendQuery(gen schema.QueryGen, b []byte) ([]byte, error) {
	return bun.In(l.values).AppendQuery(gen, b)
}

// binder writes queries into one statement with their Bun placeholders (?) turned into PostgreSQL
// parameters numbered across all of them, and collects the arguments beside the text.
type binder struct {
	sql   strings.Builder
	bound []any
}

// add writes query, reading placeholders as Bun does (every ?, quoted or not). Strings, numbers,
// booleans, times and InLists of them are bound; anything else, a placeholder Bun would read
// otherwise (?name, ?0, \?) or a count that does not match answers false, and the statement is to
// be left to Bun, which writes the arguments into the text.
func (bd *binder) add(query string, args []any) bool {
	if strings.IndexByte(query, '\\') >= 0 {
		return false
	}
	b := &bd.sql
	var number [20]byte
	param := func(v any) {
		bd.bound = append(bd.bound, v)
		b.WriteByte('$')
		b.Write(strconv.AppendInt(number[:0], int64(len(bd.bound)), 10))
	}
	next := 0
	for rest := query; ; {
		// The text between placeholders is copied whole: statements are long and arguments few.
		at := strings.IndexByte(rest, '?')
		if at < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:at])
		if at+1 < len(rest) && isPlaceholderName(rest[at+1]) || next == len(args) {
			return false
		}
		rest = rest[at+1:]
		arg := args[next]
		next++
		switch v := arg.(type) {
		case string, int, int64, bool:
			param(v)
		case time.Time:
			param(UTC(v))
		case InList:
			if len(v.values) == 0 {
				b.WriteString("NULL") // what bun.In writes: IN (NULL) holds nothing
			}
			for j, x := range v.values {
				switch x.(type) {
				case string, int, int64:
				default:
					return false
				}
				if j > 0 {
					b.WriteString(", ")
				}
				param(x)
			}
		default:
			return false
		}
	}
	return next == len(args)
}

// statement is what was written, to be prepared (its text is the same for every request of one shape).
func (bd *binder) statement() Statement {
	return Statement{SQL: bd.sql.String(), Args: bd.bound, prepared: true}
}

func isPlaceholderName(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// QueryStatement sends st, as Reads does: with its arguments apart, PostgreSQL prepares the text
// once per connection and plans it from then on as a prepared statement (the planning of a
// statement of a dozen subqueries costs more than running it). It counts one round trip.
func (db *DB) QueryStatement(ctx context.Context, st Statement) (*sql.Rows, error) {
	db.roundTrips.count(ctx)
	if st.prepared {
		return db.DB.DB.QueryContext(ctx, st.SQL, append([]any{pgx.QueryExecModeCacheStatement}, st.Args...)...)
	}
	return db.DB.DB.QueryContext(ctx, st.SQL, st.Args...)
}
