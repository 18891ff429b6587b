package represent_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type fixture struct {
	t      *testing.T
	db     *store.DB
	agency string
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	a := &agency.Agency{ID: store.NewID(), Slug: "folkeregisteret", Name: "Folkeregisteret", CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(a).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, kind := range agency.Authorities {
		if err := agency.Grant(context.Background(), db, a.ID, kind, now); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{t: t, db: db, agency: a.ID}
}

func (f *fixture) citizen(name string, birth time.Time) *citizens.Citizen {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	c := &citizens.Citizen{ID: store.NewID(), PIDHash: hex.EncodeToString(b), PIDMasked: "010101*****",
		BirthDate: birth, Name: name, CreatedAt: now, UpdatedAt: now}
	if _, err := f.db.NewInsert().Model(c).Exec(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) relation(kind string, rep, subject *citizens.Citizen, scopes []string, from time.Time, until *time.Time) {
	r := &represent.Relation{ID: store.NewID(), AgencyID: f.agency, ExternalID: store.NewID(), Version: 1, Kind: kind,
		RepresentativeID: rep.ID, SubjectID: subject.ID, Scopes: scopes, ValidFrom: store.UTC(from), CreatedAt: now, UpdatedAt: now}
	if until != nil {
		u := store.UTC(*until)
		r.ValidUntil = &u
	}
	if _, err := f.db.NewInsert().Model(r).Exec(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) caseOf(owner *citizens.Citizen, area string) string {
	c := &cases.Case{ID: store.NewID(), AgencyID: f.agency, ExternalID: store.NewID(), Version: 1, CitizenID: owner.ID,
		Area: area, Status: "received", CreatedAt: now, UpdatedAt: now}
	if _, err := f.db.NewInsert().Model(c).Exec(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

func ptr(t time.Time) *time.Time { return &t }

func TestCanAct(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		parent := f.citizen("Kari", time.Date(1980, 3, 1, 0, 0, 0, 0, time.UTC))
		child := f.citizen("Ola", time.Date(2010, 6, 15, 0, 0, 0, 0, time.UTC)) // 18 on 2028-06-15
		grandma := f.citizen("Astrid", time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC))
		stranger := f.citizen("Per", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC))
		f.relation(represent.KindGuardian, parent, child, nil, time.Date(2010, 6, 15, 0, 0, 0, 0, time.UTC), nil)
		f.relation(represent.KindPowerOfAttorney, parent, grandma, []string{"health"}, now.AddDate(0, -1, 0), ptr(now.AddDate(0, 1, 0)))
		f.relation(represent.KindPowerOfAttorney, stranger, grandma, nil, now.AddDate(0, 1, 0), nil) // not yet valid

		adult := time.Date(2028, 6, 15, 0, 0, 0, 0, time.UTC)
		tests := []struct {
			name         string
			rep, subj    *citizens.Citizen
			area         string
			at           time.Time
			want         bool
			wantRelation string
		}{
			{"guardian of a minor, any area", parent, child, "", now, true, represent.KindGuardian},
			{"guardian of a minor, school", parent, child, "school", now, true, represent.KindGuardian},
			{"guardian the day before 18", parent, child, "school", adult.Add(-time.Second), true, represent.KindGuardian},
			{"guardian when the child turns 18", parent, child, "school", adult, false, ""},
			{"fullmakt in scope", parent, grandma, "health", now, true, represent.KindPowerOfAttorney},
			{"fullmakt out of scope", parent, grandma, "building", now, false, ""},
			{"fullmakt any area (choosing to act as)", parent, grandma, "", now, true, represent.KindPowerOfAttorney},
			{"fullmakt expired", parent, grandma, "health", now.AddDate(0, 1, 0), false, ""},
			{"fullmakt before it starts", stranger, grandma, "health", now, false, ""},
			{"fullmakt once it starts, unscoped", stranger, grandma, "building", now.AddDate(0, 2, 0), true, represent.KindPowerOfAttorney},
			{"no relation", stranger, child, "", now, false, ""},
			{"the child for the parent", child, parent, "", now, false, ""},
			{"oneself", parent, parent, "", now, false, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rel, ok, err := represent.Access{}.CanAct(ctx, db, tc.rep.ID, tc.subj.ID, tc.area, tc.at)
				if err != nil {
					t.Fatal(err)
				}
				if ok != tc.want || rel.Kind != tc.wantRelation {
					t.Errorf("CanAct = %q, %v; want %q, %v", rel.Kind, ok, tc.wantRelation, tc.want)
				}
			})
		}

		list, err := represent.Access{}.Represents(ctx, db, parent.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range list {
			got = append(got, r.Subject.Name+"/"+r.Relation)
		}
		if !slices.Equal(got, []string{"Astrid/power_of_attorney", "Ola/guardian"}) {
			t.Errorf("Represents = %v", got)
		}
		if list[1].Areas != nil || list[1].ValidUntil == nil || !list[1].ValidUntil.Equal(adult) {
			t.Errorf("guardian entry = %+v, want all areas until the 18th birthday", list[1])
		}
		if !slices.Equal(list[0].Areas, []string{"health"}) {
			t.Errorf("fullmakt areas = %v", list[0].Areas)
		}
		later, err := represent.Access{}.Represents(ctx, db, parent.ID, adult.AddDate(0, 0, 1))
		if err != nil || len(later) != 0 {
			t.Errorf("after the child is 18 and the fullmakt ran out: %v, %v", later, err)
		}
	})
}

// TestViewFiltersCases applies View the way list endpoints do.
func TestViewFiltersCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		rep := f.citizen("Kari", time.Date(1980, 3, 1, 0, 0, 0, 0, time.UTC))
		giver := f.citizen("Astrid", time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC))
		other := f.citizen("Per", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC))
		f.relation(represent.KindPowerOfAttorney, rep, giver, []string{"health", "school"}, now.AddDate(-1, 0, 0), nil)
		health, building := f.caseOf(giver, "health"), f.caseOf(giver, "building")
		own := f.caseOf(rep, "building")
		f.caseOf(other, "health")

		list := func(v represent.View) []string {
			var rows []cases.Case
			if err := v.Apply(db.NewSelect().Model(&rows), "citizen_id", "area").Order("id").Scan(ctx); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			return ids
		}
		acting, ok, err := represent.Access{}.ViewFor(ctx, db, rep.ID, giver.ID, now)
		if err != nil || !ok || !acting.ActingAs() {
			t.Fatalf("ViewFor = %+v, %v, %v", acting, ok, err)
		}
		if got := list(acting); !slices.Equal(got, []string{health}) {
			t.Errorf("acting for the giver with a health fullmakt: %v, want only the health case", got)
		}
		if acting.Owns(giver.ID, "building") || !acting.Owns(giver.ID, "health") || acting.Owns(other.ID, "health") {
			t.Error("Owns does not follow the scope and the subject")
		}
		if got := list(represent.Own(rep.ID)); !slices.Equal(got, []string{own}) {
			t.Errorf("own view: %v", got)
		}
		if got := list(represent.Own(giver.ID)); !slices.Equal(got, []string{health, building}) {
			t.Errorf("the giver's own view: %v", got)
		}
		if got := list(represent.View{SubjectID: giver.ID, Areas: []string{}}); len(got) != 0 {
			t.Errorf("a view with no areas shows %v", got)
		}
		if _, ok, _ := (represent.Access{}).ViewFor(ctx, db, rep.ID, other.ID, now); ok {
			t.Error("a view for someone without a relation")
		}
	})
}

