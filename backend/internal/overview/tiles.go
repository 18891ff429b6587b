package overview

import (
	"context"
	"slices"
	"time"

	"minside/backend/internal/cases"
	"minside/backend/internal/store"
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
	ID         string          `bun:"id" json:"id"`
	Link       string          `bun:"link" json:"link"`
	Icon       string          `bun:"icon" json:"icon"`
	Category   string          `bun:"category" json:"category"`
	Targeting  tiles.Targeting `bun:"targeting" json:"targeting"`
	CreatedAt  time.Time       `bun:"created_at" json:"created_at"`
	AgencySlug string          `bun:"agency_slug" json:"agency_slug"`
	AgencyName string          `bun:"agency_name" json:"agency_name"`
}

const tileSelect = `SELECT t.id, t.link, t.icon, t.category, t.targeting, t.created_at, a.slug AS agency_slug, a.name AS agency_name
FROM tiles t JOIN agencies a ON a.id = t.agency_id
WHERE t.status = 'published' AND (t.publish_from IS NULL OR t.publish_from <= ?) AND (t.publish_until IS NULL OR t.publish_until > ?)`

// queuedTiles is tileSelect queued on reads with the tiles' texts and the subject's open case kinds
// (what targeting on case kinds looks at).
type queuedTiles struct {
	rows  []tileRow
	kinds []kindRow
	texts *queuedTexts
}

type kindRow struct {
	Kind string `bun:"kind" json:"kind"`
}

func queueTiles(reads *store.Reads, sc *scope, now time.Time, ids []string) *queuedTiles {
	q := &queuedTiles{}
	query, args := tileSelect, []any{now, now}
	if ids != nil {
		query += " AND t.id IN (?)"
		args = append(args, inIDs(ids))
	}
	query += " ORDER BY t.created_at, t.id LIMIT ?"
	args = append(args, maxTiles)
	reads.Add(&q.rows, query, args...)
	q.texts = queueTexts(reads, query, args, sc.viewer.Lang)
	reads.Add(&q.kinds, `SELECT DISTINCT kind FROM cases WHERE citizen_id = ? AND status NOT IN (?, ?)`,
		sc.self.ID, cases.StatusDecided, cases.StatusClosed)
	return q
}

// loadTiles reads the published tiles in their window that target the audience, oldest first.
func (s *Service) loadTiles(ctx context.Context, sc *scope, now time.Time, ids []string) ([]Tile, error) {
	reads := s.db.NewReads()
	q := queueTiles(reads, sc, now, ids)
	if err := reads.Run(ctx); err != nil {
		return nil, fail("tiles", err)
	}
	return q.visible(sc, now)
}

// visible keeps the tiles that target the audience, localized.
func (q *queuedTiles) visible(sc *scope, now time.Time) ([]Tile, error) {
	aud := audienceOf(sc)
	kinds := make([]string, len(q.kinds))
	for i, k := range q.kinds {
		kinds[i] = k.Kind
	}
	aud.OpenKinds = func() ([]string, error) { return kinds, nil }
	txt := q.texts.picked()
	out := make([]Tile, 0, len(q.rows))
	for _, r := range q.rows {
		ok, err := r.Targeting.Matches(*aud, now)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, Tile{ID: r.ID, Agency: Agency{Slug: r.AgencySlug, Name: r.AgencyName}, Title: txt.get(r.ID, "title"),
				Description: txt.get(r.ID, "description"), Link: r.Link, Icon: r.Icon, Category: r.Category, createdAt: r.CreatedAt.UTC()})
		}
	}
	return out, nil
}

// audienceOf is what tile targeting looks at for the subject; children count only when the viewer
// is not acting for someone (a guardian's tiles are theirs, not their child's).
func audienceOf(sc *scope) *tiles.Audience {
	aud := &tiles.Audience{Birth: sc.self.BirthDate, District: sc.self.District}
	if !sc.viewer.ActingAs() {
		for _, l := range sc.links {
			if l.Relation == "guardian" {
				aud.Children = append(aud.Children, l.birthDate)
			}
		}
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
