package represent_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestRepresentedBy: the person a relation is about sees who may act for them now, with the
// areas and the end, one entry per representative, and is warned when an end is near.
func TestRepresentedBy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		mother := f.citizen("Ingrid", time.Date(1941, 4, 3, 0, 0, 0, 0, time.UTC))
		son := f.citizen("Lars", time.Date(1966, 10, 12, 0, 0, 0, 0, time.UTC))
		daughter := f.citizen("Anne", time.Date(1968, 1, 2, 0, 0, 0, 0, time.UTC))
		former := f.citizen("Per", time.Date(1974, 5, 19, 0, 0, 0, 0, time.UTC))
		soon := now.AddDate(0, 0, 12)
		f.relation(represent.KindPowerOfAttorney, son, mother, []string{"health"}, now.AddDate(0, -6, 0), &soon)
		f.relation(represent.KindPowerOfAttorney, son, mother, []string{"care"}, now.AddDate(0, -6, 0), ptr(now.AddDate(1, 0, 0)))
		f.relation(represent.KindPowerOfAttorney, daughter, mother, nil, now.AddDate(0, -1, 0), nil)
		f.relation(represent.KindPowerOfAttorney, former, mother, nil, now.AddDate(-2, 0, 0), ptr(now.AddDate(0, -1, 0)))

		list, err := represent.Access{}.RepresentedBy(ctx, db, mother.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range list {
			got = append(got, r.Name+"/"+r.Relation)
		}
		if !slices.Equal(got, []string{"Anne/power_of_attorney", "Lars/power_of_attorney"}) {
			t.Fatalf("RepresentedBy = %v; want the two valid holders by name, not the expired one", got)
		}
		if list[0].Areas != nil || list[0].ValidUntil != nil || represent.EndsSoon(list[0].ValidUntil, now) {
			t.Errorf("a general power of attorney without end = %+v", list[0])
		}
		lars := list[1]
		if !slices.Equal(lars.Areas, []string{"care", "health"}) || lars.ValidUntil == nil || !lars.ValidUntil.Equal(now.AddDate(1, 0, 0)) {
			t.Errorf("two relations of one holder = %+v; want their areas together and the later end", lars)
		}
		if represent.EndsSoon(lars.ValidUntil, now) || !represent.EndsSoon(&soon, now) || represent.EndsSoon(ptr(now.AddDate(0, 0, 31)), now) {
			t.Error("EndsSoon does not say within 30 days")
		}

		parent := f.citizen("Kari", time.Date(1980, 3, 1, 0, 0, 0, 0, time.UTC))
		child := f.citizen("Emma", time.Date(2015, 6, 15, 0, 0, 0, 0, time.UTC))
		f.relation(represent.KindGuardian, parent, child, nil, child.BirthDate, nil)
		guardians, err := represent.Access{}.RepresentedBy(ctx, db, child.ID, now)
		if err != nil || len(guardians) != 1 || guardians[0].Name != "Kari" || guardians[0].Relation != represent.KindGuardian ||
			guardians[0].ValidUntil == nil || !guardians[0].ValidUntil.Equal(time.Date(2033, 6, 15, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("a child's guardians = %+v, %v; want Kari until the 18th birthday", guardians, err)
		}
	})
}

// TestEndedFor: a representative is told which access ended lately, when, why and by which
// agency's relation; a renewed one, an old one and one that never granted anything are not listed.
func TestEndedFor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		rep := f.citizen("Per", time.Date(1974, 5, 19, 0, 0, 0, 0, time.UTC))
		berit := f.citizen("Berit", time.Date(1949, 12, 8, 0, 0, 0, 0, time.UTC))
		renewed := f.citizen("Astrid", time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC))
		old := f.citizen("Gunnar", time.Date(1935, 1, 1, 0, 0, 0, 0, time.UTC))
		empty := f.citizen("Tom", time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC))
		sara := f.citizen("Sara", time.Date(2008, 11, 1, 0, 0, 0, 0, time.UTC)) // 18 on 2026-11-01
		expired := now.AddDate(0, -1, 0)
		f.relation(represent.KindPowerOfAttorney, rep, berit, []string{"health", "building"}, now.AddDate(-1, 0, 0), &expired)
		f.relation(represent.KindPowerOfAttorney, rep, renewed, nil, now.AddDate(-1, 0, 0), ptr(now.AddDate(0, 0, -10)))
		f.relation(represent.KindPowerOfAttorney, rep, renewed, nil, now.AddDate(0, 0, -10), nil)
		f.relation(represent.KindPowerOfAttorney, rep, old, nil, now.AddDate(-2, 0, 0), ptr(now.AddDate(0, -4, 0)))
		f.relation(represent.KindPowerOfAttorney, rep, empty, []string{}, now.AddDate(-1, 0, 0), ptr(now.AddDate(0, 0, -5)))
		f.relation(represent.KindGuardian, rep, sara, nil, sara.BirthDate, nil)

		list, err := represent.Access{}.EndedFor(ctx, db, rep.ID, now.AddDate(0, 0, -90), now)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range list {
			got = append(got, e.SubjectName+"/"+e.Reason)
		}
		if !slices.Equal(got, []string{"Sara/adult", "Berit/expired"}) {
			t.Fatalf("EndedFor = %v; want Sara (turned 18) and Berit (expired), newest first", got)
		}
		if !list[0].EndedAt.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || list[0].Relation != represent.KindGuardian {
			t.Errorf("Sara = %+v; want the guardianship ended on her 18th birthday", list[0])
		}
		b := list[1]
		if !b.EndedAt.Equal(expired) || !slices.Equal(b.Areas, []string{"health", "building"}) || b.AgencyName != "Folkeregisteret" || b.AgencySlug != "folkeregisteret" ||
			b.AgencyID != f.agency || b.Relation != represent.KindPowerOfAttorney {
			t.Errorf("Berit = %+v; want the end, the areas it granted and the agency that wrote it", b)
		}
	})
}
