package overview_test

import (
	"slices"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/keys"
	"minside/backend/internal/overview"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/texts"
	"minside/backend/internal/tiles"
)

// demo is a citizen with something from four agencies, a child, and tiles aimed at some of them.
type demo struct {
	w                                 *world
	kari, child, other                string
	plan, library, health, school     string
	awaiting, decided, childCase      string
	booking, soonBooking, key         string
	unread, read, tileAll, tileKids   string
	tileDraft, tileOld, tileElsewhere string
}

func newDemo(t *testing.T, db *store.DB) *demo {
	w := newWorld(t, db)
	d := &demo{w: w}
	w.batch(func() { d.fill() })
	return d
}

func (d *demo) fill() {
	w := d.w
	d.plan = w.agency("plan-og-bygg", "Plan- og bygningsetaten")
	d.library = w.agency("deichman", "Deichman")
	d.health = w.agency("helse", "Helseetaten")
	d.school = w.agency("utdanning", "Utdanningsetaten")
	d.kari = w.citizen("Kari Nordmann", date(1985, 3, 14), "Gamle Oslo")
	d.child = w.citizen("Ola Nordmann", date(2016, 6, 1), "Gamle Oslo")
	d.other = w.citizen("Per Hansen", date(1970, 1, 1), "Frogner")
	w.relation(d.school, represent.KindGuardian, d.kari, d.child, nil)

	due := w.now.Add(72 * time.Hour)
	d.awaiting = w.addCase(caseSpec{agency: d.plan, citizen: d.kari, area: "building", kind: "building_permit", status: cases.StatusAwaitingCitizen,
		title: texts.Values{"nb": "Byggesøknad Storgata 1", "en": "Building permit Storgata 1"}, nextAction: texts.Values{"nb": "Send tegninger"}, due: &due})
	d.decided = w.addCase(caseSpec{agency: d.health, citizen: d.kari, area: "health", kind: "home_care", status: cases.StatusDecided,
		updated: w.now.Add(-time.Hour)})
	d.childCase = w.addCase(caseSpec{agency: d.school, citizen: d.child, area: "school", kind: "school_place", status: cases.StatusAwaitingCitizen,
		title: texts.Values{"nb": "Skoleplass"}, due: ptr(w.now.Add(24 * time.Hour))})
	w.addCase(caseSpec{agency: d.plan, citizen: d.other, area: "building", kind: "building_permit", status: cases.StatusAwaitingCitizen})

	d.booking = w.addBooking(d.library, d.kari, "culture", "Møterom 2", w.now.Add(72*time.Hour), bookings.StatusConfirmed)
	d.soonBooking = w.addBooking(d.library, d.kari, "culture", "Lydstudio", w.now.Add(3*time.Hour), bookings.StatusConfirmed)
	w.addBooking(d.library, d.kari, "culture", "Avlyst rom", w.now.Add(48*time.Hour), bookings.StatusCancelled)
	d.key = w.addKey(d.library, d.kari, "Deichman Tøyen",
		keys.Window{StartsAt: w.now.Add(-time.Hour), EndsAt: w.now.Add(time.Hour)},
		keys.Window{StartsAt: w.now.Add(24 * time.Hour), EndsAt: w.now.Add(26 * time.Hour)})

	d.unread = w.addNotification(d.health, d.kari, "Nytt vedtak", false)
	d.read = w.addNotification(d.health, d.kari, "Gammel beskjed", true)

	d.tileAll = w.addTile(d.library, "Lånekort", tiles.Targeting{}, "published")
	d.tileKids = w.addTile(d.school, "Aktivitetskort for barn", tiles.Targeting{ChildAgeMin: ptr(6), ChildAgeMax: ptr(12)}, "published")
	d.tileDraft = w.addTile(d.library, "Utkast", tiles.Targeting{}, "draft")
	d.tileElsewhere = w.addTile(d.plan, "Frogner-nytt", tiles.Targeting{Districts: []string{"Frogner"}}, "published")
	d.tileOld = w.addTile(d.plan, "Seniortilbud", tiles.Targeting{MinAge: ptr(67)}, "published")
}

