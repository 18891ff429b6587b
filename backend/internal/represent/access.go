package represent

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"minside/backend/internal/citizens"
	"minside/backend/internal/store"
)

// Access holds the rules of representation, and is the only place that reads relations for
// access: the web layer resolves a View per request, the overview lists whom one may act for,
// notify asks who may hear about a subject's object, tiles ask whose guardian someone is. So a
// child turning 18, a power of attorney running out or an agency losing its authority ends the
// access everywhere at that moment, with nothing deleted. The zero value is ready to use.
type Access struct{}

// AreasOf is what relation r grants at t, the one rule every reader shares: ok is false when it
// grants nothing (outside its validity, a guardianship of someone who is no longer a minor, a power
// of attorney stored with an empty scope list); areas nil means every area. subjectBirth is the
// birth date of r's subject. Whether r's agency holds the authority for its kind is checked where
// relations are loaded (held), so a relation that reaches this function has passed it.
func AreasOf(r Relation, subjectBirth time.Time, at time.Time) (areas []string, ok bool) {
	if at.Before(r.ValidFrom) || (r.ValidUntil != nil && !at.Before(*r.ValidUntil)) {
		return nil, false
	}
	switch r.Kind {
	case KindGuardian:
		return nil, subjectBirth.AddDate(18, 0, 0).After(at)
	case KindPowerOfAttorney:
		if r.Scopes == nil {
			return nil, true // a general power of attorney: every area
		}
		if len(r.Scopes) == 0 {
			return nil, false // names no area: grants nothing (refused on input since)
		}
		return slices.Clone(r.Scopes), true
	}
	return nil, false
}

// AccessEnds is when relation r stops granting access: its own end or, for a guardianship, the
// subject's 18th birthday, whichever comes first. nil: no known end.
func AccessEnds(r Relation, subjectBirth time.Time) *time.Time {
	until := r.ValidUntil
	if r.Kind == KindGuardian {
		adult := subjectBirth.AddDate(18, 0, 0)
		if until == nil || adult.Before(*until) {
			until = &adult
		}
	}
	return until
}

// laterEnd is the later of two ends where nil means none (so nil wins).
func laterEnd(a, b *time.Time) *time.Time {
	if a == nil || b == nil {
		return nil
	}
	if b.After(*a) {
		return b
	}
	return a
}

// CanAct reports whether representativeID may act for subjectID in area at t, and by which
// relation (a guardianship wins over a power of attorney). area "" means some area (enough to
// choose to act as the subject).
func (a Access) CanAct(ctx context.Context, db bun.IDB, representativeID, subjectID, area string, at time.Time) (Relation, bool, error) {
	if representativeID == "" || representativeID == subjectID || uuid.Validate(subjectID) != nil {
		return Relation{}, false, nil // an id that is no id is nobody (PostgreSQL would refuse it as a uuid)
	}
	rels, err := held(ctx, db, "r.representative_id = ? AND r.subject_id = ?", []any{representativeID, subjectID}, at)
	if err != nil {
		return Relation{}, false, err
	}
	for _, h := range rels { // "guardian" sorts before "power_of_attorney"
		areas, ok := AreasOf(h.Relation, h.subject.BirthDate, at)
		if ok && (area == "" || (View{Areas: areas}).Allows(area)) {
			return h.Relation, true, nil
		}
	}
	return Relation{}, false, nil
}

// Represented is someone a citizen may act for now.
type Represented struct {
	Subject    *citizens.Citizen // id, name, birth date, district and updated_at of the person
	Relation   string            // KindGuardian or KindPowerOfAttorney
	Areas      []string          // nil: every area
	ValidUntil *time.Time        // when the access ends, if known (a guardianship ends at 18)
	Relations  []Relation        // the relations that grant it (their changes must change caches)
}

// View is the view of a representative acting for this person.
func (r Represented) View(representativeID string) View {
	return View{SubjectID: r.Subject.ID, Areas: r.Areas, ActorID: representativeID}
}