// TestRelationsGrantOnlyWhileTheAgencyHoldsTheAuthority: a relation from an agency without the
// authority for its kind grants nothing to any reader, however valid it is otherwise; granting the
// authority brings it to life, revoking it ends it again, with nothing deleted.
func TestRelationsGrantOnlyWhileTheAgencyHoldsTheAuthority(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		newcomer := &agency.Agency{ID: store.NewID(), Slug: "ny-etat", Name: "Ny etat", CreatedAt: now, UpdatedAt: now}
		if _, err := db.NewInsert().Model(newcomer).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		f.agency = newcomer.ID // the relations below come from the newcomer
		stranger := f.citizen("Per", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC))
		child := f.citizen("Ola", time.Date(2013, 6, 15, 0, 0, 0, 0, time.UTC))
		grandma := f.citizen("Astrid", time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC))
		f.relation(represent.KindGuardian, stranger, child, nil, now.AddDate(-1, 0, 0), nil)
		f.relation(represent.KindPowerOfAttorney, stranger, grandma, []string{"health"}, now.AddDate(-1, 0, 0), nil)

		access := represent.Access{}
		grants := func() []string {
			t.Helper()
			var out []string
			for _, c := range []struct {
				name    string
				subject *citizens.Citizen
				area    string
			}{{"child", child, "school"}, {"grandma", grandma, "health"}} {
				if _, ok, err := access.CanAct(ctx, db, stranger.ID, c.subject.ID, c.area, now); err != nil {
					t.Fatal(err)
				} else if ok {
					out = append(out, "CanAct "+c.name)
				}
				if _, ok, err := access.ViewFor(ctx, db, stranger.ID, c.subject.ID, now); err != nil {
					t.Fatal(err)
				} else if ok {
					out = append(out, "ViewFor "+c.name)
				}
				reps, err := access.RepresentativesOf(ctx, db, c.subject.ID, c.area, now)
				if err != nil {
					t.Fatal(err)
				}
				if slices.Contains(reps, stranger.ID) {
					out = append(out, "RepresentativesOf "+c.name)
				}
			}
			list, err := access.Represents(ctx, db, stranger.ID, now)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range list {
				out = append(out, "Represents "+r.Subject.Name)
			}
			children, err := access.ChildrenOf(ctx, db, []string{stranger.ID}, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(children[stranger.ID]) > 0 {
				out = append(out, "ChildrenOf")
			}
			slices.Sort(out)
			return out
		}
		if got := grants(); len(got) != 0 {
			t.Fatalf("relations from an agency without authority grant %v", got)
		}
		for _, kind := range agency.Authorities {
			if err := agency.Grant(ctx, db, newcomer.ID, kind, now); err != nil {
				t.Fatal(err)
			}
		}
		all := []string{"CanAct child", "CanAct grandma", "ChildrenOf", "RepresentativesOf child", "RepresentativesOf grandma",
			"Represents Astrid", "Represents Ola", "ViewFor child", "ViewFor grandma"}
		if got := grants(); !slices.Equal(got, all) {
			t.Fatalf("with the authority: %v, want %v", got, all)
		}
		if _, err := db.NewDelete().Model((*agency.Authority)(nil)).Where("agency_id = ? AND kind = ?", newcomer.ID, represent.KindGuardian).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		want := []string{"CanAct grandma", "RepresentativesOf grandma", "Represents Astrid", "ViewFor grandma"}
		if got := grants(); !slices.Equal(got, want) {
			t.Fatalf("after the guardian authority is revoked: %v, want %v", got, want)
		}
	})
}

