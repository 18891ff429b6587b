package calendar_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"minside/backend/internal/agency"
	"minside/backend/internal/app/apptest"
	"minside/backend/internal/apperr"
	"minside/backend/internal/bookings"
	"minside/backend/internal/calendar"
	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/texts"
	"minside/locales"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// component is a parsed BEGIN/END block: its properties (name → unescaped values) and children.
type component struct {
	name     string
	props    map[string][]string
	params   map[string]string // name → raw parameters of the last occurrence
	children []*component
}

// parseICal is a small RFC 5545 reader for the tests: it checks the line rules, unfolds, and
// builds the component tree.
func parseICal(t *testing.T, data []byte) *component {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatal("the object does not end with CRLF")
	}
	raw := strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n")
	var lines []string
	for i, l := range raw {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i, l)
		}
		if len(l) > 75 {
			t.Fatalf("line %d is %d octets: %q", i, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("line %d splits a UTF-8 character: %q", i, l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(lines) == 0 {
				t.Fatal("the object starts with a continuation line")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	root := &component{name: "ROOT"}
	stack := []*component{root}
	for _, l := range lines {
		head, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("no colon in %q", l)
		}
		name, params, _ := strings.Cut(head, ";")
		top := stack[len(stack)-1]
		switch name {
		case "BEGIN":
			c := &component{name: value, props: map[string][]string{}, params: map[string]string{}}
			top.children = append(top.children, c)
			stack = append(stack, c)
		case "END":
			if top.name != value {
				t.Fatalf("END:%s closes %s", value, top.name)
			}
			stack = stack[:len(stack)-1]
		default:
			if textProps[name] {
				value = unescape(t, value)
			}
			top.props[name] = append(top.props[name], value)
			top.params[name] = params
		}
	}
	if len(stack) != 1 || len(root.children) != 1 || root.children[0].name != "VCALENDAR" {
		t.Fatalf("not one balanced VCALENDAR (open: %d)", len(stack)-1)
	}
	return root.children[0]
}

// textProps are the TEXT properties the feed writes; their values must be escaped.
var textProps = map[string]bool{"SUMMARY": true, "LOCATION": true, "DESCRIPTION": true, "X-WR-CALNAME": true}

func unescape(t *testing.T, v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' {
			if c == ';' || c == ',' {
				t.Fatalf("unescaped %q in %q", c, v)
			}
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(v) {
			t.Fatalf("dangling backslash in %q", v)
		}
		switch v[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ';', ',':
			b.WriteByte(v[i])
		default:
			t.Fatalf("bad escape \\%c in %q", v[i], v)
		}
	}
	return b.String()
}

func insert(t *testing.T, db *store.DB, model any) {
	t.Helper()
	if _, err := db.NewInsert().Model(model).Exec(context.Background()); err != nil {
		t.Fatalf("insert %T: %v", model, err)
	}
}

func TestFeed(t *testing.T) {
	bundle, err := i18n.New(locales.FS, i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := calendar.New("https://minside.example.no/", bundle)
		ag := &agency.Agency{ID: store.NewID(), Slug: "kultur", Name: "Kultur", CreatedAt: t0, UpdatedAt: t0}
		insert(t, db, ag)
		me := &citizens.Citizen{ID: store.NewID(), PIDHash: "h1", PIDMasked: "010185*****", BirthDate: t0.AddDate(-40, 0, 0), Name: "Kari", CreatedAt: t0, UpdatedAt: t0}
		other := &citizens.Citizen{ID: store.NewID(), PIDHash: "h2", PIDMasked: "010170*****", BirthDate: t0.AddDate(-50, 0, 0), Name: "Per", CreatedAt: t0, UpdatedAt: t0}
		insert(t, db, me)
		insert(t, db, other)
		insert(t, db, &citizens.Preferences{CitizenID: me.ID, Language: "en", QuietStart: "22:00", QuietEnd: "07:00", Timezone: "Europe/Oslo", Channels: map[string]citizens.Channel{}, UpdatedAt: t0})

		booking := func(owner, status string, start time.Time, resource texts.Values) *bookings.Booking {
			b := &bookings.Booking{ID: store.NewID(), AgencyID: ag.ID, ExternalID: store.NewID(), Version: 3, CitizenID: owner,
				PlaceName: "Kulturhuset, sal 2", PlaceAddress: "Storgata 1; 0155 Oslo", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
				Status: status, CreatedAt: t0, UpdatedAt: t0}
			insert(t, db, b)
			if err := texts.Save(ctx, db, "booking", b.ID, texts.Fields{"resource": resource}); err != nil {
				t.Fatal(err)
			}
			return b
		}
		longName := strings.Repeat("Øvingsrom med flygel, lydanlegg; og \\ scene – ", 3) + "\nandre etasje"
		upcoming := booking(me.ID, bookings.StatusConfirmed, t0.Add(48*time.Hour), texts.Values{"nb": longName, "en": longName})
		booking(me.ID, bookings.StatusCancelled, t0.Add(72*time.Hour), texts.Values{"nb": "Avlyst"})
		booking(me.ID, bookings.StatusConfirmed, t0.Add(-72*time.Hour), texts.Values{"nb": "Forbi"})
		booking(other.ID, bookings.StatusConfirmed, t0.Add(48*time.Hour), texts.Values{"nb": "Andres"})
		noName := booking(me.ID, bookings.StatusConfirmed, t0.Add(96*time.Hour), nil)

		due := time.Date(2026, 11, 30, 22, 59, 0, 0, time.UTC) // 23:59 in Oslo on the 30th
		c := &cases.Case{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "c1", Version: 2, CitizenID: me.ID, Status: cases.StatusAwaitingCitizen,
			NextActionDue: &due, CreatedAt: t0, UpdatedAt: t0}
		insert(t, db, c)
		if err := texts.Save(ctx, db, "case", c.ID, texts.Fields{"title": {"en": "Building permit, Storgata 1"}, "title_public": {"en": "Building permit"}}); err != nil {
			t.Fatal(err)
		}
		timedDue := time.Date(2026, 12, 1, 13, 57, 0, 0, time.UTC) // 14:57 in Oslo
		timed := &cases.Case{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "c3", Version: 1, CitizenID: me.ID, Status: cases.StatusAwaitingCitizen,
			NextActionDue: &timedDue, CreatedAt: t0, UpdatedAt: t0}
		insert(t, db, timed)
		if err := texts.Save(ctx, db, "case", timed.ID, texts.Fields{"title": {"en": "Neighbour notice"}}); err != nil {
			t.Fatal(err)
		}
		closedDue := t0.Add(24 * time.Hour)
		insert(t, db, &cases.Case{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "c2", Version: 1, CitizenID: me.ID, Status: cases.StatusClosed, NextActionDue: &closedDue, CreatedAt: t0, UpdatedAt: t0})

		if active, err := svc.Active(ctx, db, me.ID); err != nil || active {
			t.Fatalf("active before create: %v %v", active, err)
		}
		feedURL, err := svc.Create(ctx, db, me.ID, t0)
		if err != nil {
			t.Fatal(err)
		}
		token := strings.TrimSuffix(strings.TrimPrefix(feedURL, "https://minside.example.no/calendar/"), ".ics")
		if raw, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(raw) < 16 {
			t.Fatalf("token %q is not ≥128 random bits (%v)", token, err)
		}
		if n, _ := db.NewSelect().Model((*citizens.Citizen)(nil)).Where("calendar_token_hash = ?", token).Count(ctx); n != 0 {
			t.Fatal("the token is stored in clear")
		}

		data, err := svc.Feed(ctx, db, token, t0)
		if err != nil {
			t.Fatal(err)
		}
		cal := parseICal(t, data)
		for _, p := range []string{"VERSION", "PRODID"} {
			if len(cal.props[p]) != 1 {
				t.Fatalf("VCALENDAR lacks %s", p)
			}
		}
		if cal.props["X-WR-CALNAME"][0] != "Min side: bookings and deadlines" {
			t.Fatalf("calendar name not in the citizen's language: %q", cal.props["X-WR-CALNAME"])
		}
		events := map[string]*component{}
		for _, ev := range cal.children {
			if ev.name != "VEVENT" {
				t.Fatalf("unexpected component %s", ev.name)
			}
			for _, p := range []string{"UID", "DTSTAMP", "DTSTART", "SUMMARY", "URL"} {
				if len(ev.props[p]) != 1 {
					t.Fatalf("VEVENT lacks exactly one %s: %v", p, ev.props)
				}
			}
			events[ev.props["UID"][0]] = ev
		}
		if len(events) != 4 {
			t.Fatalf("%d events, want the two upcoming bookings and the two open deadlines: %v", len(events), events)
		}
		ev := events["booking-"+upcoming.ID+"@minside.example.no"]
		if ev == nil {
			t.Fatal("the upcoming booking is missing or its UID is not stable")
		}
		if ev.props["SUMMARY"][0] != longName || ev.props["DTSTART"][0] != "20261125T120000Z" || ev.props["DTEND"][0] != "20261125T140000Z" {
			t.Fatalf("booking event: %v", ev.props)
		}
		if got := ev.props["URL"][0]; got != "https://minside.example.no/bookings#booking-"+upcoming.ID {
			t.Fatalf("booking link %q: the bookings page, not a page per booking (there is none)", got)
		}
		if ev.props["LOCATION"][0] != "Kulturhuset, sal 2, Storgata 1; 0155 Oslo" {
			t.Fatalf("location %q", ev.props["LOCATION"])
		}
		if events["booking-"+noName.ID+"@minside.example.no"].props["SUMMARY"][0] != "Booking" {
			t.Fatal("a booking without a resource name has no fallback title")
		}
		dl := events["case-deadline-"+c.ID+"@minside.example.no"]
		if dl == nil || dl.props["SUMMARY"][0] != "Deadline: Building permit" || dl.props["DTSTART"][0] != "20261130" || dl.params["DTSTART"] != "VALUE=DATE" || dl.props["DTEND"][0] != "20261201" {
			t.Fatalf("deadline event: %+v", dl)
		}
		if alarms := dl.children; len(alarms) != 1 || alarms[0].name != "VALARM" || alarms[0].props["TRIGGER"][0] != "-PT15H" {
			t.Fatalf("an all-day deadline reminds the morning before: %+v", alarms)
		}
		at := events["case-deadline-"+timed.ID+"@minside.example.no"]
		if at == nil || at.props["DTSTART"][0] != "20261201T135700Z" || at.params["DTSTART"] != "" || len(at.props["DTEND"]) != 0 {
			t.Fatalf("a 14:57 deadline must keep its time: %+v", at)
		}
		var triggers []string
		for _, a := range at.children {
			if a.name != "VALARM" || a.props["ACTION"][0] != "DISPLAY" || a.props["DESCRIPTION"][0] != "Deadline: Neighbour notice" {
				t.Fatalf("alarm %+v", a)
			}
			triggers = append(triggers, a.props["TRIGGER"][0])
		}
		if strings.Join(triggers, " ") != "-P1D -PT1H" {
			t.Fatalf("alarms of a timed deadline: %v, want a day and an hour before", triggers)
		}
		if got := at.props["URL"][0]; got != "https://minside.example.no/cases/"+timed.ID {
			t.Fatalf("deadline link %q", got)
		}
		// A valid national identity number, not any 11 digits: a UID's random hex can hold those.
		if found := apptest.FindPIDs(string(data)); len(found) > 0 {
			t.Fatal("a national identity number is in the feed")
		}
		again, err := svc.Feed(ctx, db, token, t0)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatal("the feed is not stable between two reads")
		}

		newURL, err := svc.Create(ctx, db, me.ID, t0)
		if err != nil || newURL == feedURL {
			t.Fatalf("regenerate: %q %v", newURL, err)
		}
		if _, err := svc.Feed(ctx, db, token, t0); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("the old URL still works: %v", err)
		}
		newToken := strings.TrimSuffix(strings.TrimPrefix(newURL, "https://minside.example.no/calendar/"), ".ics")
		if _, err := svc.Feed(ctx, db, newToken, t0); err != nil {
			t.Fatal(err)
		}
		if err := svc.Revoke(ctx, db, me.ID, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Feed(ctx, db, newToken, t0); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("a revoked URL still works: %v", err)
		}
		for _, bad := range []string{"", "x", strings.Repeat("a", 200)} {
			if _, err := svc.Feed(ctx, db, bad, t0); !apperr.Is(err, apperr.CodeNotFound) {
				t.Fatalf("token %q: %v", bad, err)
			}
		}
	})
}
