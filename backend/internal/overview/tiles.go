package overview

import (
	"context"
	"slices"
	"time"

	"minside/backend/internal/cases"
	"minside/backend/internal/tiles"
)

// Tile is a service tile as lists, the overview and the changes feed show it.
type Tile struct {
	ID          string `json:"id"`
	Agency      Agency `json:"agency"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Link        string `json:"link"`
	Icon        string `json:"icon"`
	Category    string `json:"category"`
	createdAt   time.Time
}

// maxTiles bounds how many published tiles are considered; a municipality publishes dozens.
const maxTiles = 500

type tileRow struct {
	ID         string          `bun:"id"`
	Link       string          `bun:"link"`
	Icon       string          `bun:"icon"`
	Category   string          `bun:"category"`
	Targeting  tiles.Targeting `bun:"targeting"`
	CreatedAt  time.Time       `bun:"created_at"`
	AgencySlug string          `bun:"agency_slug"`
	AgencyName string          `bun:"agency_name"`
}

const tileSelect = `SELECT t.id, t.link, t.icon, t.category, t.targeting, t.created_at, a.slug AS agency_slug, a.name AS agency_name
FROM tiles t JOIN agencies a ON a.id = t.agency_id
WHERE t.status = 'published' AND (t.publish_from IS NULL OR t.publish_from <= ?) AND (t.publish_until IS NULL OR t.publish_until > ?)`

// loadTiles reads the published tiles in their window that target the audience, oldest first.
func (s *Service) loadTiles(ctx context.Context, sc *scope, now time.Time, ids []string) ([]Tile, error) {
	var rows []tileRow
	q, args := tileSelect, []any{now, now}
	if ids != nil {
		q += " AND t.id IN (?)"
		args = append(args, inIDs(ids))
	}
	if err := s.db.NewRaw(q+" ORDER BY t.created_at, t.id LIMIT ?", append(args, maxTiles)...).Scan(ctx, &rows); err != nil {
		return nil, fail("tiles", err)
	}
	aud := s.audienceOf(ctx, sc)
	var kept []tileRow
	for _, r := range rows {
		ok, err := r.Targeting.Matches(*aud, now)
		if err != nil {
			return nil, err
		}
		if ok {
			kept = append(kept, r)
		}
	}
	tileIDs := make([]string, len(kept))
	for i, r := range kept {
		tileIDs[i] = r.ID
	}
	txt, err := s.loadTexts(ctx, tileIDs, sc.viewer.Lang)
	if err != nil {
		return nil, err
	}
	out := make([]Tile, 0, len(kept))
	for _, r := range kept {
		out = append(out, Tile{ID: r.ID, Agency: Agency{Slug: r.AgencySlug, Name: r.AgencyName}, Title: txt.get(r.ID, "title"),
			Description: txt.get(r.ID, "description"), Link: r.Link, Icon: r.Icon, Category: r.Category, createdAt: r.CreatedAt.UTC()})
	}
	return out, nil
}

// audienceOf is what tile targeting looks at for the subject; children count only when the viewer
// is not acting for someone (a guardian's tiles are theirs, not their child's).
func (s *Service) audienceOf(ctx context.Context, sc *scope) *tiles.Audience {
	aud := &tiles.Audience{Birth: sc.self.BirthDate, District: sc.self.District}
	if !sc.viewer.ActingAs() {
		for _, l := range sc.links {
			if l.Relation == "guardian" {
				aud.Children = append(aud.Children, l.birthDate)
			}
		}
	}
	var kinds []string
	var loaded bool
	aud.OpenKinds = func() ([]string, error) {
		if loaded {
			return kinds, nil
		}
		err := s.db.NewRaw(`SELECT DISTINCT kind FROM cases WHERE citizen_id = ? AND status NOT IN (?, ?)`,
			sc.self.ID, cases.StatusDecided, cases.StatusClosed).Scan(ctx, &kinds)
		loaded = err == nil
		return kinds, fail("open case kinds", err)
	}
	return aud
}

// Tiles lists the tiles targeted at the viewer, oldest first.
func (s *Service) Tiles(ctx context.Context, v Viewer, page PageRequest) (Page[Tile], error) {
	after, err := page.after()
	if err != nil {
		return Page[Tile]{}, err
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	now := utc(s.now())
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return Page[Tile]{}, err
	}
	all, err := s.loadTiles(ctx, sc, now, nil)
	if err != nil {
		return Page[Tile]{}, err
	}
	if after != nil {
		i := slices.IndexFunc(all, func(t Tile) bool {
			return t.createdAt.After(after.at) || (t.createdAt.Equal(after.at) && t.ID > after.id)
		})
		if i < 0 {
			i = len(all)
		}
		all = all[i:]
	}
	limit := page.limit()
	if len(all) > limit+1 {
		all = all[:limit+1]
	}
	return pageOf(all, limit, func(t Tile) (time.Time, string) { return t.createdAt, t.ID }), nil
}