func build(t *testing.T, s *overview.Service, v overview.Viewer) *overview.Overview {
	t.Helper()
	p, err := s.Prepare(t.Context(), v)
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.Build(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOverviewOfADemoCitizen(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDemo(t, db)
		o := build(t, d.w.service(), overview.Viewer{CitizenID: d.kari, SubjectID: d.kari, Lang: "en"})

		agencies := map[string]bool{}
		for _, it := range o.NeedsAction {
			agencies[it.Agency.Slug] = true
		}
		for _, b := range o.Upcoming {
			agencies[b.Agency.Slug] = true
		}
		for _, k := range o.Keys {
			agencies[k.Agency.Slug] = true
		}
		for _, n := range o.Notifications.Items {
			agencies[n.Agency.Slug] = true
		}
		for _, c := range o.Recent {
			agencies[c.Agency.Slug] = true
		}
		if len(agencies) < 4 {
			t.Errorf("overview holds items from %d agencies (%v), want at least 4", len(agencies), agencies)
		}
		if o.Person.ID != d.kari || o.ActingAs != nil {
			t.Errorf("person %+v actingAs %+v", o.Person, o.ActingAs)
		}
		// Soonest first: the booking in 3 h, the child's case in 24 h, Kari's case in 72 h.
		var got []string
		for _, it := range o.NeedsAction {
			got = append(got, it.Kind+":"+it.ID)
		}
		want := []string{"booking:" + d.soonBooking, "case:" + d.childCase, "case:" + d.awaiting}
		if !slices.Equal(got, want) {
			t.Errorf("needsAction = %v, want %v", got, want)
		}
		if it := o.NeedsAction[2]; it.Title != "Building permit Storgata 1" || it.NextAction == nil || *it.NextAction != "Send tegninger" || it.Subject != nil {
			t.Errorf("case item = %+v (English title, bokmål next action by fallback, own item)", it)
		}
		if s := o.NeedsAction[1].Subject; s == nil || s.ID != d.child || s.Name != "Ola Nordmann" {
			t.Errorf("the child's case is not marked with the child: %+v", s)
		}
		if len(o.Upcoming) != 2 || o.Upcoming[0].ID != d.soonBooking || !o.Upcoming[0].CanCancel {
			t.Errorf("upcoming = %+v", o.Upcoming)
		}
		if len(o.Keys) != 1 || !o.Keys[0].ValidNow || o.Keys[0].NextWindow == nil || !o.Keys[0].NextWindow.EndsAt.Equal(d.w.now.Add(time.Hour)) ||
			len(o.Keys[0].AccessPoints) != 1 {
			t.Errorf("keys = %+v", o.Keys)
		}
		if o.Notifications.Unread != 1 || len(o.Notifications.Items) != 1 || o.Notifications.Items[0].ID != d.unread ||
			o.Notifications.Items[0].Title != "Nytt vedtak" {
			t.Errorf("notifications = %+v", o.Notifications)
		}
		if len(o.Recent) != 3 || o.Recent[0].ID == d.decided {
			t.Errorf("recent = %+v", o.Recent)
		}
		var tileIDs []string
		for _, tl := range o.Tiles {
			tileIDs = append(tileIDs, tl.ID)
		}
		if !slices.Equal(tileIDs, []string{d.tileAll, d.tileKids}) {
			t.Errorf("tiles = %v, want everyone's and the children's tile only", tileIDs)
		}
		if len(o.People) != 1 || o.People[0].ID != d.child || o.People[0].NeedsAction != 1 || o.People[0].Relation != represent.KindGuardian {
			t.Errorf("people = %+v", o.People)
		}
		if o.Cursor == "" {
			t.Error("no cursor")
		}
	})
}

