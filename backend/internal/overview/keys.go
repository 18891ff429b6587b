package overview

import (
	"context"
	"slices"
	"time"

	"minside/backend/internal/audit"
	"minside/backend/internal/doors"
	"minside/backend/internal/keys"
	"minside/backend/internal/store"
)

// AccessPoint is a door a key opens. OutOfOrder: its lock adapter was down at the last manifest
// poll, or reports this door out of order; pressing "open" will most likely fail.
type AccessPoint struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	OutOfOrder bool   `json:"outOfOrder"`
}

// Window is a period in which a key works.
type Window struct {
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
}

// Key is a key as lists, the overview and the changes feed show it. ValidNow says a door would open
// now; NextWindow is the window open now, else the next one (nil when none is left).
type Key struct {
	ID           string        `json:"id"`
	Agency       Agency        `json:"agency"`
	Facility     Place         `json:"facility"`
	AccessPoints []AccessPoint `json:"accessPoints"`
	Status       string        `json:"status"`
	ValidNow     bool          `json:"validNow"`
	NextWindow   *Window       `json:"nextWindow"`
	BookingID    *string       `json:"bookingId"`
	Subject      *Person       `json:"subject"`
	validUntil   time.Time
}

type keyRow struct {
	ID           string    `bun:"id" json:"id"`
	CitizenID    string    `bun:"citizen_id" json:"citizen_id"`
	Status       string    `bun:"status" json:"status"`
	BookingID    *string   `bun:"booking_id" json:"booking_id"`
	ValidUntil   time.Time `bun:"valid_until" json:"valid_until"`
	FacilityID   string    `bun:"facility_id" json:"facility_id"`
	FacilityName string    `bun:"facility_name" json:"facility_name"`
	FacilityAddr string    `bun:"facility_address" json:"facility_address"`
	AgencySlug   string    `bun:"agency_slug" json:"agency_slug"`
	AgencyName   string    `bun:"agency_name" json:"agency_name"`
}

const keySelect = `SELECT k.id, k.citizen_id, k.status, k.booking_id, k.valid_until, k.facility_id,
 f.name AS facility_name, f.address AS facility_address, a.slug AS agency_slug, a.name AS agency_name
FROM keys k JOIN facilities f ON f.id = k.facility_id JOIN agencies a ON a.id = k.agency_id
WHERE `

type windowRow struct {
	KeyID    string    `bun:"key_id" json:"key_id"`
	StartsAt time.Time `bun:"starts_at" json:"starts_at"`
	EndsAt   time.Time `bun:"ends_at" json:"ends_at"`
}

type accessPointRow struct {
	KeyID        string  `bun:"key_id" json:"key_id"`
	ID           string  `bun:"id" json:"id"`
	Name         string  `bun:"name" json:"name"`
	ExternalID   string  `bun:"external_id" json:"external_id"`
	LockStatus   *string `bun:"lock_status" json:"lock_status"`
	LockOutDoors *string `bun:"lock_out" json:"lock_out"`
}

// queuedKeys is keySelect queued on reads with the keys' windows not yet ended and their doors.
type queuedKeys struct {
	rows         []keyRow
	windows      []windowRow
	accessPoints []accessPointRow
	facilities   *queuedTexts // the facilities' opening hours
}

func queueKeys(reads *store.Reads, now time.Time, lang, where string, args ...any) *queuedKeys {
	q := &queuedKeys{}
	reads.Add(&q.rows, keySelect+where, args...)
	ofKeys := "SELECT owners.id FROM (" + keySelect + where + ") owners"
	reads.Add(&q.windows, `SELECT key_id, starts_at, ends_at FROM key_windows WHERE key_id IN (`+ofKeys+`) AND ends_at > ? ORDER BY starts_at, key_id`,
		append(slices.Clone(args), now)...)
	reads.Add(&q.accessPoints, `SELECT kap.key_id, ap.id, ap.name, ap.external_id, la.status AS lock_status, la.doors_out_of_order AS lock_out
FROM key_access_points kap JOIN access_points ap ON ap.id = kap.access_point_id
LEFT JOIN lock_adapters la ON la.facility_id = ap.facility_id
WHERE kap.key_id IN (`+ofKeys+`) ORDER BY ap.name, ap.id`, args...)
	ofFacilities := "SELECT k.facility_id AS id FROM keys k JOIN facilities f ON f.id = k.facility_id JOIN agencies a ON a.id = k.agency_id WHERE " + where
	q.facilities = queueTexts(reads, ofFacilities, args, lang)
	return q
}