// TestEmptyScopeListGrantsNothing: scopes nil is a general power of attorney (every area); a
// stored empty list names no area and grants nothing, to every reader alike.
func TestEmptyScopeListGrantsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		empty := f.citizen("Tom", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC))
		general := f.citizen("Generell", time.Date(1981, 1, 1, 0, 0, 0, 0, time.UTC))
		giver := f.citizen("Astrid", time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC))
		f.relation(represent.KindPowerOfAttorney, empty, giver, []string{}, now.AddDate(-1, 0, 0), nil)
		f.relation(represent.KindPowerOfAttorney, general, giver, nil, now.AddDate(-1, 0, 0), nil)
		var stored represent.Relation
		if err := db.NewSelect().Model(&stored).Where("representative_id = ?", empty.ID).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if stored.Scopes == nil || len(stored.Scopes) != 0 {
			t.Fatalf("an empty scope list reads back as %#v; it must stay an empty list", stored.Scopes)
		}

		access := represent.Access{}
		for _, area := range []string{"", "health"} {
			if _, ok, err := access.CanAct(ctx, db, empty.ID, giver.ID, area, now); err != nil || ok {
				t.Errorf("CanAct(%q) with an empty scope list = %v, %v", area, ok, err)
			}
			if _, ok, err := access.CanAct(ctx, db, general.ID, giver.ID, area, now); err != nil || !ok {
				t.Errorf("CanAct(%q) with a general power of attorney = %v, %v", area, ok, err)
			}
			reps, err := access.RepresentativesOf(ctx, db, giver.ID, area, now)
			if err != nil || !slices.Equal(reps, []string{general.ID}) {
				t.Errorf("RepresentativesOf(%q) = %v, %v; want only the general one", area, reps, err)
			}
		}
		if _, ok, err := access.ViewFor(ctx, db, empty.ID, giver.ID, now); err != nil || ok {
			t.Errorf("ViewFor with an empty scope list = %v, %v", ok, err)
		}
		if v, ok, err := access.ViewFor(ctx, db, general.ID, giver.ID, now); err != nil || !ok || v.Areas != nil {
			t.Errorf("ViewFor with a general power of attorney = %+v, %v, %v; want every area", v, ok, err)
		}
		if list, err := access.Represents(ctx, db, empty.ID, now); err != nil || len(list) != 0 {
			t.Errorf("Represents with an empty scope list = %v, %v", list, err)
		}
	})
}
