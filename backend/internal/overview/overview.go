package overview

import (
	"cmp"
	"context"
	"slices"
	"time"

	"minside/backend/internal/audit"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/keys"
)

// Overview is everything the first screen shows, in one answer.
type Overview struct {
	GeneratedAt   time.Time     `json:"generatedAt"`
	Cursor        string        `json:"cursor"` // start the changes feed here
	Person        Person        `json:"person"`
	ActingAs      *Person       `json:"actingAs"`
	NeedsAction   []Item        `json:"needsAction"`
	Upcoming      []Booking     `json:"upcoming"`
	Keys          []Key         `json:"keys"`
	Notifications Unread        `json:"notifications"`
	Recent        []Case        `json:"recent"`
	Tiles         []Tile        `json:"tiles"`
	People        []PersonCount `json:"people"`
}

// Item is something that needs the citizen: a case awaiting them, a booking about to start.
type Item struct {
	Kind       string     `json:"kind"`
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Agency     Agency     `json:"agency"`
	DueAt      *time.Time `json:"dueAt"`
	NextAction *string    `json:"nextAction"`
	Subject    *Person    `json:"subject"`
}

// PersonCount is someone the citizen may act for and how much needs action for them.
type PersonCount struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Relation    string `json:"relation"`
	NeedsAction int    `json:"needsAction"`
}

// How much each section of the overview holds.
const (
	overviewCases    = 100 // most recently updated cases read: awaiting ones and the recent five
	overviewRecent   = 5
	overviewUpcoming = 10
	overviewKeys     = 20
)

// Prepared is the cheap first half of an overview: who asks and the version of everything it would
// show, so an unchanged overview is answered 304 without building it.
type Prepared struct {
	sc   *scope
	now  time.Time
	ETag string
}

// Prepare resolves the viewer and computes the overview's ETag in three indexed queries.
func (s *Service) Prepare(ctx context.Context, v Viewer) (*Prepared, error) {
	ctx, cancel := s.read(ctx)
	defer cancel()
	now := utc(s.now())
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return nil, err
	}
	tag, err := s.etag(ctx, sc, now)
	if err != nil {
		return nil, err
	}
	return &Prepared{sc: sc, now: now, ETag: tag}, nil
}

// Build reads the overview that Prepare described.
func (s *Service) Build(ctx context.Context, p *Prepared) (*Overview, error) {
	ctx, cancel := s.read(ctx)
	defer cancel()
	sc, now := p.sc, p.now
	head, err := changes.Head(ctx, s.db, now)
	if err != nil {
		return nil, fail("head", err)
	}
	o := &Overview{GeneratedAt: now.Truncate(time.Minute), Cursor: head.String(),
		Person: Person{ID: sc.me.ID, Name: sc.me.Name}, NeedsAction: []Item{}, People: []PersonCount{}}
	if sc.viewer.ActingAs() {
		o.ActingAs = &Person{ID: sc.self.ID, Name: sc.self.Name}
	}

	where, args := sc.whose("c.citizen_id", "c.area")
	cs, err := s.loadCases(ctx, sc, where+" ORDER BY c.updated_at DESC, c.id DESC LIMIT ?", append(args, overviewCases)...)
	if err != nil {
		return nil, err
	}
	o.Recent = cs[:min(len(cs), overviewRecent)]
	for _, c := range cs {
		if c.Status == cases.StatusAwaitingCitizen {
			it := Item{Kind: "case", ID: c.ID, Title: c.Title, Agency: c.Agency, Subject: c.Subject}
			if c.NextAction != nil {
				it.DueAt = c.NextAction.DueAt
				if c.NextAction.Text != "" {
					it.NextAction = &c.NextAction.Text
				}
			}
			o.NeedsAction = append(o.NeedsAction, it)
		}
	}

	where, args = sc.whose("b.citizen_id", "b.area")
	bs, err := s.loadBookings(ctx, sc, now, where+" AND b.ends_at > ? AND b.status = ? ORDER BY b.starts_at, b.id LIMIT ?",
		append(args, now, bookings.StatusConfirmed, overviewUpcoming)...)
	if err != nil {
		return nil, err
	}
	o.Upcoming = bs
	for _, b := range bs {
		if b.needsAttention(now) {
			due := b.StartsAt
			o.NeedsAction = append(o.NeedsAction, Item{Kind: "booking", ID: b.ID, Title: b.Resource, Agency: b.Agency, DueAt: &due, Subject: b.Subject})
		}
	}
	slices.SortStableFunc(o.NeedsAction, func(a, b Item) int {
		switch {
		case a.DueAt == nil && b.DueAt == nil:
			return 0
		case a.DueAt == nil:
			return 1
		case b.DueAt == nil:
			return -1
		}
		return a.DueAt.Compare(*b.DueAt)
	})

	where, args = sc.whose("k.citizen_id", "")
	if o.Keys, err = s.loadKeys(ctx, sc, now, where+" AND k.status = ? AND k.valid_until > ? ORDER BY k.valid_until, k.id LIMIT ?",
		append(args, keys.StatusActive, now, overviewKeys)...); err != nil {
		return nil, err
	}

	where, args = sc.whose("n.citizen_id", "")
	items, total, err := s.loadNotifications(ctx, sc, where+" AND n.read_at IS NULL ORDER BY n.created_at DESC, n.id DESC LIMIT ?",
		append(args, overviewNotifications)...)
	if err != nil {
		return nil, err
	}
	o.Notifications = Unread{Unread: total, Items: items}

	if o.Tiles, err = s.loadTiles(ctx, sc, now, nil); err != nil {
		return nil, err
	}
	if o.People, err = s.peopleCounts(ctx, sc, now); err != nil {
		return nil, err
	}
	if err := s.auditRead(ctx, sc, sc.self.ID, audit.ActionReadOverview, "overview", ""); err != nil {
		return nil, err
	}
	return o, nil
}

type countRow struct {
	CitizenID string `bun:"citizen_id"`
	Area      string `bun:"area"`
	N         int    `bun:"n"`
}

// peopleCounts counts, for everyone the logged-in person may act for, the cases awaiting them and
// the bookings about to start, within the areas the relation covers.
func (s *Service) peopleCounts(ctx context.Context, sc *scope, now time.Time) ([]PersonCount, error) {
	out := make([]PersonCount, 0, len(sc.links))
	if len(sc.links) == 0 {
		return out, nil
	}
	ids := make([]string, len(sc.links))
	for i, l := range sc.links {
		ids[i] = l.ID
	}
	var rows []countRow
	if err := s.db.NewRaw(`SELECT citizen_id, area, COUNT(*) AS n FROM cases WHERE citizen_id IN (?) AND status = ? GROUP BY citizen_id, area
UNION ALL
SELECT citizen_id, area, COUNT(*) AS n FROM bookings WHERE citizen_id IN (?) AND status = ? AND starts_at > ? AND starts_at <= ? GROUP BY citizen_id, area`,
		inIDs(ids), cases.StatusAwaitingCitizen, inIDs(ids), bookings.StatusConfirmed, now, now.Add(attentionWindow)).Scan(ctx, &rows); err != nil {
		return nil, fail("people counts", err)
	}
	for _, l := range sc.links {
		pc := PersonCount{ID: l.ID, Name: l.Name, Relation: l.Relation}
		for _, r := range rows {
			if r.CitizenID == l.ID && (l.Scopes == nil || slices.Contains(l.Scopes, r.Area)) {
				pc.NeedsAction += r.N
			}
		}
		out = append(out, pc)
	}
	slices.SortStableFunc(out, func(a, b PersonCount) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}
