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
)

// Access holds the rules of representation. Every citizen read and action goes through it (the web
// layer resolves a View per request), so a child turning 18 or a power of attorney running out ends
// the access at that moment, with nothing deleted. The zero value is ready to use.
type Access struct{}

// Valid reports whether relation r lets its representative act for subject in area at t. area ""
// asks whether the relation is valid for some area (enough to choose to act as the subject).
// subject must be the relation's subject (its birth date decides guardianship).
func (Access) Valid(r Relation, subject *citizens.Citizen, area string, at time.Time) bool {
	if at.Before(r.ValidFrom) || (r.ValidUntil != nil && !at.Before(*r.ValidUntil)) {
		return false
	}
	switch r.Kind {
	case KindGuardian:
		return subject != nil && subject.ID == r.SubjectID && subject.IsMinor(at)
	case KindPowerOfAttorney:
		return area == "" || len(r.Scopes) == 0 || slices.Contains(r.Scopes, area)
	}
	return false
}

// CanAct reports whether representativeID may act for subjectID in area at t, and by which
// relation (a guardianship wins over a power of attorney). area "" means any area.
func (a Access) CanAct(ctx context.Context, db bun.IDB, representativeID, subjectID, area string, at time.Time) (Relation, bool, error) {
	if representativeID == "" || representativeID == subjectID || uuid.Validate(subjectID) != nil {
		return Relation{}, false, nil // an id that is no id is nobody (PostgreSQL would refuse it as a uuid)
	}
	var rels []Relation
	if err := db.NewSelect().Model(&rels).
		Where("representative_id = ? AND subject_id = ?", representativeID, subjectID).
		OrderExpr("kind ASC, id ASC").Scan(ctx); err != nil {
		return Relation{}, false, fmt.Errorf("represent: relations: %w", err)
	}
	if len(rels) == 0 {
		return Relation{}, false, nil
	}
	subject, err := citizens.Get(ctx, db, subjectID)
	if err != nil {
		return Relation{}, false, err
	}
	for _, r := range rels { // "guardian" sorts before "power_of_attorney"
		if a.Valid(r, subject, area, at) {
			return r, true, nil
		}
	}
	return Relation{}, false, nil
}

// Represented is someone a citizen may act for now.
type Represented struct {
	Subject    *citizens.Citizen
	Relation   string     // KindGuardian or KindPowerOfAttorney
	Areas      []string   // nil: every area
	ValidUntil *time.Time // when the access ends, if known (a guardianship ends at 18)
}

// Represents lists whom representativeID may act for at t, one entry per person, with the union of
// the areas of every valid relation.
func (a Access) Represents(ctx context.Context, db bun.IDB, representativeID string, at time.Time) ([]Represented, error) {
	var rels []Relation
	if err := db.NewSelect().Model(&rels).Where("representative_id = ?", representativeID).
		OrderExpr("subject_id ASC, kind ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("represent: relations of representative: %w", err)
	}
	bySubject := map[string]*Represented{}
	var order []string
	for _, r := range rels {
		if r.SubjectID == representativeID {
			continue
		}
		entry, seen := bySubject[r.SubjectID]
		var subject *citizens.Citizen
		if seen {
			subject = entry.Subject
		} else {
			var err error
			if subject, err = citizens.Get(ctx, db, r.SubjectID); err != nil {
				return nil, err
			}
		}
		if !a.Valid(r, subject, "", at) {
			continue
		}
		until := r.ValidUntil
		if r.Kind == KindGuardian {
			adult := subject.BirthDate.AddDate(18, 0, 0)
			if until == nil || adult.Before(*until) {
				until = &adult
			}
		}
		if !seen {
			entry = &Represented{Subject: subject, Relation: r.Kind, Areas: areasOf(r), ValidUntil: until}
			bySubject[r.SubjectID] = entry
			order = append(order, r.SubjectID)
			continue
		}
		entry.Areas = unionAreas(entry.Areas, areasOf(r))
		if r.Kind == KindGuardian {
			entry.Relation = KindGuardian
		}
		if entry.ValidUntil != nil && (until == nil || until.After(*entry.ValidUntil)) {
			entry.ValidUntil = until
		}
	}
	out := make([]Represented, 0, len(order))
	for _, id := range order {
		out = append(out, *bySubject[id])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Subject.Name < out[j].Subject.Name })
	return out, nil
}

// ViewFor resolves whose data a request may see: the citizen's own (actingAsID "" or their own id)
// or, when a valid relation exists at t, the subject's within the relation's areas. ok is false
// when the act-as choice is no longer allowed; the caller then falls back to the citizen's own view.
func (a Access) ViewFor(ctx context.Context, db bun.IDB, citizenID, actingAsID string, at time.Time) (View, bool, error) {
	if actingAsID == "" || actingAsID == citizenID {
		return Own(citizenID), true, nil
	}
	list, err := a.Represents(ctx, db, citizenID, at)
	if err != nil {
		return View{}, false, err
	}
	for _, r := range list {
		if r.Subject.ID == actingAsID {
			return View{SubjectID: actingAsID, Areas: r.Areas, ActorID: citizenID}, true, nil
		}
	}
	return Own(citizenID), false, nil
}

// areasOf is a relation's areas; nil means every area (a guardian, or a fullmakt without scopes).
func areasOf(r Relation) []string {
	if r.Kind == KindGuardian || len(r.Scopes) == 0 {
		return nil
	}
	return slices.Clone(r.Scopes)
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
