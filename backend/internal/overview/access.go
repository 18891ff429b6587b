package overview

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
)

// Link is someone the logged-in person may act for, as the "people" of the overview.
type Link struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Relation    string     `json:"relation"`
	Scopes      []string   `json:"scopes"`
	ValidUntil  *time.Time `json:"validUntil"`
	NeedsAction int        `json:"needsAction"`
	birthDate   time.Time
	district    string
}

// citizenRow is the part of a citizen the overview needs.
type citizenRow struct {
	ID        string    `bun:"id" json:"id"`
	Name      string    `bun:"name" json:"name"`
	BirthDate time.Time `bun:"birth_date" json:"birth_date"`
	District  string    `bun:"district" json:"district"`
	UpdatedAt time.Time `bun:"updated_at" json:"updated_at"`
}

// subject is one person whose items the viewer sees, and in which areas.
type subject struct {
	id     string
	person *Person   // nil for the viewer's own subject; set for items marked as someone else's
	areas  []string  // nil: every area
	all    bool      // areas is nil: keys and notifications (which carry no area) are visible too
	birth  time.Time // for tile targeting on children's ages
}

// scope is everything a request may see, resolved once per request from the relations table.
type scope struct {
	viewer   Viewer
	self     citizenRow // the subject of the request
	me       citizenRow // the logged-in person
	visible  []subject  // self first, then the people acted for when acting as oneself
	links    []Link     // the logged-in person's relations (the overview's "people")
	relStamp string     // changes when the relations change (part of the ETag)
	counted  []string   // every person whose needs-action count is shown
	byID     map[string]*subject
}

const citizensQuery = `SELECT id, name, birth_date, district, updated_at FROM citizens WHERE id IN (?)`

// resolve loads who the viewer is, whom they may act for (by represent's rules, the same the
// session and notify use) and what they may see. A subject the viewer may not act for is answered
// as not found, like any foreign id.
func (s *Service) resolve(ctx context.Context, v Viewer, now time.Time) (*scope, error) {
	if v.CitizenID == "" {
		return nil, apperr.Unauthorized()
	}
	now = utc(now)
	subjectID := v.subject()
	known := v.Known
	if known == nil {
		var err error
		if known, err = s.know(ctx, v.CitizenID, subjectID, now); err != nil {
			return nil, err
		}
	}
	represented := known.Represents
	sc := &scope{viewer: v, byID: map[string]*subject{}}
	var stamp strings.Builder
	for _, r := range represented {
		for _, rel := range r.Relations {
			fmt.Fprintf(&stamp, "%s/%s/%d/%v;", rel.SubjectID, rel.Kind, rel.UpdatedAt.UnixMicro(), rel.ValidUntil)
		}
		sc.links = append(sc.links, Link{ID: r.Subject.ID, Name: r.Subject.Name, Relation: r.Relation, Scopes: r.Areas,
			ValidUntil: r.ValidUntil, birthDate: r.Subject.BirthDate, district: r.Subject.District})
	}
	sc.relStamp = stamp.String()

	for _, r := range known.People {
		row := citizenRow{ID: r.ID, Name: r.Name, BirthDate: r.BirthDate, District: r.District, UpdatedAt: r.UpdatedAt}
		if r.ID == subjectID {
			sc.self = row
		}
		if r.ID == v.CitizenID {
			sc.me = row
		}
	}
	if sc.self.ID == "" || sc.me.ID == "" {
		return nil, apperr.NotFound()
	}
	if v.ActingAs() {
		i := slices.IndexFunc(sc.links, func(l Link) bool { return l.ID == subjectID })
		if i < 0 {
			return nil, apperr.NotFound()
		}
		sc.add(subject{id: subjectID, areas: sc.links[i].Scopes, all: sc.links[i].Scopes == nil, birth: sc.self.BirthDate})
	} else {
		sc.add(subject{id: subjectID, all: true, birth: sc.self.BirthDate})
		for _, l := range sc.links {
			sc.add(subject{id: l.ID, person: &Person{ID: l.ID, Name: l.Name}, areas: l.Scopes, all: l.Scopes == nil, birth: l.birthDate})
		}
	}
	sc.counted = sc.ids()
	for _, l := range sc.links {
		if _, ok := sc.byID[l.ID]; !ok {
			sc.counted = append(sc.counted, l.ID)
		}
	}
	return sc, nil
}

// Known is what a session lookup already read for the viewer (whom they may act for, and the rows of
// the viewer and the subject), so resolve reads nothing more.
type Known struct {
	Represents []represent.Represented
	People     []citizens.Citizen
}

// know reads what Known holds, for a viewer that came without it.
func (s *Service) know(ctx context.Context, citizenID, subjectID string, now time.Time) (*Known, error) {
	represented, err := represent.Access{}.Represents(ctx, s.db, citizenID, now)
	if err != nil {
		return nil, fail("relations", err)
	}
	var rows []citizenRow
	if err := s.db.NewRaw(citizensQuery, store.In(uniq([]string{citizenID, subjectID}))).Scan(ctx, &rows); err != nil {
		return nil, fail("citizen", err)
	}
	k := &Known{Represents: represented}
	for _, r := range rows {
		k.People = append(k.People, citizens.Citizen{ID: r.ID, Name: r.Name, BirthDate: r.BirthDate, District: r.District, UpdatedAt: r.UpdatedAt})
	}
	return k, nil
}

func (sc *scope) add(sub subject) {
	sc.visible = append(sc.visible, sub)
	sc.byID[sub.id] = &sc.visible[len(sc.visible)-1]
	for i := range sc.visible { // the slice may have moved
		sc.byID[sc.visible[i].id] = &sc.visible[i]
	}
}

// ids lists the visible people.
func (sc *scope) ids() []string {
	out := make([]string, len(sc.visible))
	for i, sub := range sc.visible {
		out[i] = sub.id
	}
	return out
}

// fullIDs lists the visible people whose every area the viewer may see (keys, notifications).
func (sc *scope) fullIDs() []string {
	var out []string
	for _, sub := range sc.visible {
		if sub.all {
			out = append(out, sub.id)
		}
	}
	return out
}

// sees reports whether an item of citizenID in area is visible, and whose it is (nil: the subject's own).
func (sc *scope) sees(citizenID, area string) (bool, *Person) {
	sub, ok := sc.byID[citizenID]
	if !ok {
		return false, nil
	}
	if !sub.all && !slices.Contains(sub.areas, area) {
		return false, nil
	}
	return true, sub.person
}

// seesEverything reports whether every item of citizenID is visible (not through a scoped relation).
func (sc *scope) seesEverything(citizenID string) bool {
	sub, ok := sc.byID[citizenID]
	return ok && sub.all
}

// seesAll reports whether items without an area (keys, notifications) of citizenID are visible.
func (sc *scope) seesAll(citizenID string) (bool, *Person) {
	sub, ok := sc.byID[citizenID]
	if !ok || !sub.all {
		return false, nil
	}
	return true, sub.person
}
