package overview

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/i18n"
	"minside/backend/internal/textcheck"
)

// SearchHit is one match: what it is, its id, its title and agency; a service tile also has its link.
type SearchHit struct {
	Kind   string  `json:"kind"`
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Agency *Agency `json:"agency"`
	Link   string  `json:"link,omitempty"`
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
// notifications (title, body) containing q, in the reader's language and its fallbacks, and the
// service tiles offered to them (title, description, as they read them). Matching is
// case-insensitive for ASCII on SQLite and for every letter on PostgreSQL; for tiles, which are
// few and matched here, it ignores case and accents in every script ("barnehage", "sámi").
func (s *Service) Search(ctx context.Context, v Viewer, q string) ([]SearchHit, error) {
	q, problem := textcheck.Check(strings.TrimSpace(q), textcheck.Line)
	if n := utf8.RuneCountInString(q); n < searchMinRunes || n > searchMaxRunes || problem != nil {
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
	if !v.Cleared {
		cw += " AND NOT c.sensitive" // a withheld case's title is not searched (auth.Withholds)
	}
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
	if len(hits) < searchMaxHits {
		tileHits, err := s.searchTiles(ctx, sc, now, q, searchMaxHits-len(hits))
		if err != nil {
			return nil, err
		}
		hits = append(hits, tileHits...)
	}
	if err := s.auditRead(ctx, sc, sc.self.ID, audit.ActionReadSearch, "search", ""); err != nil {
		return nil, err
	}
	return hits, nil
}

// searchTiles finds the tiles offered to the viewer whose title or description, in the language
// the viewer reads them, holds q, ignoring case and accents.
func (s *Service) searchTiles(ctx context.Context, sc *scope, now time.Time, q string, max int) ([]SearchHit, error) {
	offered, err := s.loadTiles(ctx, sc, now, nil)
	if err != nil {
		return nil, err
	}
	want := folded(q)
	var hits []SearchHit
	for _, t := range offered {
		if len(hits) == max {
			break
		}
		if strings.Contains(folded(t.Title), want) || strings.Contains(folded(t.Description), want) {
			hits = append(hits, SearchHit{Kind: "tile", ID: t.ID, Title: t.Title, Agency: &t.Agency, Link: t.Link})
		}
	}
	return hits, nil
}

// folded is s for matching: lower case, without combining marks (so "á" and "a", "å" and "a"
// match; Arabic-script vowel marks go too), and the letters that carry their stroke in the letter
// itself spelled as on a keyboard without them (Norwegian ø æ, Sami đ ŧ ŋ, Polish ł).
func folded(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if plain, ok := strokeFree[r]; ok {
			b.WriteString(plain)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var strokeFree = map[rune]string{'ø': "o", 'æ': "ae", 'đ': "d", 'ŧ': "t", 'ŋ': "n", 'ł': "l"}
