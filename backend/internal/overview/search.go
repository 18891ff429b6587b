package overview

import (
	"context"
	"strings"
	"unicode/utf8"

	"minside/backend/internal/apperr"
	"minside/backend/internal/i18n"
	"minside/backend/internal/textcheck"
)

// SearchHit is one match: what it is, its id, its title and agency.
type SearchHit struct {
	Kind   string  `json:"kind"`
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Agency *Agency `json:"agency"`
}

// Search bounds: a query shorter than this finds too much, longer is not a search.
const (
	searchMinRunes = 2
	searchMaxRunes = 100
	searchMaxHits  = 50
)

type hitRow struct {
	Kind string `bun:"kind" json:"kind"`
	ID   string `bun:"id" json:"id"`
}

// Search finds the viewer's cases (title), bookings (resource, place), keys (facility) and
// notifications (title, body) containing q, in the reader's language and its fallbacks. Matching
// is case-insensitive for ASCII on SQLite and for every letter on PostgreSQL.
func (s *Service) Search(ctx context.Context, v Viewer, q string) ([]SearchHit, error) {
	q = strings.TrimSpace(q)
	if n := utf8.RuneCountInString(q); n < searchMinRunes || n > searchMaxRunes || !textcheck.Clean(q, textcheck.Line) {
		return nil, apperr.Invalid(apperr.Field("/q", "field.invalid", map[string]any{"Min": searchMinRunes, "Max": searchMaxRunes}))
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	now := utc(s.now())
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return nil, err
	}
	like := "%" + strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(strings.ToLower(q)) + "%"
	chain := inIDs(i18n.Chain(v.Lang))
	cw, cargs := sc.whose("c.citizen_id", "c.area")
	bw, bargs := sc.whose("b.citizen_id", "b.area")
	kw, kargs := sc.whose("k.citizen_id", "")
	nw, nargs := sc.whose("n.citizen_id", "")
	query := `SELECT 'case' AS kind, c.id AS id FROM cases c JOIN texts t ON t.owner_id = c.id AND t.owner_kind = 'case' AND t.field = 'title'
WHERE ` + cw + ` AND t.lang IN (?) AND LOWER(t.value) LIKE ? ESCAPE '!'
UNION
SELECT 'booking', b.id FROM bookings b LEFT JOIN texts t ON t.owner_id = b.id AND t.owner_kind = 'booking' AND t.field = 'resource' AND t.lang IN (?)
WHERE ` + bw + ` AND (LOWER(t.value) LIKE ? ESCAPE '!' OR LOWER(b.place_name) LIKE ? ESCAPE '!' OR LOWER(b.place_address) LIKE ? ESCAPE '!')
UNION
SELECT 'key', k.id FROM keys k JOIN facilities f ON f.id = k.facility_id
WHERE ` + kw + ` AND (LOWER(f.name) LIKE ? ESCAPE '!' OR LOWER(f.address) LIKE ? ESCAPE '!')
UNION
SELECT 'notification', n.id FROM notifications n JOIN texts t ON t.owner_id = n.id AND t.owner_kind = 'notification' AND t.field IN ('title', 'body')
WHERE ` + nw + ` AND t.lang IN (?) AND LOWER(t.value) LIKE ? ESCAPE '!'
LIMIT ?`
	var args []any
	args = append(append(args, cargs...), chain, like)
	args = append(append(args, chain), bargs...)
	args = append(args, like, like, like)
	args = append(append(args, kargs...), like, like)
	args = append(append(args, nargs...), chain, like, searchMaxHits)
	var rows []hitRow
	if err := s.db.NewRaw(query, args...).Scan(ctx, &rows); err != nil {
		return nil, fail("search", err)
	}
	ids := map[string][]string{}
	for _, r := range rows {
		ids[r.Kind] = append(ids[r.Kind], r.ID)
	}
	objects, err := s.objects(ctx, sc, ids)
	if err != nil {
		return nil, err
	}
	hits := []SearchHit{}
	for _, r := range rows {
		switch o := objects[r.Kind][r.ID].(type) {
		case Case:
			hits = append(hits, SearchHit{Kind: r.Kind, ID: r.ID, Title: o.Title, Agency: &o.Agency})
		case Booking:
			hits = append(hits, SearchHit{Kind: r.Kind, ID: r.ID, Title: o.Resource, Agency: &o.Agency})
		case Key:
			hits = append(hits, SearchHit{Kind: r.Kind, ID: r.ID, Title: o.Facility.Name, Agency: &o.Agency})
		case Notification:
			hits = append(hits, SearchHit{Kind: r.Kind, ID: r.ID, Title: o.Title, Agency: o.Agency})
		}
	}
	if err := s.auditRead(ctx, sc, sc.self.ID, "read.search", "search", ""); err != nil {
		return nil, err
	}
	return hits, nil
}
