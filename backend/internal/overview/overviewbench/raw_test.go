package overviewbench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"minside/backend/internal/store"
	"minside/backend/internal/tiles"
)

// raw runs the overview's queries for one citizen (no relations, as most people) through
// database/sql prepared statements, scanning every column and doing nothing else: the floor the
// HTTP endpoint is measured against.
type raw struct {
	db    *sql.DB
	kind  store.Kind
	fixed map[string]*sql.Stmt
	mu    sync.Mutex
	texts map[int]*sql.Stmt // by number of owner ids
}

const (
	qRelations = `SELECT r.id, r.agency_id, r.external_id, r.version, r.kind, r.representative_id, r.subject_id,
	r.scopes, r.valid_from, r.valid_until, r.created_at, r.updated_at,
	s.name AS subject_name, s.birth_date AS subject_birth_date, s.district AS subject_district, s.updated_at AS subject_updated_at
FROM relations AS r
JOIN agency_authorities AS aa ON aa.agency_id = r.agency_id AND aa.kind = r.kind
JOIN citizens AS s ON s.id = r.subject_id
WHERE r.representative_id = ? AND r.representative_id <> r.subject_id AND r.valid_from <= ? AND (r.valid_until IS NULL OR r.valid_until > ?)
ORDER BY r.subject_id, r.kind, r.id`
	qCitizen = `SELECT id, name, birth_date, district, updated_at FROM citizens WHERE id IN (?)`
	qVersion = `SELECT COUNT(*) AS n, COALESCE(MAX(seq), 0) AS m FROM changes WHERE citizen_id IN (?) OR citizen_id IS NULL`
	qCases   = `SELECT c.id, c.citizen_id, c.kind, c.area, c.status, c.next_action_due, c.deep_link, c.updated_at,
 a.slug AS agency_slug, a.name AS agency_name, s.first_seen_at AS seen_at
FROM cases c JOIN agencies a ON a.id = c.agency_id
LEFT JOIN case_seen s ON s.case_id = c.id AND s.citizen_id = ?
WHERE c.citizen_id IN (?) ORDER BY c.updated_at DESC, c.id DESC LIMIT 100`
	qBookings = `SELECT b.id, b.citizen_id, b.area, b.place_name, b.place_address, b.starts_at, b.ends_at, b.status,
 b.cancellable_until, (SELECT k.id FROM keys k WHERE k.booking_id = b.id ORDER BY k.id LIMIT 1) AS key_id,
 a.slug AS agency_slug, a.name AS agency_name
FROM bookings b JOIN agencies a ON a.id = b.agency_id
WHERE b.citizen_id IN (?) AND b.ends_at > ? AND b.status = 'confirmed' ORDER BY b.starts_at, b.id LIMIT 10`
	qKeys = `SELECT k.id, k.citizen_id, k.status, k.booking_id, k.valid_until,
 f.name AS facility_name, f.address AS facility_address, a.slug AS agency_slug, a.name AS agency_name
FROM keys k JOIN facilities f ON f.id = k.facility_id JOIN agencies a ON a.id = k.agency_id
WHERE k.citizen_id IN (?) AND k.status = 'active' AND k.valid_until > ? ORDER BY k.valid_until, k.id LIMIT 20`
	qWindows = `SELECT key_id, starts_at, ends_at FROM key_windows WHERE key_id IN (?) AND ends_at > ? ORDER BY starts_at`
	qDoors   = `SELECT kap.key_id, ap.id, ap.name FROM key_access_points kap JOIN access_points ap ON ap.id = kap.access_point_id
WHERE kap.key_id IN (?) ORDER BY ap.name, ap.id`
	qNotifications = `SELECT n.id, n.citizen_id, n.category, n.urgency, n.link, n.read_at, n.created_at,
 a.slug AS agency_slug, a.name AS agency_name, COUNT(*) OVER () AS total
FROM notifications n LEFT JOIN agencies a ON a.id = n.agency_id
WHERE n.citizen_id IN (?) AND n.read_at IS NULL ORDER BY n.created_at DESC, n.id DESC LIMIT 5`
	qTiles = `SELECT t.id, t.link, t.icon, t.category, t.targeting, t.created_at, a.slug AS agency_slug, a.name AS agency_name
FROM tiles t JOIN agencies a ON a.id = t.agency_id
WHERE t.status = 'published' AND (t.publish_from IS NULL OR t.publish_from <= ?) AND (t.publish_until IS NULL OR t.publish_until > ?)
ORDER BY t.created_at, t.id LIMIT 500`
	qOpenKinds = `SELECT DISTINCT kind FROM cases WHERE citizen_id = ? AND status NOT IN ('decided', 'closed')`
)

