package notify

import (
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// Quiet hours hold a non-urgent push until they end and let an urgent deadline through at once.
func TestQuietHoursDelayAllButUrgent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oslo, _ := time.LoadLocation(Timezone)
		e.clock.Set(time.Date(2026, 1, 14, 23, 30, 0, 0, oslo)) // 23:30 in Oslo
		who := e.citizen(adult)
		ag := e.agency("NAV Frogner")
		sub, _ := e.device(who)
		calm := e.caseFor(who, ag, cases.StatusInProgress)
		urgent := e.caseFor(who, ag, cases.StatusAwaitingCitizen)
		st1, err := e.notifier.FanOut(e.ctx, 1, e.clock.Now(), outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: calm, Reason: "status_changed"})
		if err != nil {
			t.Fatal(err)
		}
		st2, err := e.notifier.FanOut(e.ctx, 2, e.clock.Now(), outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: urgent, Reason: "awaiting_citizen", Urgent: true})
		if err != nil {
			t.Fatal(err)
		}
		if st1.Delayed != 1 || st2.Delayed != 0 || st1.Pushes != 1 || st2.Pushes != 1 {
			t.Fatalf("stats %+v %+v", st1, st2)
		}
		e.drain()
		msgs := e.srv.Messages(sub)
		if len(msgs) != 1 || msgs[0].Urgency != string(push.UrgencyHigh) {
			t.Fatalf("during quiet hours: %d messages, %+v", len(msgs), msgs)
		}
		end := time.Date(2026, 1, 15, 7, 0, 0, 0, oslo)
		e.clock.Set(end.Add(-time.Minute))
		e.drain()
		if n := len(e.srv.Messages(sub)); n != 1 {
			t.Fatalf("sent before quiet hours ended: %d", n)
		}
		e.clock.Set(end)
		e.drain()
		if msgs := e.srv.Messages(sub); len(msgs) != 2 || msgs[1].Urgency != string(push.UrgencyNormal) {
			t.Fatalf("after quiet hours: %+v", msgs)
		}
	})
}

// With quiet hours switched off a push at 03:00 goes out at once; switched on again, the next is held.
func TestQuietHoursOffSendsAtNight(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oslo, _ := time.LoadLocation(Timezone)
		e.clock.Set(time.Date(2026, 1, 15, 3, 0, 0, 0, oslo))
		who := e.citizen(adult)
		ag := e.agency("NAV Frogner")
		sub, _ := e.device(who)
		setQuiet := func(on bool) {
			if _, err := e.prefs.Put(e.ctx, who, PrefsInput{QuietHours: &QuietHoursInput{Enabled: &on}}, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		setQuiet(false)
		st, err := e.notifier.FanOut(e.ctx, 1, e.clock.Now(), outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: e.caseFor(who, ag, cases.StatusInProgress), Reason: "status_changed"})
		if err != nil || st.Delayed != 0 || st.Pushes != 1 {
			t.Fatalf("off: stats %+v, %v", st, err)
		}
		e.drain()
		if n := len(e.srv.Messages(sub)); n != 1 {
			t.Fatalf("off: %d messages at 03:00, want 1", n)
		}
		setQuiet(true)
		st, err = e.notifier.FanOut(e.ctx, 2, e.clock.Now(), outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: e.caseFor(who, ag, cases.StatusInProgress), Reason: "status_changed"})
		if err != nil || st.Delayed != 1 {
			t.Fatalf("on: stats %+v, %v", st, err)
		}
		e.drain()
		if n := len(e.srv.Messages(sub)); n != 1 {
			t.Fatalf("on: %d messages at 03:00, want 1 (the second held)", n)
		}
	})
}

// Channels per category: push off means no push (and no delivery row), other categories unaffected.
func TestChannelOffSendsNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		e.device(who)
		if _, err := e.prefs.Put(e.ctx, who, PrefsInput{Channels: map[string]citizens.Channel{"cases": {Push: false, InApp: true}}}, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		st, err := e.notifier.FanOut(e.ctx, 1, e.clock.Now(), outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: e.caseFor(who, e.agency("X"), cases.StatusDecided), Reason: "status_changed"})
		if err != nil || st.Pushes != 0 || len(e.deliveries(who)) != 0 {
			t.Fatalf("stats %+v, %v, deliveries %d", st, err, len(e.deliveries(who)))
		}
	})
}

