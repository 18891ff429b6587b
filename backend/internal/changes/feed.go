package changes

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
)

// Retention is how long changes are kept, and so how old a cursor may be before the client must
// resync from the overview.
const Retention = 30 * 24 * time.Hour

// Cursor is a position in the feed. On PostgreSQL it is (txid, seq): rows are read in transaction
// order and only from transactions older than every running one, so a transaction that took a
// lower seq but commits later can never land behind a cursor already handed out. On SQLite (one
// writer) seq order is commit order and TxID stays 0. Issued dates the cursor for retention.
type Cursor struct {
	TxID   uint64
	Seq    int64
	Issued time.Time
}

// String is the opaque form given to clients.
func (c Cursor) String() string {
	raw := fmt.Sprintf("c1.%d.%d.%d", c.TxID, c.Seq, c.Issued.Unix())
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// ParseCursor reads a cursor made by String; anything else is a 422 on /cursor.
func ParseCursor(s string) (Cursor, error) {
	bad := apperr.Invalid(apperr.Field("/cursor", "field.invalid", nil))
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 4 || parts[0] != "c1" {
		return Cursor{}, bad
	}
	tx, err1 := strconv.ParseUint(parts[1], 10, 64)
	seq, err2 := strconv.ParseInt(parts[2], 10, 64)
	issued, err3 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || seq < 0 {
		return Cursor{}, bad
	}
	return Cursor{TxID: tx, Seq: seq, Issued: time.Unix(issued, 0).UTC()}, nil
}

// Expired reports whether rows after the cursor may already have been pruned.
func (c Cursor) Expired(now time.Time) bool { return c.Issued.Before(now.Add(-Retention)) }

// ErrExpired is the 410 a client gets for a cursor past retention: resync from the overview.
func ErrExpired() *apperr.Error {
	return apperr.New(apperr.CodeGone).WithDetail("error.detail.cursor_expired", nil)
}

func (c Cursor) less(o Cursor) bool { return c.TxID < o.TxID || (c.TxID == o.TxID && c.Seq < o.Seq) }

// Head is a cursor at "now": every change committed before the call is behind it. Take it before
// reading the data it goes with, so nothing between the two is lost (a few may come twice).
func Head(ctx context.Context, db *store.DB, now time.Time) (Cursor, error) {
	reads := db.NewReads()
	h := QueueHead(reads, now)
	if err := reads.Run(ctx); err != nil {
		return Cursor{Issued: now.UTC()}, fmt.Errorf("changes: head: %w", err)
	}
	return h.Cursor()
}

// QueuedHead is a Head queued on a store.Reads, to travel with other reads.
type QueuedHead struct {
	rows     []headRow
	now      time.Time
	postgres bool
}

type headRow struct {
	Position string `bun:"position" json:"position"`
}

// QueueHead queues Head on reads: on PostgreSQL the oldest transaction still running (pg_snapshot_xmin),
// on SQLite the highest seq.
func QueueHead(reads *store.Reads, now time.Time) *QueuedHead {
	h := &QueuedHead{now: now, postgres: reads.Kind() == store.Postgres}
	if h.postgres {
		reads.Add(&h.rows, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS position`)
	} else {
		reads.Add(&h.rows, `SELECT CAST(COALESCE(MAX(seq), 0) AS TEXT) AS position FROM changes`)
	}
	return h
}

// Cursor is the head once the reads ran.
func (h *QueuedHead) Cursor() (Cursor, error) {
	c := Cursor{Issued: h.now.UTC()}
	if len(h.rows) != 1 {
		return c, errors.New("changes: head: no answer")
	}
	n, err := strconv.ParseUint(h.rows[0].Position, 10, 64)
	if err != nil {
		return c, fmt.Errorf("changes: head: %w", err)
	}
	if h.postgres {
		c.TxID = n
	} else {
		c.Seq = int64(n)
	}
	return c, nil
}

func snapshotXmin(ctx context.Context, db bun.IDB) (uint64, error) {
	var s string
	if err := db.NewRaw(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text`).Scan(ctx, &s); err != nil {
		return 0, fmt.Errorf("changes: snapshot: %w", err)
	}
	return strconv.ParseUint(s, 10, 64)
}

type row struct {
	Change
	TxID string `bun:"txid"`
}

// Since returns up to limit changes for the given people (and everyone's, citizen_id NULL) after
// the cursor, in commit-safe order, the cursor to continue from, and whether more are waiting.
func Since(ctx context.Context, db *store.DB, citizenIDs []string, after Cursor, limit int, now time.Time) ([]Change, Cursor, bool, error) {
	next := after
	next.Issued = now.UTC()
	who := "citizen_id IS NULL"
	args := []any{}
	if len(citizenIDs) > 0 {
		who = "(citizen_id IN (?) OR citizen_id IS NULL)"
		args = append(args, bun.In(citizenIDs))
	}
	var rows []row
	if db.Kind == store.Postgres {
		xmin, err := snapshotXmin(ctx, db)
		if err != nil {
			return nil, next, false, err
		}
		tx := strconv.FormatUint(after.TxID, 10)
		args = append(args, tx, tx, after.Seq, strconv.FormatUint(xmin, 10), limit)
		err = db.NewRaw(`SELECT seq, citizen_id, kind, object_id, op, created_at, txid::text AS txid FROM changes
WHERE `+who+` AND (txid > ?::xid8 OR (txid = ?::xid8 AND seq > ?)) AND txid < ?::xid8
ORDER BY txid, seq LIMIT ?`, args...).Scan(ctx, &rows)
		if err != nil {
			return nil, next, false, fmt.Errorf("changes: since: %w", err)
		}
		if len(rows) < limit && next.less(Cursor{TxID: xmin}) {
			// Nothing else can appear below xmin: move past it so the next read starts there.
			next.TxID, next.Seq = xmin, 0
		}
	} else {
		args = append(args, after.Seq, limit)
		if err := db.NewRaw(`SELECT seq, citizen_id, kind, object_id, op, created_at, '0' AS txid FROM changes
WHERE `+who+` AND seq > ? ORDER BY seq LIMIT ?`, args...).Scan(ctx, &rows); err != nil {
			return nil, next, false, fmt.Errorf("changes: since: %w", err)
		}
	}
	out := make([]Change, len(rows))
	for i, r := range rows {
		out[i] = r.Change
	}
	if n := len(rows); n > 0 {
		last := rows[n-1]
		tx, err := strconv.ParseUint(last.TxID, 10, 64)
		if err != nil {
			return nil, next, false, fmt.Errorf("changes: since: txid %q: %w", last.TxID, err)
		}
		if c := (Cursor{TxID: tx, Seq: last.Seq}); next.less(c) {
			next.TxID, next.Seq = c.TxID, c.Seq
		}
	}
	return out, next, len(rows) == limit, nil
}

// PruneBefore is the age before which changes may be deleted: the retention window, with an hour
// to spare for transactions in flight when a cursor was issued. The janitor deletes them.
func PruneBefore(now time.Time) time.Time { return store.UTC(now.Add(-Retention - time.Hour)) }
