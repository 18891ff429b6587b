package overview

import (
	"context"
	"time"

	"minside/backend/internal/audit"
	"minside/backend/internal/store"
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
	ID         string     `bun:"id" json:"id"`
	CitizenID  string     `bun:"citizen_id" json:"citizen_id"`
	Category   string     `bun:"category" json:"category"`
	Urgency    string     `bun:"urgency" json:"urgency"`
	Link       string     `bun:"link" json:"link"`
	ReadAt     *time.Time `bun:"read_at" json:"read_at"`
	CreatedAt  time.Time  `bun:"created_at" json:"created_at"`
	AgencySlug *string    `bun:"agency_slug" json:"agency_slug"`
	AgencyName *string    `bun:"agency_name" json:"agency_name"`
	Total      int        `bun:"total" json:"total"`
}

// notificationSelect also counts every matching row before LIMIT (a window function, on both
// engines), so the overview gets the unread count and the newest few in one query.
const notificationSelect = `SELECT n.id, n.citizen_id, n.category, n.urgency, n.link, n.read_at, n.created_at,
 a.slug AS agency_slug, a.name AS agency_name, COUNT(*) OVER () AS total
FROM notifications n LEFT JOIN agencies a ON a.id = n.agency_id
WHERE `

// queuedNotifications is notificationSelect queued on reads with its texts.
type queuedNotifications struct {
	rows  []notificationRow
	texts *queuedTexts
}

func queueNotifications(reads *store.Reads, sc *scope, where string, args ...any) *queuedNotifications {
	q := &queuedNotifications{}
	reads.Add(&q.rows, notificationSelect+where, args...)
	q.texts = queueTexts(reads, notificationSelect+where, args, sc.viewer.Lang)
	return q
}

// queueUnread queues the overview's notification section: how many are unread and the newest few.
// The changes feed sends the same when it carries notifications, so a badge never needs the overview.
func queueUnread(reads *store.Reads, sc *scope) *queuedNotifications {
	where, args := sc.whose("n.citizen_id", "")
	return queueNotifications(reads, sc, where+" AND n.read_at IS NULL ORDER BY n.created_at DESC, n.id DESC LIMIT ?",
		append(args, overviewNotifications)...)
}

// unreadSummary is the section queueUnread read.
func (q *queuedNotifications) unreadSummary(sc *scope) Unread {
	items, total := q.visible(sc)
	return Unread{Unread: total, Items: items}
}

func (s *Service) loadNotifications(ctx context.Context, sc *scope, where string, args ...any) ([]Notification, int, error) {
	reads := s.db.NewReads()
	q := queueNotifications(reads, sc, where, args...)
	if err := reads.Run(ctx); err != nil {
		return nil, 0, fail("notifications", err)
	}
	items, total := q.visible(sc)
	return items, total, nil
}

// visible localizes the rows the viewer may see, and the count of every matching row.
func (q *queuedNotifications) visible(sc *scope) ([]Notification, int) {
	rows, txt := q.rows, q.texts.picked()
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
	return out, total
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