func newRaw(ctx context.Context, db *store.DB) (*raw, error) {
	r := &raw{db: db.DB.DB, kind: db.Kind, fixed: map[string]*sql.Stmt{}, texts: map[int]*sql.Stmt{}}
	head := `SELECT COALESCE(MAX(seq), 0) FROM changes`
	if db.Kind == store.Postgres {
		head = `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`
	}
	for _, q := range []string{qRelations, qCitizen, qVersion, head, qCases, qBookings, qKeys, qWindows, qDoors, qNotifications, qTiles, qOpenKinds} {
		st, err := r.db.PrepareContext(ctx, r.dialect(q))
		if err != nil {
			return nil, fmt.Errorf("prepare %.40s: %w", q, err)
		}
		r.fixed[q] = st
	}
	r.fixed["head"] = r.fixed[head]
	return r, nil
}

// dialect numbers the placeholders for PostgreSQL.
func (r *raw) dialect(q string) string {
	if r.kind != store.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, ch := range q {
		if ch == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(ch)
	}
	return b.String()
}

func (r *raw) textsStmt(ctx context.Context, n int) (*sql.Stmt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.texts[n]; ok {
		return st, nil
	}
	q := `SELECT owner_id, field, lang, value FROM texts WHERE owner_id IN (` + strings.TrimSuffix(strings.Repeat("?,", n), ",") + `) AND lang IN (?, ?)`
	st, err := r.db.PrepareContext(ctx, r.dialect(q))
	if err == nil {
		r.texts[n] = st
	}
	return st, err
}

// timeArg is how a time goes into a raw query: SQLite compares Bun's text form.
func (r *raw) timeArg(t time.Time) any {
	if r.kind == store.SQLite {
		return store.UTC(t).Format("2006-01-02 15:04:05.999999-07:00")
	}
	return store.UTC(t)
}

// scan reads every row and column, returning the first column of each row (the ids).
func scan(rows *sql.Rows, err error) ([]string, [][]any, error) {
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	var all [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		ids = append(ids, fmt.Sprint(asString(vals[0])))
		all = append(all, vals)
	}
	return ids, all, rows.Err()
}

func asString(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

func (r *raw) withTexts(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	st, err := r.textsStmt(ctx, len(ids))
	if err != nil {
		return err
	}
	args := make([]any, 0, len(ids)+2)
	for _, id := range ids {
		args = append(args, id)
	}
	_, _, err = scan(st.QueryContext(ctx, append(args, "nb", "en")...))
	return err
}

// overview runs every query of one overview.
func (r *raw) overview(ctx context.Context, citizenID, district string, now time.Time) error {
	t := r.timeArg(now)
	q := func(key string, args ...any) ([]string, [][]any, error) {
		return scan(r.fixed[key].QueryContext(ctx, args...))
	}
	if _, _, err := q(qRelations, citizenID, t, t); err != nil {
		return err
	}
	if _, _, err := q(qCitizen, citizenID); err != nil {
		return err
	}
	if _, _, err := q(qVersion, citizenID); err != nil {
		return err
	}
	if _, _, err := q("head"); err != nil {
		return err
	}
	ids, _, err := q(qCases, citizenID, citizenID)
	if err != nil {
		return err
	}
	if err := r.withTexts(ctx, ids); err != nil {
		return err
	}
	if ids, _, err = q(qBookings, citizenID, t); err != nil {
		return err
	}
	if err := r.withTexts(ctx, ids); err != nil {
		return err
	}
	if ids, _, err = q(qKeys, citizenID, t); err != nil {
		return err
	}
	if len(ids) == 1 {
		if _, _, err := q(qWindows, ids[0], t); err != nil {
			return err
		}
		if _, _, err := q(qDoors, ids[0]); err != nil {
			return err
		}
	}
	if ids, _, err = q(qNotifications, citizenID); err != nil {
		return err
	}
	if err := r.withTexts(ctx, ids); err != nil {
		return err
	}
	ids, rows, err := q(qTiles, t, t)
	if err != nil {
		return err
	}
	// The same targeting the endpoint applies, so the texts read are the same.
	var kinds []string
	var kept []string
	for i, row := range rows {
		var tg tiles.Targeting
		if err := json.Unmarshal([]byte(asString(row[4])), &tg); err != nil {
			return err
		}
		if len(tg.Districts) > 0 && !slices.Contains(tg.Districts, district) {
			continue
		}
		if tg.MinAge != nil {
			continue // the raw loop does not compute ages; the sample is mostly under 67 (the endpoint's cost is higher, not lower)
		}
		if len(tg.OpenCaseKinds) > 0 {
			if kinds == nil {
				if kinds, _, err = q(qOpenKinds, citizenID); err != nil {
					return err
				}
				kinds = append(kinds, "")
			}
			if !slices.ContainsFunc(tg.OpenCaseKinds, func(k string) bool { return slices.Contains(kinds, k) }) {
				continue
			}
		}
		kept = append(kept, ids[i])
	}
	return r.withTexts(ctx, kept)
}