// Represents lists whom representativeID may act for at t, one entry per person, with the union of
// the areas of every valid relation, by name.
func (a Access) Represents(ctx context.Context, db bun.IDB, representativeID string, at time.Time) ([]Represented, error) {
	rels, err := held(ctx, db, "r.representative_id = ?", []any{representativeID}, at)
	if err != nil {
		return nil, err
	}
	return representedBy(rels, at), nil
}

// QueuedRepresents is a Represents queued on a store.Reads, answered when the reads have run.
type QueuedRepresents struct {
	rows []heldRow
	at   time.Time
}

// QueueRepresents queues on reads the Represents of the representative that representativeExpr (an SQL
// expression with args, e.g. a subquery on the session) names, so it travels with other reads.
func (a Access) QueueRepresents(reads *store.Reads, representativeExpr string, args []any, at time.Time) *QueuedRepresents {
	at = at.UTC()
	q := &QueuedRepresents{at: at}
	birth := "s.birth_date"
	if reads.Kind() == store.Postgres { // a DATE does not decode into a time.Time from JSON; midnight UTC does
		birth = "(s.birth_date::timestamp AT TIME ZONE 'UTC')"
	}
	reads.Add(&q.rows, fmt.Sprintf(relationsQuery, birth, "r.representative_id = "+representativeExpr+validAt), append(args, at, at)...)
	return q
}

// List is the queued Represents (empty before the reads ran).
func (q *QueuedRepresents) List() []Represented { return representedBy(heldOf(q.rows), q.at) }

// representedBy is the rule of Represents: one entry per person, by name.
func representedBy(rels []heldRelation, at time.Time) []Represented {
	grants := foldGrants(rels, at, func(r Relation) string { return r.SubjectID })
	out := make([]Represented, 0, len(grants))
	for _, g := range grants {
		subject := g.first.subject
		out = append(out, Represented{Subject: &subject, Relation: g.kind, Areas: g.areas, ValidUntil: g.until, Relations: g.relations})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Subject.Name < out[j].Subject.Name })
	return out
}

// grant is what the relations between a representative and a person that are valid at one time
// grant together: the union of their areas, guardianship over a power of attorney, the latest end.
type grant struct {
	first     heldRelation // the first relation seen (its subject, its representative)
	kind      string
	areas     []string // nil: every area
	until     *time.Time
	relations []Relation
}

// foldGrants folds the relations valid at at into one grant per person that key names (the subject,
// as the representative sees it; the representative, as the subject sees it), in the order first
// seen. Both sides of a relation read its grant from here, so they never disagree.
func foldGrants(rels []heldRelation, at time.Time, key func(Relation) string) []*grant {
	byKey := map[string]*grant{}
	var out []*grant
	for _, h := range rels {
		r := h.Relation
		areas, ok := AreasOf(r, h.subject.BirthDate, at)
		if !ok {
			continue
		}
		until := AccessEnds(r, h.subject.BirthDate)
		g, seen := byKey[key(r)]
		if !seen {
			g = &grant{first: h, kind: r.Kind, areas: areas, until: until, relations: []Relation{r}}
			byKey[key(r)] = g
			out = append(out, g)
			continue
		}
		g.relations = append(g.relations, r)
		g.areas = unionAreas(g.areas, areas)
		if r.Kind == KindGuardian {
			g.kind = KindGuardian
		}
		g.until = laterEnd(g.until, until)
	}
	return out
}