// loadKeys reads keys with their doors and their current or next window.
func (s *Service) loadKeys(ctx context.Context, sc *scope, now time.Time, where string, args ...any) ([]Key, error) {
	reads := s.db.NewReads()
	q := queueKeys(reads, now, sc.viewer.Lang, where, args...)
	if err := reads.Run(ctx); err != nil {
		return nil, fail("keys", err)
	}
	return q.visible(sc, now), nil
}

// visible assembles the keys the viewer may see.
func (q *queuedKeys) visible(sc *scope, now time.Time) []Key {
	rows, windows, accessPoints := q.rows, q.windows, q.accessPoints
	hours := q.facilities.picked()
	out := make([]Key, 0, len(rows))
	for _, r := range rows {
		ok, who := sc.seesAll(r.CitizenID)
		if !ok {
			continue
		}
		k := Key{ID: r.ID, Agency: Agency{Slug: r.AgencySlug, Name: r.AgencyName}, Facility: Place{Name: r.FacilityName, Address: r.FacilityAddr, OpeningHours: hours.get(r.FacilityID, "opening_hours")},
			AccessPoints: []AccessPoint{}, Status: r.Status, BookingID: r.BookingID, Subject: who, validUntil: r.ValidUntil.UTC()}
		for _, w := range windows { // ordered by start, none ended: the first is open now or next
			if w.KeyID == r.ID {
				k.NextWindow = &Window{StartsAt: w.StartsAt.UTC(), EndsAt: w.EndsAt.UTC()}
				k.ValidNow = r.Status == keys.StatusActive && !w.StartsAt.After(now)
				break
			}
		}
		for _, d := range accessPoints {
			if d.KeyID == r.ID {
				broken := d.LockStatus != nil && doors.DoorOutOfOrder(*d.LockStatus, deref(d.LockOutDoors), d.ExternalID)
				k.AccessPoints = append(k.AccessPoints, AccessPoint{ID: d.ID, Name: d.Name, OutOfOrder: broken})
			}
		}
		out = append(out, k)
	}
	return out
}

// Keys lists the viewer's keys, the latest ending first.
func (s *Service) Keys(ctx context.Context, v Viewer, page PageRequest) (Page[Key], error) {
	after, err := page.after()
	if err != nil {
		return Page[Key]{}, err
	}
	ctx, cancel := s.read(ctx)
	defer cancel()
	now := utc(s.now())
	sc, err := s.resolve(ctx, v, now)
	if err != nil {
		return Page[Key]{}, err
	}
	where, args := sc.whose("k.citizen_id", "")
	ks, kargs := keyset("k.valid_until", "k.id", true, after)
	limit := page.limit()
	args = append(append(args, kargs...), limit+1)
	items, err := s.loadKeys(ctx, sc, now, where+ks+" ORDER BY k.valid_until DESC, k.id DESC LIMIT ?", args...)
	if err != nil {
		return Page[Key]{}, err
	}
	if err := s.auditRead(ctx, sc, sc.self.ID, audit.ActionReadKeys, "key", ""); err != nil {
		return Page[Key]{}, err
	}
	return pageOf(items, limit, func(k Key) (time.Time, string) { return k.validUntil, k.ID }), nil
}

func (s *Service) keysByID(ctx context.Context, sc *scope, now time.Time, ids []string) (map[string]Key, error) {
	out := map[string]Key{}
	if len(ids) == 0 {
		return out, nil
	}
	where, args := sc.whose("k.citizen_id", "")
	items, err := s.loadKeys(ctx, sc, now, where+" AND k.id IN (?)", append(args, inIDs(ids))...)
	for _, k := range items {
		out[k.ID] = k
	}
	return out, err
}