// TestRelationWithoutAuthorityShowsNothing: once the agency that wrote a guardianship loses the
// guardian authority, the overview has no child in "people", no tile for parents and no act-as.
func TestRelationWithoutAuthorityShowsNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDemo(t, db)
		if _, err := db.NewDelete().Model((*agency.Authority)(nil)).Where("agency_id = ?", d.school).Exec(t.Context()); err != nil {
			t.Fatal(err)
		}
		o := build(t, d.w.service(), overview.Viewer{CitizenID: d.kari, SubjectID: d.kari, Lang: "nb"})
		var tileIDs []string
		for _, tile := range o.Tiles {
			tileIDs = append(tileIDs, tile.ID)
		}
		if len(o.People) != 0 || slices.Contains(tileIDs, d.tileKids) {
			t.Errorf("people = %+v, tiles = %v: the revoked guardianship still counts", o.People, tileIDs)
		}
		for _, item := range o.NeedsAction {
			if item.ID == d.childCase {
				t.Error("the child's case is still shown")
			}
		}
		_, err := d.w.service().Prepare(t.Context(), overview.Viewer{CitizenID: d.kari, SubjectID: d.child, Lang: "nb"})
		if !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("acting for the child: %v, want not_found", err)
		}
	})
}

// TestEmptyScopeListShowsNothing: a power of attorney stored with an empty scope list gives no
// person in "people" and no act-as; omitted scopes (nil) give every area.
func TestEmptyScopeListShowsNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDemo(t, db)
		elder := d.w.citizen("Astrid Hansen", date(1940, 2, 2), "Frogner")
		d.w.relation(d.health, represent.KindPowerOfAttorney, d.kari, d.other, []string{})
		d.w.relation(d.health, represent.KindPowerOfAttorney, d.kari, elder, nil)
		o := build(t, d.w.service(), overview.Viewer{CitizenID: d.kari, SubjectID: d.kari, Lang: "nb"})
		var people []string
		for _, p := range o.People {
			people = append(people, p.ID)
		}
		if slices.Contains(people, d.other) || !slices.Contains(people, elder) {
			t.Errorf("people = %v: want the general power of attorney's %s, not the empty one's %s", people, elder, d.other)
		}
		if _, err := d.w.service().Prepare(t.Context(), overview.Viewer{CitizenID: d.kari, SubjectID: d.other, Lang: "nb"}); !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("acting with an empty scope list: %v, want not_found", err)
		}
	})
}

func TestGuardianActingAsChild(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDemo(t, db)
		o := build(t, d.w.service(), overview.Viewer{CitizenID: d.kari, SubjectID: d.child, Lang: "nb"})
		if o.ActingAs == nil || o.ActingAs.ID != d.child || o.Person.ID != d.kari {
			t.Fatalf("actingAs = %+v, person = %+v", o.ActingAs, o.Person)
		}
		if len(o.NeedsAction) != 1 || o.NeedsAction[0].ID != d.childCase || len(o.Upcoming) != 0 || len(o.Keys) != 0 {
			t.Errorf("acting as the child shows only the child's items: %+v %+v %+v", o.NeedsAction, o.Upcoming, o.Keys)
		}
		// Someone the guardian may not act for is unknown.
		_, err := d.w.service().Prepare(t.Context(), overview.Viewer{CitizenID: d.kari, SubjectID: d.other, Lang: "nb"})
		if !apperr.Is(err, apperr.CodeNotFound) {
			t.Errorf("acting for a stranger: %v, want not_found", err)
		}
	})
}