// ViewFor resolves whose data a request may see: the citizen's own (actingAsID "" or their own id)
// or, when a valid relation exists at t, the subject's within the relation's areas. ok is false
// when the act-as choice is no longer allowed; the caller then falls back to the citizen's own view.
func (a Access) ViewFor(ctx context.Context, db bun.IDB, citizenID, actingAsID string, at time.Time) (View, bool, error) {
	if actingAsID == "" || actingAsID == citizenID {
		return Own(citizenID), true, nil
	}
	if uuid.Validate(actingAsID) != nil {
		return Own(citizenID), false, nil
	}
	list, err := a.Represents(ctx, db, citizenID, at)
	if err != nil {
		return View{}, false, err
	}
	view, ok := ViewAmong(list, citizenID, actingAsID)
	return view, ok, nil
}

// ViewAmong is ViewFor over an already loaded Represents list of citizenID.
func ViewAmong(list []Represented, citizenID, actingAsID string) (View, bool) {
	if actingAsID == "" || actingAsID == citizenID {
		return Own(citizenID), true
	}
	for _, r := range list {
		if r.Subject.ID == actingAsID {
			return r.View(citizenID), true
		}
	}
	return Own(citizenID), false
}

// RepresentativesOf lists who may see subjectID's object in area at t, as the portal would show it
// to them (View.Allows): guardians while the subject is a minor, holders of a power of attorney
// whose areas cover it. Notify forwards the subject's messages to them (if they asked).
func (a Access) RepresentativesOf(ctx context.Context, db bun.IDB, subjectID, area string, at time.Time) ([]string, error) {
	reps, err := a.RepresentativesOfAll(ctx, db, []string{subjectID}, at)
	if err != nil {
		return nil, err
	}
	return reps.Of(subjectID, area), nil
}

// Representatives are the relations held over many subjects at one time, loaded in one query
// (RepresentativesOfAll) for a batch of notifications.
type Representatives struct {
	at        time.Time
	bySubject map[string][]heldRelation
}

// RepresentativesOfAll loads the relations held over subjectIDs at t; Of answers per subject.
func (a Access) RepresentativesOfAll(ctx context.Context, db bun.IDB, subjectIDs []string, at time.Time) (Representatives, error) {
	out := Representatives{at: at, bySubject: map[string][]heldRelation{}}
	if len(subjectIDs) == 0 {
		return out, nil
	}
	rels, err := held(ctx, db, "r.subject_id IN (?)", []any{bun.In(subjectIDs)}, at)
	if err != nil {
		return out, err
	}
	for _, h := range rels {
		out.bySubject[h.SubjectID] = append(out.bySubject[h.SubjectID], h)
	}
	return out, nil
}

// Of is RepresentativesOf(subjectID, area) from what was loaded.
func (r Representatives) Of(subjectID, area string) []string {
	var out []string
	for _, h := range r.bySubject[subjectID] {
		areas, ok := AreasOf(h.Relation, h.subject.BirthDate, r.at)
		if ok && (View{Areas: areas}).Allows(area) && !slices.Contains(out, h.RepresentativeID) {
			out = append(out, h.RepresentativeID)
		}
	}
	return out
}

// ChildrenOf gives, for each of representativeIDs, the birth dates of the children they are
// guardian of at t (what tile targeting on children's ages looks at).
func (a Access) ChildrenOf(ctx context.Context, db bun.IDB, representativeIDs []string, at time.Time) (map[string][]time.Time, error) {
	out := map[string][]time.Time{}
	if len(representativeIDs) == 0 {
		return out, nil
	}
	rels, err := held(ctx, db, "r.kind = ? AND r.representative_id IN (?)", []any{KindGuardian, bun.In(representativeIDs)}, at)
	if err != nil {
		return nil, err
	}
	for _, h := range rels {
		if _, ok := AreasOf(h.Relation, h.subject.BirthDate, at); ok {
			out[h.RepresentativeID] = append(out[h.RepresentativeID], h.subject.BirthDate)
		}
	}
	return out, nil
}

