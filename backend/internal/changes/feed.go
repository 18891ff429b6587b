package changes

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
)

// Retention is how long changes are kept, and so how old a cursor may be before the client must
// resync from the overview.
const Retention = 30 * 24 * time.Hour

// Cursor is a position in the feed. On PostgreSQL it is (txid, seq): rows are read in transaction
// order and the cursor only passes rows of transactions older than every running one, so a
// transaction that took a lower seq but commits later can never land behind a cursor already
// handed out. On SQLite (one writer) seq order is commit order and TxID stays 0. Issued dates the
// cursor for retention.
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

// Head is a cursor at "now": nothing that commits after the call can be behind it. Take it before
// reading the data it goes with, so nothing between the two is lost (a few may come twice: on
// PostgreSQL those committed beyond the oldest running transaction).
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

// row is a change as the feed reads it: Safe when its transaction is older than every running one
// (always on SQLite), so the cursor may pass it.
type row struct {
	Seq       int64     `bun:"seq" json:"seq"`
	CitizenID *string   `bun:"citizen_id" json:"citizen_id"`
	Kind      string    `bun:"kind" json:"kind"`
	ObjectID  string    `bun:"object_id" json:"object_id"`
	Op        string    `bun:"op" json:"op"`
	CreatedAt time.Time `bun:"created_at" json:"created_at"`
	TxID      string    `bun:"txid" json:"txid"`
	Safe      bool      `bun:"safe" json:"safe"`
}

// sincePostgres reads, in one snapshot, the rows after the cursor below the safe point (the
// snapshot's xmin: every transaction below it has ended, so nothing can still appear there) in
// (txid, seq) order, up to limit; and, when those leave room, the newest rows beyond the safe point
// that the snapshot sees, so committed: a long transaction elsewhere does not hold back a change
// that is already there. The newest, so every object among them comes with its last change.
const sincePostgres = `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
below AS (SELECT seq, citizen_id, kind, object_id, op, created_at, txid FROM changes, horizon
 WHERE %[1]s AND (txid > ?::text::xid8 OR (txid = ?::text::xid8 AND seq > ?)) AND txid < horizon.xmin
 ORDER BY txid, seq LIMIT ?),
beyond AS (SELECT seq, citizen_id, kind, object_id, op, created_at, txid FROM changes, horizon
 WHERE %[1]s AND (txid > ?::text::xid8 OR (txid = ?::text::xid8 AND seq > ?)) AND txid >= horizon.xmin
 ORDER BY txid DESC, seq DESC LIMIT ? - (SELECT count(*) FROM below))
SELECT u.seq, u.citizen_id, u.kind, u.object_id, u.op, u.created_at, u.txid::text AS txid, u.safe
FROM (SELECT *, true AS safe FROM below UNION ALL SELECT *, false AS safe FROM beyond) AS u
ORDER BY u.txid, u.seq`

// Since returns up to limit changes for the given people (and everyone's, citizen_id NULL) after
// the cursor, in commit order, the cursor to continue from, and whether more are waiting.
//
// On PostgreSQL the cursor never passes the safe point (the oldest transaction still running), so
// a transaction that took a lower seq but commits later is never skipped. Changes already committed
// beyond it are sent too when the page has room, and again on the next call until the cursor passes
// them: upserts are idempotent for the client, and the last change of an object still comes last.
// more is only about rows below the safe point: those beyond it are all there is until it moves.
func Since(ctx context.Context, db *store.DB, citizenIDs []string, after Cursor, limit int, now time.Time) ([]Change, Cursor, bool, error) {
	next := after
	next.Issued = now.UTC()
	who := "citizen_id IS NULL"
	var whoArgs []any
	if len(citizenIDs) > 0 {
		who = "(citizen_id IN (?) OR citizen_id IS NULL)"
		whoArgs = []any{store.In(citizenIDs)}
	}
	reads := db.NewReads()
	var rows []row
	var head *QueuedHead
	if db.Kind == store.Postgres {
		head = QueueHead(reads, now)
		tx := strconv.FormatUint(after.TxID, 10)
		var args []any
		args = append(append(args, whoArgs...), tx, tx, after.Seq, limit)
		args = append(append(args, whoArgs...), tx, tx, after.Seq, limit)
		reads.Add(&rows, fmt.Sprintf(sincePostgres, who), args...)
	} else {
		reads.Add(&rows, `SELECT seq, citizen_id, kind, object_id, op, created_at, '0' AS txid, 1 AS safe FROM changes
WHERE `+who+` AND seq > ? ORDER BY seq LIMIT ?`, append(whoArgs, after.Seq, limit)...)
	}
	if err := reads.Run(ctx); err != nil {
		return nil, next, false, fmt.Errorf("changes: since: %w", err)
	}
	out := make([]Change, len(rows))
	safe := 0
	var last Cursor
	for i, r := range rows {
		out[i] = Change{Seq: r.Seq, CitizenID: r.CitizenID, Kind: r.Kind, ObjectID: r.ObjectID, Op: r.Op, CreatedAt: r.CreatedAt.UTC()}
		if !r.Safe {
			continue
		}
		tx, err := strconv.ParseUint(r.TxID, 10, 64)
		if err != nil {
			return nil, next, false, fmt.Errorf("changes: since: txid %q: %w", r.TxID, err)
		}
		safe++
		last = Cursor{TxID: tx, Seq: r.Seq}
	}
	more := safe == limit
	if head != nil && !more {
		xmin, err := head.Cursor()
		if err != nil {
			return nil, next, false, err
		}
		if next.less(xmin) {
			// Nothing else can appear below xmin: move up to it so the next read starts there.
			next.TxID, next.Seq = xmin.TxID, 0
		}
	}
	if safe > 0 && next.less(last) {
		next.TxID, next.Seq = last.TxID, last.Seq
	}
	return out, next, more, nil
}

// PruneBefore is the age before which changes may be deleted: the retention window, with an hour
// to spare for transactions in flight when a cursor was issued. The janitor deletes them.
func PruneBefore(now time.Time) time.Time { return store.UTC(now.Add(-Retention - time.Hour)) }
