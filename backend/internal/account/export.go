// Package account is the citizen's own data: "download my data" (everything the portal holds about
// them, as JSON files in a zip), the access log (who read or acted on their data) and closing the
// account.
//
// Closing deletes what the portal holds; what agencies hold stays with them. If an agency later
// pushes something about the same person, the citizen row is created again from the pseudonym of
// their national identity number (citizens.Directory.Ensure), with a new id and none of the old
// settings, devices or history: a fresh account, as for anyone the portal has not seen before.
package account

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/audit"
	"minside/backend/internal/store"
)

// Service serves a citizen's own data. It holds no state beyond the translator that puts the
// access log and the readable export into words.
type Service struct{ tr Translator }

// New builds the service.
func New(tr Translator) *Service { return &Service{tr: tr} }

// row is one database row as exported: column → value.
type row = map[string]any

// file is one JSON file of the export and the query that fills it.
type file struct {
	name  string
	query string
	args  []any
}

// hidden columns are secrets or internal keys; they never leave in an export.
var hidden = map[string]bool{
	"pid_hash": true, "calendar_token_hash": true, // the pseudonym and the feed secret
	"endpoint": true, "p256dh": true, "auth": true, // a device's push credentials
	"id_hash": true, "csrf_token": true, "end_session_hint": true, "idp_sid": true, // session secrets
}

func files(id string) []file {
	own := []any{id}
	return []file{
		{"profile.json", `SELECT id, name, pid_masked, birth_date, district, created_at, updated_at, last_login_at,
			CASE WHEN calendar_token_hash IS NULL THEN 0 ELSE 1 END AS calendar_feed_active FROM citizens WHERE id = ?`, own},
		{"roles.json", `SELECT role, scope, granted_at FROM citizen_roles WHERE citizen_id = ?`, own},
		{"preferences.json", `SELECT * FROM preferences WHERE citizen_id = ?`, own},
		{"cases.json", `SELECT * FROM cases WHERE citizen_id = ? ORDER BY id`, own},
		{"case-events.json", `SELECT e.* FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.citizen_id = ? ORDER BY e.id`, own},
		{"case-documents.json", `SELECT d.* FROM case_documents d JOIN cases c ON c.id = d.case_id WHERE c.citizen_id = ? ORDER BY d.id`, own},
		{"case-seen.json", `SELECT * FROM case_seen WHERE citizen_id = ?`, own},
		{"bookings.json", `SELECT * FROM bookings WHERE citizen_id = ? ORDER BY id`, own},
		{"keys.json", `SELECT * FROM keys WHERE citizen_id = ? ORDER BY id`, own},
		{"key-windows.json", `SELECT w.* FROM key_windows w JOIN keys k ON k.id = w.key_id WHERE k.citizen_id = ? ORDER BY w.starts_at`, own},
		{"key-uses.json", `SELECT * FROM key_uses WHERE citizen_id = ? OR actor_citizen_id = ? ORDER BY id`, []any{id, id}},
		{"notifications.json", `SELECT * FROM notifications WHERE citizen_id = ? ORDER BY id`, own},
		{"texts.json", `SELECT t.* FROM texts t WHERE
			(t.owner_kind = 'case' AND t.owner_id IN (SELECT id FROM cases WHERE citizen_id = ?)) OR
			(t.owner_kind = 'case_event' AND t.owner_id IN (SELECT e.id FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.citizen_id = ?)) OR
			(t.owner_kind = 'booking' AND t.owner_id IN (SELECT id FROM bookings WHERE citizen_id = ?)) OR
			(t.owner_kind = 'notification' AND t.owner_id IN (SELECT id FROM notifications WHERE citizen_id = ?))
			ORDER BY t.owner_kind, t.owner_id, t.field, t.lang`, []any{id, id, id, id}},
		{"devices.json", `SELECT id, label, created_at, last_sent_at, failures FROM push_subscriptions WHERE citizen_id = ? ORDER BY id`, own},
		{"deliveries.json", `SELECT * FROM deliveries WHERE citizen_id = ? ORDER BY id`, own},
		{"relations.json", `SELECT r.id, r.kind, r.scopes, r.valid_from, r.valid_until, r.representative_id, rp.name AS representative_name,
			r.subject_id, sp.name AS subject_name, a.name AS agency
			FROM relations r JOIN citizens rp ON rp.id = r.representative_id JOIN citizens sp ON sp.id = r.subject_id
			JOIN agencies a ON a.id = r.agency_id WHERE r.representative_id = ? OR r.subject_id = ? ORDER BY r.id`, []any{id, id}},
		{"access-log.json", `SELECT * FROM audit_log WHERE subject_id = ? OR actor_id = ? ORDER BY id`, []any{id, id}},
		{"sessions.json", `SELECT acr, shared_device, user_agent, created_at, last_seen_at, idle_expires_at, absolute_expires_at
			FROM sessions WHERE citizen_id = ? ORDER BY created_at`, own},
	}
}

// Export writes everything the portal holds about the citizen as JSON files in a zip, and audits
// the export in the same transaction.
func (s *Service) Export(ctx context.Context, db *store.DB, citizenID, requestID string, now time.Time) ([]byte, error) {
	var out bytes.Buffer
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		out.Reset()
		zw := zip.NewWriter(&out)
		for _, f := range files(citizenID) {
			rows, err := query(ctx, tx, f.query, f.args...)
			if err != nil {
				return fmt.Errorf("account: export %s: %w", f.name, err)
			}
			var body any = rows
			if f.name == "profile.json" && len(rows) == 1 {
				body = rows[0]
			}
			w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: now.UTC()})
			if err != nil {
				return fmt.Errorf("account: export: %w", err)
			}
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			if err := enc.Encode(body); err != nil {
				return fmt.Errorf("account: export %s: %w", f.name, err)
			}
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("account: export: %w", err)
		}
		me := citizenID
		return audit.Record(ctx, tx, audit.Entry{At: store.UTC(now), ActorKind: audit.ActorCitizen, ActorID: &me, SubjectID: &me,
			Action: audit.ActionExport, ObjectKind: "citizen", ObjectID: me, RequestID: requestID})
	})
	if err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// query runs a SELECT into rows of column → value, leaving out hidden columns and turning bytes
// (SQLite text in a BLOB, PostgreSQL jsonb) into JSON or strings.
func query(ctx context.Context, db bun.IDB, q string, args ...any) ([]row, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []row{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := row{}
		for i, c := range cols {
			if hidden[c] {
				continue
			}
			r[c] = jsonValue(vals[i])
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case []byte:
		if json.Valid(x) && len(x) > 0 && (x[0] == '{' || x[0] == '[') {
			return json.RawMessage(bytes.Clone(x))
		}
		return string(x)
	case string:
		if len(x) > 0 && (x[0] == '{' || x[0] == '[') && json.Valid([]byte(x)) {
			return json.RawMessage(x)
		}
		return x
	case time.Time:
		return x.UTC()
	}
	return v
}
