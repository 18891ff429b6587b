package suggest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/represent"
	"minside/backend/internal/tiles"
)

// People is the facts of several people loaded together, with what each has chosen about
// suggestions; a person who turned suggestions off is not loaded at all (nothing is evaluated
// about them).
type People struct {
	Facts      []*Facts
	offAgencys map[string][]string // citizen id → agency slugs the person turned off
}

// OffAgencies lists the agencies whose suggestions the person turned off.
func (p *People) OffAgencies(citizenID string) []string { return p.offAgencys[citizenID] }

type personRow struct {
	ID          string    `bun:"id"`
	Name        string    `bun:"name"`
	BirthDate   time.Time `bun:"birth_date"`
	District    string    `bun:"district"`
	Off         *bool     `bun:"suggestions_off"`
	OffAgencies []string  `bun:"suggestions_off_agencies"`
}

// LoadFacts reads the facts of the people ids at now in one statement per kind of fact (set
// based, so the daily sweep costs a handful of statements per thousand people, not per person).
func LoadFacts(ctx context.Context, db bun.IDB, ids []string, now time.Time) (*People, error) {
	out := &People{offAgencys: map[string][]string{}}
	if len(ids) == 0 {
		return out, nil
	}
	var people []personRow
	if err := db.NewSelect().TableExpr("citizens AS c").
		ColumnExpr("c.id, c.name, c.birth_date, c.district, p.suggestions_off, p.suggestions_off_agencies").
		Join("LEFT JOIN preferences AS p ON p.citizen_id = c.id").
		Where("c.id IN (?)", bun.In(ids)).OrderExpr("c.id").Scan(ctx, &people); err != nil {
		return nil, fmt.Errorf("suggest: load people: %w", err)
	}
	byID := map[string]*Facts{}
	for _, p := range people {
		if p.Off != nil && *p.Off {
			continue
		}
		birth := midnight(p.BirthDate)
		f := &Facts{Now: now, Person: Person{ID: p.ID, Name: p.Name, BirthDate: birth, District: p.District,
			Age: int64(tiles.AgeAt(birth, now))}, Children: []Child{}, Cases: []Case{}, Bookings: []Booking{}, Keys: []Key{}, Relations: []Relation{}}
		byID[p.ID] = f
		out.Facts = append(out.Facts, f)
		if len(p.OffAgencies) > 0 {
			out.offAgencys[p.ID] = p.OffAgencies
		}
	}
	if len(out.Facts) == 0 {
		return out, nil
	}
	ids = make([]string, len(out.Facts))
	for i, f := range out.Facts {
		ids[i] = f.Person.ID
	}
	for _, load := range []func(context.Context, bun.IDB, []string, map[string]*Facts, time.Time) error{
		loadRelations, loadCases, loadBookings, loadKeys,
	} {
		if err := load(ctx, db, ids, byID, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// keepNewest bounds a fact list to the maxListFacts newest, so every rule's cost has a ceiling.
func keepNewest[T any](list []T, at func(T) time.Time) []T {
	if len(list) <= maxListFacts {
		return list
	}
	slices.SortStableFunc(list, func(a, b T) int { return at(b).Compare(at(a)) })
	return list[:maxListFacts]
}

type relationRow struct {
	Kind             string     `bun:"kind"`
	RepresentativeID string     `bun:"representative_id"`
	SubjectID        string     `bun:"subject_id"`
	ValidFrom        time.Time  `bun:"valid_from"`
	ValidUntil       *time.Time `bun:"valid_until"`
	SubjectName      string     `bun:"subject_name"`
	SubjectBirth     time.Time  `bun:"subject_birth"`
}

// loadRelations fills relations both ways and, from guardianships that grant access now (the
// one rule of represent.AreasOf), the children.
func loadRelations(ctx context.Context, db bun.IDB, ids []string, byID map[string]*Facts, now time.Time) error {
	var rows []relationRow
	if err := db.NewSelect().TableExpr("relations AS r").
		ColumnExpr("r.kind, r.representative_id, r.subject_id, r.valid_from, r.valid_until, s.name AS subject_name, s.birth_date AS subject_birth").
		Join("JOIN agency_authorities AS aa ON aa.agency_id = r.agency_id AND aa.kind = r.kind").
		Join("JOIN citizens AS s ON s.id = r.subject_id").
		Where("r.representative_id IN (?) OR r.subject_id IN (?)", bun.In(ids), bun.In(ids)).
		OrderExpr("r.representative_id, s.birth_date, r.subject_id").Scan(ctx, &rows); err != nil {
		return fmt.Errorf("suggest: load relations: %w", err)
	}
	for _, r := range rows {
		rel := represent.Relation{Kind: r.Kind, ValidFrom: r.ValidFrom, ValidUntil: r.ValidUntil}
		if _, ok := represent.AreasOf(rel, r.SubjectBirth, now); !ok {
			continue
		}
		if f := byID[r.RepresentativeID]; f != nil {
			f.Relations = append(f.Relations, Relation{Kind: r.Kind, Direction: "for"})
			if r.Kind == represent.KindGuardian && !slices.ContainsFunc(f.Children, func(c Child) bool { return c.ID == r.SubjectID }) {
				birth := midnight(r.SubjectBirth)
				f.Children = append(f.Children, Child{ID: r.SubjectID, Name: r.SubjectName, BirthDate: birth,
					Age: int64(tiles.AgeAt(birth, now)), Guardian: true})
			}
		}
		if f := byID[r.SubjectID]; f != nil {
			f.Relations = append(f.Relations, Relation{Kind: r.Kind, Direction: "by"})
		}
	}
	for _, f := range byID {
		f.Children = keepNewest(f.Children, func(c Child) time.Time { return c.BirthDate })
	}
	return nil
}

type caseRow struct {
	ID        string    `bun:"id"`
	CitizenID string    `bun:"citizen_id"`
	Kind      string    `bun:"kind"`
	Status    string    `bun:"status"`
	Area      string    `bun:"area"`
	Agency    string    `bun:"agency"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

func loadCases(ctx context.Context, db bun.IDB, ids []string, byID map[string]*Facts, _ time.Time) error {
	var rows []caseRow
	if err := db.NewSelect().TableExpr("cases AS c").
		ColumnExpr("c.id, c.citizen_id, c.kind, c.status, c.area, a.slug AS agency, c.created_at, c.updated_at").
		Join("JOIN agencies AS a ON a.id = c.agency_id").
		Where("c.citizen_id IN (?)", bun.In(ids)).Scan(ctx, &rows); err != nil {
		return fmt.Errorf("suggest: load cases: %w", err)
	}
	for _, r := range rows {
		f := byID[r.CitizenID]
		c := Case{ID: r.ID, Kind: r.Kind, Status: r.Status, Agency: r.Agency, Area: r.Area,
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		if r.Status == "decided" || r.Status == "closed" {
			c.Decided, c.DecidedAt = true, c.UpdatedAt
		}
		f.Cases = append(f.Cases, c)
	}
	for _, f := range byID {
		f.Cases = keepNewest(f.Cases, func(c Case) time.Time { return c.UpdatedAt })
		slices.SortFunc(f.Cases, func(a, b Case) int { return cmp.Compare(a.ID, b.ID) })
	}
	return nil
}

type bookingRow struct {
	ID        string    `bun:"id"`
	CitizenID string    `bun:"citizen_id"`
	Resource  string    `bun:"place_name"`
	Status    string    `bun:"status"`
	Agency    string    `bun:"agency"`
	StartsAt  time.Time `bun:"starts_at"`
	EndsAt    time.Time `bun:"ends_at"`
}

func loadBookings(ctx context.Context, db bun.IDB, ids []string, byID map[string]*Facts, _ time.Time) error {
	var rows []bookingRow
	if err := db.NewSelect().TableExpr("bookings AS b").
		ColumnExpr("b.id, b.citizen_id, b.place_name, b.status, a.slug AS agency, b.starts_at, b.ends_at").
		Join("JOIN agencies AS a ON a.id = b.agency_id").
		Where("b.citizen_id IN (?)", bun.In(ids)).OrderExpr("b.id").Scan(ctx, &rows); err != nil {
		return fmt.Errorf("suggest: load bookings: %w", err)
	}
	for _, r := range rows {
		f := byID[r.CitizenID]
		f.Bookings = append(f.Bookings, Booking{ID: r.ID, Resource: r.Resource, Status: r.Status, Agency: r.Agency,
			StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC()})
	}
	for _, f := range byID {
		f.Bookings = keepNewest(f.Bookings, func(b Booking) time.Time { return b.StartsAt })
	}
	return nil
}

type keyRow struct {
	ID         string    `bun:"id"`
	CitizenID  string    `bun:"citizen_id"`
	Facility   string    `bun:"facility"`
	Status     string    `bun:"status"`
	Agency     string    `bun:"agency"`
	ValidFrom  time.Time `bun:"valid_from"`
	ValidUntil time.Time `bun:"valid_until"`
	ForBooking bool      `bun:"for_booking"`
}

func loadKeys(ctx context.Context, db bun.IDB, ids []string, byID map[string]*Facts, _ time.Time) error {
	var rows []keyRow
	if err := db.NewSelect().TableExpr("keys AS k").
		ColumnExpr("k.id, k.citizen_id, f.name AS facility, k.status, a.slug AS agency, k.valid_from, k.valid_until").
		ColumnExpr("k.booking_id IS NOT NULL AS for_booking").
		Join("JOIN facilities AS f ON f.id = k.facility_id").
		Join("JOIN agencies AS a ON a.id = k.agency_id").
		Where("k.citizen_id IN (?)", bun.In(ids)).OrderExpr("k.id").Scan(ctx, &rows); err != nil {
		return fmt.Errorf("suggest: load keys: %w", err)
	}
	for _, r := range rows {
		f := byID[r.CitizenID]
		f.Keys = append(f.Keys, Key{ID: r.ID, Facility: r.Facility, Status: r.Status, Agency: r.Agency,
			ValidFrom: r.ValidFrom.UTC(), ValidUntil: r.ValidUntil.UTC(), ForBooking: r.ForBooking})
	}
	for _, f := range byID {
		f.Keys = keepNewest(f.Keys, func(k Key) time.Time { return k.ValidUntil })
	}
	return nil
}
