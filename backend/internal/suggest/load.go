package suggest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"minside/backend/internal/represent"
	"minside/backend/internal/tiles"
)

// People is the facts of several people loaded together, with what each has chosen about
// suggestions; a person who turned suggestions off is not loaded at all (nothing is evaluated
// about them).
type People struct {
	Facts      []*Facts
	off        []string            // the people who turned suggestions off
	offAgencys map[string][]string // citizen id → agency slugs the person turned off
}

// OffAgencies lists the agencies whose suggestions the person turned off.
func (p *People) OffAgencies(citizenID string) []string { return p.offAgencys[citizenID] }

// factRows is a group of people's facts as the database gives them, before they are assembled:
// scanned from one statement per kind on SQLite, decoded from one JSON document on PostgreSQL.
type factRows struct {
	People      []personRow   `json:"people"`
	Relations   []relationRow `json:"relations"`
	Cases       []caseRow     `json:"cases"`
	Bookings    []bookingRow  `json:"bookings"`
	Keys        []keyRow      `json:"keys"`
	Suggestions []Row         `json:"suggestions"` // only when asked for
}

type personRow struct {
	ID          string    `bun:"id" json:"id"`
	Name        string    `bun:"name" json:"name"`
	BirthDate   time.Time `bun:"birth_date" json:"birth_date"`
	District    string    `bun:"district" json:"district"`
	Off         *bool     `bun:"suggestions_off" json:"suggestions_off"`
	OffAgencies []string  `bun:"suggestions_off_agencies" json:"suggestions_off_agencies"`
}

// LoadFacts reads the facts of the people ids at now: set based, so the daily sweep costs a
// handful of statements per chunk of people, not per person (one on PostgreSQL).
func LoadFacts(ctx context.Context, db bun.IDB, ids []string, now time.Time) (*People, error) {
	people, _, err := loadPeople(ctx, db, ids, now, false)
	return people, err
}

// loadPeople is LoadFacts and, with suggestions, the people's suggestions by citizen id, read
// together: on PostgreSQL in one round trip (see loadAsJSON), on SQLite one statement per kind.
func loadPeople(ctx context.Context, db bun.IDB, ids []string, now time.Time, suggestions bool) (*People, map[string][]Row, error) {
	if len(ids) == 0 {
		return &People{offAgencys: map[string][]string{}}, map[string][]Row{}, nil
	}
	var rows *factRows
	var err error
	if db.Dialect().Name() == dialect.PG {
		rows, err = loadAsJSON(ctx, db, ids, suggestions)
	} else {
		rows, err = loadByKind(ctx, db, ids, suggestions)
	}
	if err != nil {
		return nil, nil, err
	}
	byCitizen := map[string][]Row{}
	for _, r := range rows.Suggestions {
		byCitizen[r.CitizenID] = append(byCitizen[r.CitizenID], r)
	}
	return assemble(rows, now), byCitizen, nil
}

// loadByKind reads the facts one statement per kind, the facts only of people who did not turn
// suggestions off.
func loadByKind(ctx context.Context, db bun.IDB, ids []string, suggestions bool) (*factRows, error) {
	rows := &factRows{}
	if err := db.NewSelect().TableExpr("citizens AS c").
		ColumnExpr("c.id, c.name, c.birth_date, c.district, p.suggestions_off, p.suggestions_off_agencies").
		Join("LEFT JOIN preferences AS p ON p.citizen_id = c.id").
		Where("c.id IN (?)", bun.In(ids)).OrderExpr("c.id").Scan(ctx, &rows.People); err != nil {
		return nil, fmt.Errorf("suggest: load people: %w", err)
	}
	on := make([]string, 0, len(rows.People))
	for _, p := range rows.People {
		if p.Off == nil || !*p.Off {
			on = append(on, p.ID)
		}
	}
	if len(on) == 0 {
		return rows, nil
	}
	if err := db.NewSelect().TableExpr("relations AS r").
		ColumnExpr("r.kind, r.representative_id, r.subject_id, r.valid_from, r.valid_until, s.name AS subject_name, s.birth_date AS subject_birth").
		Join("JOIN agency_authorities AS aa ON aa.agency_id = r.agency_id AND aa.kind = r.kind").
		Join("JOIN citizens AS s ON s.id = r.subject_id").
		Where("r.representative_id IN (?) OR r.subject_id IN (?)", bun.In(on), bun.In(on)).
		OrderExpr("r.representative_id, s.birth_date, r.subject_id").Scan(ctx, &rows.Relations); err != nil {
		return nil, fmt.Errorf("suggest: load relations: %w", err)
	}
	if err := db.NewSelect().TableExpr("cases AS c").
		ColumnExpr("c.id, c.citizen_id, c.kind, c.status, c.area, a.slug AS agency, c.created_at, c.updated_at").
		Join("JOIN agencies AS a ON a.id = c.agency_id").
		Where("c.citizen_id IN (?)", bun.In(on)).Scan(ctx, &rows.Cases); err != nil {
		return nil, fmt.Errorf("suggest: load cases: %w", err)
	}
	if err := db.NewSelect().TableExpr("bookings AS b").
		ColumnExpr("b.id, b.citizen_id, b.place_name, b.status, a.slug AS agency, b.starts_at, b.ends_at").
		Join("JOIN agencies AS a ON a.id = b.agency_id").
		Where("b.citizen_id IN (?)", bun.In(on)).OrderExpr("b.id").Scan(ctx, &rows.Bookings); err != nil {
		return nil, fmt.Errorf("suggest: load bookings: %w", err)
	}
	if err := db.NewSelect().TableExpr("keys AS k").
		ColumnExpr("k.id, k.citizen_id, f.name AS facility, k.status, a.slug AS agency, k.valid_from, k.valid_until").
		ColumnExpr("k.booking_id IS NOT NULL AS for_booking").
		Join("JOIN facilities AS f ON f.id = k.facility_id").
		Join("JOIN agencies AS a ON a.id = k.agency_id").
		Where("k.citizen_id IN (?)", bun.In(on)).OrderExpr("k.id").Scan(ctx, &rows.Keys); err != nil {
		return nil, fmt.Errorf("suggest: load keys: %w", err)
	}
	if suggestions {
		// Only what deciding reads: the sweep loads every suggestion of the city once a day.
		if err := db.NewSelect().Model(&rows.Suggestions).Column("id", "rule_id", "citizen_id", "occurrence", "state", "facts", "event", "created_at").
			Where("citizen_id IN (?)", bun.In(ids)).OrderExpr("id").Scan(ctx); err != nil {
			return nil, fmt.Errorf("suggest: load suggestions: %w", err)
		}
	}
	return rows, nil
}

