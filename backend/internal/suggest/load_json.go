package suggest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// factsJSON builds a group of people's facts (and, when asked, their suggestions) as one JSON
// document: one round trip per chunk of the sweep, and one value for the driver to hand over
// instead of thousands of rows to scan. The ids are one array literal, read once (?0), every
// kind of fact keeps the order loadByKind gives it, and dates are written without a time zone so
// the session's does not matter.
const factsJSON = `WITH ids AS MATERIALIZED (SELECT ?0::uuid[] AS a)
SELECT json_build_object(
 'people', (SELECT json_agg(json_build_object('id', c.id, 'name', c.name,
     'birth_date', to_char(c.birth_date, 'YYYY-MM-DD"T00:00:00Z"'), 'district', c.district,
     'suggestions_off', p.suggestions_off, 'suggestions_off_agencies', p.suggestions_off_agencies) ORDER BY c.id)
   FROM citizens AS c LEFT JOIN preferences AS p ON p.citizen_id = c.id
   WHERE c.id = ANY((SELECT a FROM ids)::uuid[])),
 'relations', (SELECT json_agg(json_build_object('kind', r.kind, 'representative_id', r.representative_id,
     'subject_id', r.subject_id, 'valid_from', r.valid_from, 'valid_until', r.valid_until, 'subject_name', s.name,
     'subject_birth', to_char(s.birth_date, 'YYYY-MM-DD"T00:00:00Z"')) ORDER BY r.representative_id, s.birth_date, r.subject_id)
   FROM relations AS r
   JOIN agency_authorities AS aa ON aa.agency_id = r.agency_id AND aa.kind = r.kind
   JOIN citizens AS s ON s.id = r.subject_id
   WHERE r.representative_id = ANY((SELECT a FROM ids)::uuid[]) OR r.subject_id = ANY((SELECT a FROM ids)::uuid[])),
 'cases', (SELECT json_agg(json_build_object('id', c.id, 'citizen_id', c.citizen_id, 'kind', c.kind, 'status', c.status,
     'area', c.area, 'agency', a.slug, 'created_at', c.created_at, 'updated_at', c.updated_at))
   FROM cases AS c JOIN agencies AS a ON a.id = c.agency_id
   WHERE c.citizen_id = ANY((SELECT a FROM ids)::uuid[])),
 'bookings', (SELECT json_agg(json_build_object('id', b.id, 'citizen_id', b.citizen_id, 'place_name', b.place_name,
     'status', b.status, 'agency', a.slug, 'starts_at', b.starts_at, 'ends_at', b.ends_at) ORDER BY b.id)
   FROM bookings AS b JOIN agencies AS a ON a.id = b.agency_id
   WHERE b.citizen_id = ANY((SELECT a FROM ids)::uuid[])),
 'keys', (SELECT json_agg(json_build_object('id', k.id, 'citizen_id', k.citizen_id, 'facility', f.name,
     'status', k.status, 'agency', a.slug, 'valid_from', k.valid_from, 'valid_until', k.valid_until,
     'for_booking', k.booking_id IS NOT NULL) ORDER BY k.id)
   FROM keys AS k JOIN facilities AS f ON f.id = k.facility_id JOIN agencies AS a ON a.id = k.agency_id
   WHERE k.citizen_id = ANY((SELECT a FROM ids)::uuid[])),
 'suggestions', CASE WHEN ?1 THEN (SELECT json_agg(json_build_object('ID', s.id, 'RuleID', s.rule_id,
     'CitizenID', s.citizen_id, 'Occurrence', s.occurrence, 'State', s.state, 'Facts', s.facts, 'Event', s.event,
     'CreatedAt', s.created_at) ORDER BY s.id)
   FROM suggestions AS s WHERE s.citizen_id = ANY((SELECT a FROM ids)::uuid[])) END)`

// loadAsJSON reads what loadByKind reads, in one statement (PostgreSQL).
func loadAsJSON(ctx context.Context, db bun.IDB, ids []string, suggestions bool) (*factRows, error) {
	var doc []byte
	if err := db.NewRaw(factsJSON, pgdialect.Array(ids), suggestions).Scan(ctx, &doc); err != nil {
		return nil, fmt.Errorf("suggest: load facts: %w", err)
	}
	rows := &factRows{}
	if err := json.Unmarshal(doc, rows); err != nil {
		return nil, fmt.Errorf("suggest: decode facts: %w", err)
	}
	for i := range rows.Suggestions {
		if string(rows.Suggestions[i].Event) == "null" { // a state rule's: no event, as the column scan gives it
			rows.Suggestions[i].Event = nil
		}
	}
	return rows, nil
}
