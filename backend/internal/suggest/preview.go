package suggest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// The console's preview: how many people a rule would make suggestions for now, and what the
// facts of a few of them look like, without a name, an id or a date that points at anyone.

// PreviewLimit bounds the people one preview reads, so an editor's keystroke costs a bounded
// query however big the city; a preview that stopped there says so (Complete false).
const PreviewLimit = 200_000

// previewChunk is how many people's facts are loaded at once (set-based, as the sweep does).
const previewChunk = SweepChunk

// previewSample is how many anonymised fact sets a preview shows.
const previewSample = 5

// Preview is what a rule matches now.
type Preview struct {
	People     int            `json:"people"`     // people it would make at least one suggestion for
	Matches    int            `json:"matches"`    // suggestions (a person with two young children counts twice)
	ByDistrict map[string]int `json:"byDistrict"` // people, by district ("" when unknown)
	Sample     []SampleFacts  `json:"sample"`     // at most five, anonymised
	Scanned    int            `json:"scanned"`    // people read
	Complete   bool           `json:"complete"`   // false: PreviewLimit was reached first
}

// SampleFacts is one person's facts with nothing that identifies them: ages instead of birth
// dates, no names, no ids, no exact dates; kinds, statuses and agencies are kept (they are what
// a rule is about).
type SampleFacts struct {
	Age       int64          `json:"age"`
	District  string         `json:"district"`
	Children  []SampleChild  `json:"children"`
	Cases     []SampleCase   `json:"cases"`
	Bookings  []SampleRecord `json:"bookings"`
	Keys      []SampleRecord `json:"keys"`
	Relations []Relation     `json:"relations"`
}

// SampleChild is a child without name or birth date.
type SampleChild struct {
	Age      int64 `json:"age"`
	Guardian bool  `json:"guardian"`
}

// SampleCase is a case without its dates.
type SampleCase struct {
	Kind    string `json:"kind"`
	Status  string `json:"status"`
	Agency  string `json:"agency"`
	Area    string `json:"area"`
	Decided bool   `json:"decided"`
}

// SampleRecord is a booking or key: its status and agency only.
type SampleRecord struct {
	Status string `json:"status"`
	Agency string `json:"agency"`
}

// PreviewRule evaluates d (compiled in env) over everyone at now. An event rule is previewed as
// if each of its subjects were the event's object: who would get it if the event happened.
func PreviewRule(ctx context.Context, db bun.IDB, env *Env, d Definition, now time.Time) (Preview, error) {
	d.Events = nil // evaluate every subject, not only an event's object
	r, err := env.Compile(d)
	if err != nil {
		return Preview{}, err
	}
	out := Preview{ByDistrict: map[string]int{}, Sample: []SampleFacts{}, Complete: true}
	after := ""
	for {
		var ids []string
		q := db.NewSelect().Table("citizens").Column("id").OrderExpr("id").Limit(int64(min(previewChunk, PreviewLimit-out.Scanned)))
		if after != "" {
			q = q.Where("id > ?", after)
		}
		if err := q.Scan(ctx, &ids); err != nil {
			return Preview{}, fmt.Errorf("suggest: preview: people: %w", err)
		}
		if len(ids) == 0 {
			return out, nil
		}
		after, out.Scanned = ids[len(ids)-1], out.Scanned+len(ids)
		people, err := LoadFacts(ctx, db, ids, now)
		if err != nil {
			return Preview{}, err
		}
		for _, f := range people.Facts {
			if slices.Contains(people.OffAgencies(f.Person.ID), d.Agency) {
				continue
			}
			f.Event = Event{Kind: "sweep"}
			ms, err := r.Holds(f, env.Activation(f))
			if err != nil || len(ms) == 0 {
				continue // a rule that fails for someone makes them no suggestion
			}
			out.People++
			out.Matches += len(ms)
			out.ByDistrict[f.Person.District]++
			if len(out.Sample) < previewSample {
				out.Sample = append(out.Sample, anonymise(f))
			}
		}
		if out.Scanned >= PreviewLimit {
			out.Complete = false
			return out, nil
		}
	}
}

// anonymise keeps what a rule reads of f, minus whatever points at the person.
func anonymise(f *Facts) SampleFacts {
	s := SampleFacts{Age: f.Person.Age, District: f.Person.District, Children: []SampleChild{}, Cases: []SampleCase{},
		Bookings: []SampleRecord{}, Keys: []SampleRecord{}, Relations: slices.Clone(f.Relations)}
	for _, c := range f.Children {
		s.Children = append(s.Children, SampleChild{Age: c.Age, Guardian: c.Guardian})
	}
	slices.SortFunc(s.Children, func(a, b SampleChild) int { return cmp.Compare(a.Age, b.Age) })
	for _, c := range f.Cases {
		s.Cases = append(s.Cases, SampleCase{Kind: c.Kind, Status: c.Status, Agency: c.Agency, Area: c.Area, Decided: c.Decided})
	}
	for _, b := range f.Bookings {
		s.Bookings = append(s.Bookings, SampleRecord{Status: b.Status, Agency: b.Agency})
	}
	for _, k := range f.Keys {
		s.Keys = append(s.Keys, SampleRecord{Status: k.Status, Agency: k.Agency})
	}
	if s.Relations == nil {
		s.Relations = []Relation{}
	}
	return s
}