// assemble turns the rows into each person's facts at now.
func assemble(rows *factRows, now time.Time) *People {
	out := &People{offAgencys: map[string][]string{}}
	byID := map[string]*Facts{}
	for _, p := range rows.People {
		if p.Off != nil && *p.Off {
			out.off = append(out.off, p.ID)
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
	addRelations(rows.Relations, byID, now)
	addCases(rows.Cases, byID)
	addBookings(rows.Bookings, byID)
	addKeys(rows.Keys, byID)
	return out
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
	Kind             string     `bun:"kind" json:"kind"`
	RepresentativeID string     `bun:"representative_id" json:"representative_id"`
	SubjectID        string     `bun:"subject_id" json:"subject_id"`
	ValidFrom        time.Time  `bun:"valid_from" json:"valid_from"`
	ValidUntil       *time.Time `bun:"valid_until" json:"valid_until"`
	SubjectName      string     `bun:"subject_name" json:"subject_name"`
	SubjectBirth     time.Time  `bun:"subject_birth" json:"subject_birth"`
}

// addRelations fills relations both ways and, from guardianships that grant access now (the
// one rule of represent.AreasOf), the children. Rows come ordered by representative, the
// child's birth date and the child.
func addRelations(rows []relationRow, byID map[string]*Facts, now time.Time) {
	for _, r := range rows {
		for _, id := range []string{r.RepresentativeID, r.SubjectID} {
			if f := byID[id]; f != nil {
				addAnchors(f, r, now)
			}
		}
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
}

type caseRow struct {
	ID        string    `bun:"id" json:"id"`
	CitizenID string    `bun:"citizen_id" json:"citizen_id"`
	Kind      string    `bun:"kind" json:"kind"`
	Status    string    `bun:"status" json:"status"`
	Area      string    `bun:"area" json:"area"`
	Agency    string    `bun:"agency" json:"agency"`
	CreatedAt time.Time `bun:"created_at" json:"created_at"`
	UpdatedAt time.Time `bun:"updated_at" json:"updated_at"`
}

func addCases(rows []caseRow, byID map[string]*Facts) {
	for _, r := range rows {
		f := byID[r.CitizenID]
		if f == nil {
			continue
		}
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
}

type bookingRow struct {
	ID        string    `bun:"id" json:"id"`
	CitizenID string    `bun:"citizen_id" json:"citizen_id"`
	Resource  string    `bun:"place_name" json:"place_name"`
	Status    string    `bun:"status" json:"status"`
	Agency    string    `bun:"agency" json:"agency"`
	StartsAt  time.Time `bun:"starts_at" json:"starts_at"`
	EndsAt    time.Time `bun:"ends_at" json:"ends_at"`
}

// addBookings adds the bookings, which come ordered by id.
func addBookings(rows []bookingRow, byID map[string]*Facts) {
	for _, r := range rows {
		if f := byID[r.CitizenID]; f != nil {
			f.Bookings = append(f.Bookings, Booking{ID: r.ID, Resource: r.Resource, Status: r.Status, Agency: r.Agency,
				StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC()})
		}
	}
	for _, f := range byID {
		f.Bookings = keepNewest(f.Bookings, func(b Booking) time.Time { return b.StartsAt })
	}
}

type keyRow struct {
	ID         string    `bun:"id" json:"id"`
	CitizenID  string    `bun:"citizen_id" json:"citizen_id"`
	Facility   string    `bun:"facility" json:"facility"`
	Status     string    `bun:"status" json:"status"`
	Agency     string    `bun:"agency" json:"agency"`
	ValidFrom  time.Time `bun:"valid_from" json:"valid_from"`
	ValidUntil time.Time `bun:"valid_until" json:"valid_until"`
	ForBooking bool      `bun:"for_booking" json:"for_booking"`
}

// addKeys adds the keys, which come ordered by id.
func addKeys(rows []keyRow, byID map[string]*Facts) {
	for _, r := range rows {
		if f := byID[r.CitizenID]; f != nil {
			f.Keys = append(f.Keys, Key{ID: r.ID, Facility: r.Facility, Status: r.Status, Agency: r.Agency,
				ValidFrom: r.ValidFrom.UTC(), ValidUntil: r.ValidUntil.UTC(), ForBooking: r.ForBooking})
		}
	}
	for _, f := range byID {
		f.Keys = keepNewest(f.Keys, func(k Key) time.Time { return k.ValidUntil })
	}
}
