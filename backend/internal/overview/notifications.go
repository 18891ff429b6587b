package overview

import (
	"context"
	"time"

	"minside/backend/internal/audit"
)

// Notification is a notification as lists, the overview and the changes feed show it.
type Notification struct {
	ID        string     `json:"id"`
	Agency    *Agency    `json:"agency"`
	Category  string     `json:"category"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      *string    `json:"link"`
	Urgency   string     `json:"urgency"`
	CreatedAt time.Time  `json:"createdAt"`
	ReadAt    *time.Time `json:"readAt"`
	Subject   *Person    `json:"subject"`
}

// Unread is the overview's notification summary: how many are unread, and the newest of them.
type Unread struct {
	Unread int            `json:"unread"`
	Items  []Notification `json:"items"`
}

// overviewNotifications is how many unread notifications the overview shows.
const overviewNotifications = 5

type notificationRow struct {
	ID         string     `bun:"id"`
	CitizenID  string     `bun:"citizen_id"`
	Category   string     `bun:"category"`
	Urgency    string     `bun:"urgency"`
	Link       string     `bun:"link"`
	ReadAt     *time.Time `bun:"read_at"`
	CreatedAt  time.Time  `bun:"created_at"`
	AgencySlug *string    `bun:"agency_slug"`
	AgencyName *string    `bun:"agency_name"`
	Total      int        `bun:"total"`
}

// notificationSelect also counts every matching row before LIMIT (a window function, on both
// engines), so the overview gets the unread count and the newest few in one query.
const notificationSelect = `SELECT n.id, n.citizen_id, n.category, n.urgency, n.link, n.read_at, n.created_at,
 a.slug AS agency_slug, a.name AS agency_name, COUNT(*) OVER () AS total
FROM notifications n LEFT JOIN agencies a ON a.id = n.agency_id
WHERE `

func (s *Service) loadNotifications(ctx context.Context, sc *scope, where string, args ...any) ([]Notification, int, error) {
	var rows []notificationRow
	if err := s.db.NewRaw(notificationSelect+where, args...).Scan(ctx, &rows); err != nil {
		return nil, 0, fail("notifications", err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	txt, err := s.loadTexts(ctx, ids, sc.viewer.Lang)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Notification, 0, len(rows))
	total := 0
	for _, r := range rows {
		total = r.Total
		ok, who := sc.seesAll(r.CitizenID)
		if !ok {
			continue
		}
		n := Notification{ID: r.ID, Category: r.Category, Title: txt.get(r.ID, "title"), Body: txt.get(r.ID, "body"),
			Urgency: r.Urgency, CreatedAt: r.CreatedAt.UTC(), ReadAt: utcPtr(r.ReadAt), Subject: who}
		if r.AgencySlug != nil {
			n.Agency = &Agency{Slug: *r.AgencySlug, Name: deref(r.AgencyName)}
		}
		if r.Link != "" {
			link := r.Link
			n.Link = &link
		}
		out = append(out, n)
	}
	return out, total, nil
}

// Notifications lists the viewer's notifications, newest first; unreadOnly keeps the unread.
func (s *Service) Notifications(ctx context.Context, v Viewer, unreadOnly bool, page PageRequest) (Page[Notification], error) {
	after, err := page.after()
	if err != nil {
		return Page[Notification]{}, err
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	sc, err := s.resolve(ctx, v, s.now())
	if err != nil {
		return Page[Notification]{}, err
	}
	where, args := sc.whose("n.citizen_id", "")
	if unreadOnly {
		where += " AND n.read_at IS NULL"
	}
	ks, kargs := keyset("n.created_at", "n.id", true, after)
	limit := page.limit()
	args = append(append(args, kargs...), limit+1)
	items, _, err := s.loadNotifications(ctx, sc, where+ks+" ORDER BY n.created_at DESC, n.id DESC LIMIT ?", args...)
	if err != nil {
		return Page[Notification]{}, err
	}
	if err := s.auditRead(ctx, sc, sc.self.ID, audit.ActionReadNotifications, "notification", ""); err != nil {
		return Page[Notification]{}, err
	}
	return pageOf(items, limit, func(n Notification) (time.Time, string) { return n.CreatedAt, n.ID }), nil
}

func (s *Service) notificationsByID(ctx context.Context, sc *scope, ids []string) (map[string]Notification, error) {
	out := map[string]Notification{}
	if len(ids) == 0 {
		return out, nil
	}
	where, args := sc.whose("n.citizen_id", "")
	items, _, err := s.loadNotifications(ctx, sc, where+" AND n.id IN (?)", append(args, inIDs(ids))...)
	for _, n := range items {
		out[n.ID] = n
	}
	return out, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
