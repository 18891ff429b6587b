package represent

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/uptrace/bun"
)

// EndingSoon is how long before its end an access is announced as ending soon, to the
// representative and to the person it is about: time enough to have a power of attorney renewed.
const EndingSoon = 30 * 24 * time.Hour

// EndsSoon reports whether an access that ends at until (nil: no known end) ends within
// EndingSoon of at.
func EndsSoon(until *time.Time, at time.Time) bool {
	return until != nil && until.After(at) && until.Sub(at) <= EndingSoon
}

// Representative is someone who may act for a person now, as that person sees it.
type Representative struct {
	ID         string
	Name       string
	Relation   string     // KindGuardian wins over KindPowerOfAttorney
	Areas      []string   // nil: every area
	ValidUntil *time.Time // when the access ends, if known
}

// RepresentedBy lists who may act for subjectID at t, one entry per representative (the union of
// their valid relations' areas, the latest end), by name: what the person who gave a power of
// attorney, or the child a guardian acts for, is shown.
func (a Access) RepresentedBy(ctx context.Context, db bun.IDB, subjectID string, at time.Time) ([]Representative, error) {
	rels, err := held(ctx, db, "r.subject_id = ?", []any{subjectID}, at)
	if err != nil {
		return nil, err
	}
	grants := foldGrants(rels, at, func(r Relation) string { return r.RepresentativeID })
	ids := make([]string, 0, len(grants))
	for _, g := range grants {
		ids = append(ids, g.first.RepresentativeID)
	}
	names, err := citizenNames(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Representative, 0, len(grants))
	for _, g := range grants {
		id := g.first.RepresentativeID
		out = append(out, Representative{ID: id, Name: names[id], Relation: g.kind, Areas: g.areas, ValidUntil: g.until})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Why an access ended.
const (
	EndExpired = "expired" // the relation's own end passed
	EndAdult   = "adult"   // the subject of a guardianship turned 18
)

// Ended is an access a representative had and lost: whom it was for, when and why it ended, and
// the agency that wrote the relation (where a power of attorney is renewed).
type Ended struct {
	SubjectID   string
	SubjectName string
	Relation    string
	Areas       []string // what it granted before it ended; nil: every area
	EndedAt     time.Time
	Reason      string // EndExpired or EndAdult
	AgencyID    string // the agency that wrote the relation
	AgencySlug  string
	AgencyName  string
}

// EndedFor lists the accesses representativeID lost between since and at, newest first, one per
// person, leaving out anyone they may still act for (a renewed power of attorney). It applies the
// same rules as every other reader: a relation from an agency without the authority for its kind
// never granted anything, so it never ended either.
func (a Access) EndedFor(ctx context.Context, db bun.IDB, representativeID string, since, at time.Time) ([]Ended, error) {
	since, at = since.UTC(), at.UTC()
	rels, err := loadRelations(ctx, db, "r.representative_id = ? AND r.valid_from < ? AND (r.valid_until IS NULL OR r.valid_until >= ?)",
		[]any{representativeID, at, since})
	if err != nil {
		return nil, err
	}
	current, err := a.Represents(ctx, db, representativeID, at)
	if err != nil {
		return nil, err
	}
	bySubject := map[string]*Ended{}
	var agencyIDs []string
	for _, h := range rels {
		r := h.Relation
		end := AccessEnds(r, h.subject.BirthDate)
		if end == nil || end.Before(since) || end.After(at) || !end.After(r.ValidFrom) {
			continue
		}
		if slices.ContainsFunc(current, func(c Represented) bool { return c.Subject.ID == r.SubjectID }) {
			continue
		}
		areas, ok := AreasOf(r, h.subject.BirthDate, end.Add(-time.Nanosecond)) // what it granted just before its end
		if !ok {
			continue
		}
		reason := EndExpired
		if r.Kind == KindGuardian && (r.ValidUntil == nil || !r.ValidUntil.Before(*end)) {
			reason = EndAdult
		}
		if prev, seen := bySubject[r.SubjectID]; seen && !end.After(prev.EndedAt) {
			continue
		}
		bySubject[r.SubjectID] = &Ended{SubjectID: r.SubjectID, SubjectName: h.subject.Name, Relation: r.Kind, Areas: areas,
			EndedAt: *end, Reason: reason, AgencyID: r.AgencyID}
		agencyIDs = append(agencyIDs, r.AgencyID)
	}
	var agencies []struct {
		ID   string `bun:"id"`
		Slug string `bun:"slug"`
		Name string `bun:"name"`
	}
	if len(agencyIDs) > 0 {
		if err := db.NewRaw("SELECT id, slug, name FROM agencies WHERE id IN (?)", bun.In(agencyIDs)).Scan(ctx, &agencies); err != nil {
			return nil, fmt.Errorf("represent: agencies of ended relations: %w", err)
		}
	}
	out := make([]Ended, 0, len(bySubject))
	for _, e := range bySubject {
		for _, ag := range agencies {
			if ag.ID == e.AgencyID {
				e.AgencySlug, e.AgencyName = ag.Slug, ag.Name
			}
		}
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].EndedAt.Equal(out[j].EndedAt) {
			return out[i].EndedAt.After(out[j].EndedAt)
		}
		return out[i].SubjectName < out[j].SubjectName
	})
	return out, nil
}

// citizenNames reads the name of each citizen in ids.
func citizenNames(ctx context.Context, db bun.IDB, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
	}
	if err := db.NewRaw("SELECT id, name FROM citizens WHERE id IN (?)", bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("represent: names of representatives: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}
