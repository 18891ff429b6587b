package overview

import (
	"context"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/bookings"
	"minside/backend/internal/store"
)

// Place is where a booking is.
type Place struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	// OpeningHours is a key's facility's, in the reader's language, when its agency sends them.
	OpeningHours string `json:"openingHours,omitempty"`
}

// Booking is a booking as lists, the overview and the changes feed show it.
type Booking struct {
	ID               string     `json:"id"`
	Agency           Agency     `json:"agency"`
	Resource         string     `json:"resource"`
	Place            Place      `json:"place"`
	StartsAt         time.Time  `json:"startsAt"`
	EndsAt           time.Time  `json:"endsAt"`
	Status           string     `json:"status"`
	CancellableUntil *time.Time `json:"cancellableUntil"`
	CanCancel        bool       `json:"canCancel"`
	KeyID            *string    `json:"keyId"`
	Subject          *Person    `json:"subject"`
}

// Which bookings a list shows.
const (
	WhenUpcoming = "upcoming" // not yet ended, soonest first
	WhenPast     = "past"     // ended, latest first
)

// attentionWindow: a confirmed booking starting this soon is listed among what needs action.
const attentionWindow = 24 * time.Hour

type bookingRow struct {
	ID               string     `bun:"id" json:"id"`
	CitizenID        string     `bun:"citizen_id" json:"citizen_id"`
	Area             string     `bun:"area" json:"area"`
	PlaceName        string     `bun:"place_name" json:"place_name"`
	PlaceAddress     string     `bun:"place_address" json:"place_address"`
	StartsAt         time.Time  `bun:"starts_at" json:"starts_at"`
	EndsAt           time.Time  `bun:"ends_at" json:"ends_at"`
	Status           string     `bun:"status" json:"status"`
	CancellableUntil *time.Time `bun:"cancellable_until" json:"cancellable_until"`
	KeyID            *string    `bun:"key_id" json:"key_id"`
	AgencySlug       string     `bun:"agency_slug" json:"agency_slug"`
	AgencyName       string     `bun:"agency_name" json:"agency_name"`
}

const bookingSelect = `SELECT b.id, b.citizen_id, b.area, b.place_name, b.place_address, b.starts_at, b.ends_at, b.status,
 b.cancellable_until, (SELECT k.id FROM keys k WHERE k.booking_id = b.id ORDER BY k.id LIMIT 1) AS key_id,
 a.slug AS agency_slug, a.name AS agency_name
FROM bookings b JOIN agencies a ON a.id = b.agency_id
WHERE `

// queuedBookings is bookingSelect queued on reads with its texts.
type queuedBookings struct {
	rows  []bookingRow
	texts *queuedTexts
}

func queueBookings(reads *store.Reads, sc *scope, where string, args ...any) *queuedBookings {
	q := &queuedBookings{}
	reads.Add(&q.rows, bookingSelect+where, args...)
	q.texts = queueTexts(reads, bookingSelect+where, args, sc.viewer.Lang)
	return q
}

func (q *queuedBookings) visible(sc *scope, now time.Time) []Booking {
	txt := q.texts.picked()
	out := make([]Booking, 0, len(q.rows))
	for _, r := range q.rows {
		ok, who := sc.sees(r.CitizenID, r.Area)
		if !ok {
			continue
		}
		out = append(out, bookingOf(r, who, txt, now))
	}
	return out
}

func (s *Service) loadBookings(ctx context.Context, sc *scope, now time.Time, where string, args ...any) ([]Booking, error) {
	reads := s.db.NewReads()
	q := queueBookings(reads, sc, where, args...)
	if err := reads.Run(ctx); err != nil {
		return nil, fail("bookings", err)
	}
	return q.visible(sc, now), nil
}

func bookingOf(r bookingRow, who *Person, txt localTexts, now time.Time) Booking {
	b := Booking{ID: r.ID, Agency: Agency{Slug: r.AgencySlug, Name: r.AgencyName}, Resource: txt.get(r.ID, "resource"),
		Place: Place{Name: r.PlaceName, Address: r.PlaceAddress}, StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(),
		Status: r.Status, CancellableUntil: utcPtr(r.CancellableUntil), KeyID: r.KeyID, Subject: who}
	deadline := b.StartsAt
	if b.CancellableUntil != nil && b.CancellableUntil.Before(deadline) {
		deadline = *b.CancellableUntil
	}
	b.CanCancel = b.Status == bookings.StatusConfirmed && now.Before(deadline)
	return b
}

// needsAttention: a confirmed booking about to start (the citizen should get going, or cancel now).
func (b Booking) needsAttention(now time.Time) bool {
	return b.Status == bookings.StatusConfirmed && b.StartsAt.After(now) && b.StartsAt.Sub(now) <= attentionWindow
}

// Bookings lists the viewer's bookings: upcoming (default) soonest first, or past latest first.
func (s *Service) Bookings(ctx context.Context, v Viewer, when string, page PageRequest) (Page[Booking], error) {
	if when == "" {
		when = WhenUpcoming
	}
	if when != WhenUpcoming && when != WhenPast {
		return Page[Booking]{}, apperr.Invalid(apperr.Field("/when", "field.invalid", nil))
	}
	after, err := page.after()
	if err != nil {
		return Page[Booking]{}, err
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	now := utc(s.now())
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return Page[Booking]{}, err
	}
	where, args := sc.whose("b.citizen_id", "b.area")
	desc := when == WhenPast
	order := " ORDER BY b.starts_at, b.id LIMIT ?"
	if desc {
		where += " AND b.ends_at <= ?"
		order = " ORDER BY b.starts_at DESC, b.id DESC LIMIT ?"
	} else {
		where += " AND b.ends_at > ?"
	}
	args = append(args, now)
	ks, kargs := keyset("b.starts_at", "b.id", desc, after)
	limit := page.limit()
	args = append(append(args, kargs...), limit+1)
	items, err := s.loadBookings(ctx, sc, now, where+ks+order, args...)
	if err != nil {
		return Page[Booking]{}, err
	}
	if err := s.auditRead(ctx, sc, sc.self.ID, audit.ActionReadBookings, "booking", ""); err != nil {
		return Page[Booking]{}, err
	}
	return pageOf(items, limit, func(b Booking) (time.Time, string) { return b.StartsAt, b.ID }), nil
}

func (s *Service) bookingsByID(ctx context.Context, sc *scope, now time.Time, ids []string) (map[string]Booking, error) {
	out := map[string]Booking{}
	if len(ids) == 0 {
		return out, nil
	}
	where, args := sc.whose("b.citizen_id", "b.area")
	items, err := s.loadBookings(ctx, sc, now, where+" AND b.id IN (?)", append(args, inIDs(ids))...)
	for _, b := range items {
		out[b.ID] = b
	}
	return out, err
}