// A guardian of a minor and a fullmakt holder whose scope covers the case get it when they chose
// to; a fullmakt for another area, an ended relation, or a guardian who said no do not. Each
// gets it in their own language.
func TestRepresentativesGetWhatTheyChose(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		now := e.clock.Now()
		child := e.citizen(now.AddDate(-10, 0, 0))
		ag := e.agency("Helsestasjonen")
		caseID := e.caseFor(child, ag, cases.StatusInProgress) // area "building"
		rel := func(kind, rep string, scopes []string, until *time.Time) {
			r := &represent.Relation{ID: store.NewID(), AgencyID: ag, ExternalID: randomHex(4), Version: 1, Kind: kind,
				RepresentativeID: rep, SubjectID: child, Scopes: scopes, ValidFrom: store.UTC(now.Add(-time.Hour)),
				ValidUntil: until, CreatedAt: store.UTC(now), UpdatedAt: store.UTC(now)}
			if err := agency.Grant(e.ctx, db, ag, kind, now); err != nil {
				t.Fatal(err)
			}
			if _, err := db.NewInsert().Model(r).Exec(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
		ended := store.UTC(now.Add(-time.Minute))
		mother, father, aunt, lawyer, former := e.citizen(adult), e.citizen(adult), e.citizen(adult), e.citizen(adult), e.citizen(adult)
		rel(represent.KindGuardian, mother, nil, nil)
		rel(represent.KindGuardian, father, nil, nil)
		rel(represent.KindPowerOfAttorney, aunt, []string{"building"}, nil)
		rel(represent.KindPowerOfAttorney, lawyer, []string{"health"}, nil)
		rel(represent.KindGuardian, former, nil, &ended)
		// A power of attorney stored with an empty scope list grants nothing (refused on input
		// today); a guardianship from an agency without the authority for it grants nothing either.
		emptied, untrusted := e.citizen(adult), e.citizen(adult)
		rel(represent.KindPowerOfAttorney, emptied, []string{}, nil)
		stranger := &represent.Relation{ID: store.NewID(), AgencyID: e.agency("Ny etat"), ExternalID: randomHex(4), Version: 1,
			Kind: represent.KindGuardian, RepresentativeID: untrusted, SubjectID: child, ValidFrom: store.UTC(now.Add(-time.Hour)),
			CreatedAt: store.UTC(now), UpdatedAt: store.UTC(now)}
		if _, err := db.NewInsert().Model(stranger).Exec(e.ctx); err != nil {
			t.Fatal(err)
		}
		no := false
		if _, err := e.prefs.Put(e.ctx, father, PrefsInput{RepresentedNotifications: &no}, now); err != nil {
			t.Fatal(err)
		}
		e.setLanguage(aunt, "en")
		subs := map[string]push.Subscription{}
		for _, who := range []string{child, mother, father, aunt, lawyer, former, emptied, untrusted} {
			subs[who], _ = e.device(who)
		}
		e.enqueue(outbox.NotifyEvent{CitizenID: child, Kind: "case", ObjectID: caseID, Reason: "status_changed"})
		e.drain()
		want := map[string]string{
			child: "Saken din hos Helsestasjonen er oppdatert", mother: "Saken din hos Helsestasjonen er oppdatert",
			aunt: "Your case with Helsestasjonen has been updated", father: "", lawyer: "", former: "",
			emptied: "", untrusted: "",
		}
		for who, title := range want {
			msgs := e.srv.Messages(subs[who])
			var got string
			if len(msgs) == 1 {
				var p push.Payload
				_ = msgs[0].Decode(&p)
				got = p.Title
			}
			if got != title || len(msgs) > 1 {
				t.Errorf("%s: %d messages, title %q, want %q", who, len(msgs), got, title)
			}
		}
	})
}

// Running the same notify message twice (a worker crashed after committing) fans out once.
func TestFanOutIsIdempotentPerMessage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		e.device(who)
		ev := outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: e.caseFor(who, e.agency("X"), cases.StatusInProgress), Reason: "status_changed"}
		for i, want := range []int{1, 0} {
			st, err := e.notifier.FanOut(e.ctx, 42, e.clock.Now(), ev)
			if err != nil || st.Pushes != want {
				t.Fatalf("run %d: %+v, %v", i, st, err)
			}
		}
		if n := len(e.deliveries(who)); n != 1 {
			t.Fatalf("%d deliveries", n)
		}
	})
}