// unionAreas merges area lists where nil means every area.
func unionAreas(a, b []string) []string {
	if a == nil || b == nil {
		return nil
	}
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// heldRelation is a relation that may give access, with the subject it is about.
type heldRelation struct {
	Relation
	subject citizens.Citizen
}

type heldRow struct {
	ID               string     `bun:"id" json:"id"`
	AgencyID         string     `bun:"agency_id" json:"agency_id"`
	ExternalID       string     `bun:"external_id" json:"external_id"`
	Version          int64      `bun:"version" json:"version"`
	Kind             string     `bun:"kind" json:"kind"`
	RepresentativeID string     `bun:"representative_id" json:"representative_id"`
	SubjectID        string     `bun:"subject_id" json:"subject_id"`
	Scopes           []string   `bun:"scopes" json:"scopes"`
	ValidFrom        time.Time  `bun:"valid_from" json:"valid_from"`
	ValidUntil       *time.Time `bun:"valid_until" json:"valid_until"`
	CreatedAt        time.Time  `bun:"created_at" json:"created_at"`
	UpdatedAt        time.Time  `bun:"updated_at" json:"updated_at"`
	SubjectName      string     `bun:"subject_name" json:"subject_name"`
	SubjectBirth     time.Time  `bun:"subject_birth_date" json:"subject_birth_date"`
	SubjectDistrict  string     `bun:"subject_district" json:"subject_district"`
	SubjectUpdatedAt time.Time  `bun:"subject_updated_at" json:"subject_updated_at"`
}

// relationsQuery loads relations that may give access: written by an agency that holds the
// authority for their kind (agency_authorities), between two different people. The first %s is
// how the subject's birth date is read (the column, or on PostgreSQL through JSON its midnight in
// UTC), the second a fixed condition of the caller (validAt adds the validity window at a time).
const relationsQuery = `SELECT r.id, r.agency_id, r.external_id, r.version, r.kind, r.representative_id, r.subject_id,
	r.scopes, r.valid_from, r.valid_until, r.created_at, r.updated_at,
	s.name AS subject_name, %s AS subject_birth_date, s.district AS subject_district, s.updated_at AS subject_updated_at
FROM relations AS r
JOIN agency_authorities AS aa ON aa.agency_id = r.agency_id AND aa.kind = r.kind
JOIN citizens AS s ON s.id = r.subject_id
WHERE %s AND r.representative_id <> r.subject_id
ORDER BY r.subject_id, r.kind, r.id`

// validAt is the validity window of a relation at a time (two arguments: the time, twice).
const validAt = " AND r.valid_from <= ? AND (r.valid_until IS NULL OR r.valid_until > ?)"

// held loads the relations that meet where (with its args) and are inside their validity window at t.
func held(ctx context.Context, db bun.IDB, where string, args []any, at time.Time) ([]heldRelation, error) {
	at = at.UTC()
	return loadRelations(ctx, db, where+validAt, append(args, at, at))
}

// loadRelations runs relationsQuery with the condition where and its args.
func loadRelations(ctx context.Context, db bun.IDB, where string, args []any) ([]heldRelation, error) {
	var rows []heldRow
	if err := db.NewRaw(fmt.Sprintf(relationsQuery, "s.birth_date", where), args...).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("represent: relations: %w", err)
	}
	return heldOf(rows), nil
}

func heldOf(rows []heldRow) []heldRelation {
	out := make([]heldRelation, len(rows))
	for i, r := range rows {
		out[i] = heldRelation{
			Relation: Relation{ID: r.ID, AgencyID: r.AgencyID, ExternalID: r.ExternalID, Version: r.Version, Kind: r.Kind,
				RepresentativeID: r.RepresentativeID, SubjectID: r.SubjectID, Scopes: r.Scopes, ValidFrom: r.ValidFrom,
				ValidUntil: r.ValidUntil, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt},
			subject: citizens.Citizen{ID: r.SubjectID, Name: r.SubjectName, BirthDate: r.SubjectBirth,
				District: r.SubjectDistrict, UpdatedAt: r.SubjectUpdatedAt},
		}
	}
	return out
}