func TestFullmaktScopedToHealth(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		reg := w.agency("fullmakt", "Fullmaktsregisteret")
		health := w.agency("helse", "Helseetaten")
		plan := w.agency("plan", "Plan- og bygningsetaten")
		mother := w.citizen("Eva Olsen", date(1940, 2, 2), "Nordstrand")
		son := w.citizen("Jon Olsen", date(1970, 5, 5), "Nordstrand")
		w.relation(reg, represent.KindPowerOfAttorney, son, mother, []string{"health"})
		healthCase := w.addCase(caseSpec{agency: health, citizen: mother, area: "health", status: cases.StatusAwaitingCitizen})
		buildingCase := w.addCase(caseSpec{agency: plan, citizen: mother, area: "building", status: cases.StatusAwaitingCitizen})
		w.addKey(health, mother, "Trygghetsalarm", keys.Window{StartsAt: w.now.Add(-time.Hour), EndsAt: w.now.Add(time.Hour)})
		s := w.service()

		for _, v := range []overview.Viewer{{CitizenID: son, SubjectID: mother, Lang: "nb"}, {CitizenID: son, SubjectID: son, Lang: "nb"}} {
			o := build(t, s, v)
			if len(o.NeedsAction) != 1 || o.NeedsAction[0].ID != healthCase {
				t.Errorf("%+v: needsAction = %+v, want the health case only", v, o.NeedsAction)
			}
			if len(o.Keys) != 0 {
				t.Errorf("%+v: a scoped fullmakt shows keys (which have no area): %+v", v, o.Keys)
			}
			page, err := s.Cases(t.Context(), v, "", overview.PageRequest{})
			if err != nil || len(page.Items) != 1 || page.Items[0].ID != healthCase {
				t.Errorf("%+v: cases = %+v, %v", v, page.Items, err)
			}
			if _, err := s.Case(t.Context(), v, buildingCase, nil); !apperr.Is(err, apperr.CodeNotFound) {
				t.Errorf("%+v: building case detail: %v, want not_found", v, err)
			}
			if c, err := s.Case(t.Context(), v, healthCase, nil); err != nil || c.ID != healthCase {
				t.Errorf("%+v: health case detail: %+v, %v", v, c, err)
			}
		}
		// The changes feed from the start tells the son about the health case, and nothing of the building case.
		// On PostgreSQL other tests' open transactions may hold the feed's horizon back a moment.
		var fed []string
		for deadline := time.Now().Add(10 * time.Second); !slices.Contains(fed, "case:"+healthCase) && time.Now().Before(deadline); {
			delta, err := s.Changes(t.Context(), overview.Viewer{CitizenID: son, SubjectID: mother, Lang: "nb"},
				changes.Cursor{Issued: w.now}.String())
			if err != nil {
				t.Fatal(err)
			}
			fed = fed[:0]
			for _, c := range delta.Changes {
				fed = append(fed, c.Kind+":"+c.ID)
			}
			if !slices.Contains(fed, "case:"+healthCase) {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if !slices.Contains(fed, "case:"+healthCase) || slices.Contains(fed, "case:"+buildingCase) {
			t.Errorf("feed for a health fullmakt = %v", fed)
		}
		var audited int
		if err := db.NewRaw(`SELECT COUNT(*) FROM audit_log WHERE actor_id = ? AND subject_id = ? AND actor_kind = 'representative'`, son, mother).
			Scan(t.Context(), &audited); err != nil || audited == 0 {
			t.Errorf("reads on the mother's behalf are not audited: %d, %v", audited, err)
		}
	})
}

func TestETagFollowsChanges(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDemo(t, db)
		s := d.w.service()
		v := overview.Viewer{CitizenID: d.kari, SubjectID: d.kari, Lang: "nb"}
		etag := func() string {
			p, err := s.Prepare(t.Context(), v)
			if err != nil {
				t.Fatal(err)
			}
			return p.ETag
		}
		first := etag()
		if again := etag(); again != first {
			t.Errorf("unchanged overview, new ETag: %s then %s", first, again)
		}
		d.w.setCaseStatus(d.awaiting, d.kari, cases.StatusInProgress)
		afterCase := etag()
		if afterCase == first {
			t.Error("a case update did not change the ETag")
		}
		d.w.setCaseStatus(d.childCase, d.child, cases.StatusInProgress)
		if etag() == afterCase {
			t.Error("a change to the child's case did not change the guardian's ETag")
		}
		d.w.addCase(caseSpec{agency: d.plan, citizen: d.other, area: "building", status: cases.StatusReceived})
		stable := etag()
		if other := etag(); other != stable {
			t.Error("ETag unstable")
		}
		for _, lang := range []string{"en"} {
			if tag, _ := s.Prepare(t.Context(), overview.Viewer{CitizenID: d.kari, SubjectID: d.kari, Lang: lang}); tag.ETag == stable {
				t.Errorf("ETag does not depend on the language")
			}
		}
	})
}
