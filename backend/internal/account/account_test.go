package account_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/account"
	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/idempotency"
	"minside/backend/internal/keys"
	"minside/backend/internal/notify"
	"minside/backend/internal/pid"
	"minside/backend/internal/represent"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/texts"
	"minside/locales"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type fixture struct {
	db                *store.DB
	agency            string
	me, child, helper string
	numbers           []string // the clear national ids, which must never come out
	hashes            []string
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	p, err := pid.NewPseudonymizer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	dir := citizens.NewDirectory(p, true)
	f := &fixture{db: db, agency: store.NewID()}
	url, secret := "https://agency.example/hook", "whsec_secret"
	must(t, insert(db, &agency.Agency{ID: f.agency, Slug: "kultur", Name: "Kulturetaten", WebhookURL: &url, WebhookSecret: &secret, CreatedAt: t0, UpdatedAt: t0}))
	person := func(name string, born time.Time, n int) string {
		number, err := pid.Synthetic(born, n)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := dir.Parse(number)
		if err != nil {
			t.Fatal(err)
		}
		c, err := dir.Ensure(ctx, db, parsed, name, t0)
		if err != nil {
			t.Fatal(err)
		}
		f.numbers = append(f.numbers, number)
		f.hashes = append(f.hashes, c.PIDHash)
		return c.ID
	}
	f.me = person("Kari Nordmann", time.Date(1985, 3, 1, 0, 0, 0, 0, time.UTC), 111)
	f.child = person("Ola Nordmann", time.Date(2014, 6, 1, 0, 0, 0, 0, time.UTC), 555)
	f.helper = person("Per Hjelper", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 333)
	tokenHash := "calendar-token-hash"
	_, err = db.NewUpdate().Model((*citizens.Citizen)(nil)).Set("calendar_token_hash = ?", tokenHash).Where("id = ?", f.me).Exec(ctx)
	must(t, err)

	must(t, insert(db, &citizens.Preferences{CitizenID: f.me, Language: "nn", QuietStart: "22:00", QuietEnd: "07:00", Timezone: "Europe/Oslo", Channels: map[string]citizens.Channel{"cases": {Push: true, InApp: true}}, UpdatedAt: t0}))
	must(t, insert(db, &represent.Relation{ID: store.NewID(), AgencyID: f.agency, ExternalID: "r1", Version: 1, Kind: represent.KindGuardian, RepresentativeID: f.me, SubjectID: f.child, ValidFrom: t0, CreatedAt: t0, UpdatedAt: t0}))
	must(t, insert(db, &represent.Relation{ID: store.NewID(), AgencyID: f.agency, ExternalID: "r2", Version: 1, Kind: represent.KindPowerOfAttorney, RepresentativeID: f.helper, SubjectID: f.me, Scopes: []string{"culture"}, ValidFrom: t0, CreatedAt: t0, UpdatedAt: t0}))
	c := &cases.Case{ID: store.NewID(), AgencyID: f.agency, ExternalID: "c1", Version: 1, CitizenID: f.me, Area: "culture", Status: cases.StatusInProgress, CreatedAt: t0, UpdatedAt: t0}
	must(t, insert(db, c))
	must(t, texts.Save(ctx, db, "case", c.ID, texts.Fields{"title": {"nb": "Søknad om kulturstøtte"}}))
	ev := &cases.Event{ID: store.NewID(), CaseID: c.ID, ExternalID: "e1", OccurredAt: t0, CreatedAt: t0}
	must(t, insert(db, ev))
	must(t, texts.Save(ctx, db, "case_event", ev.ID, texts.Fields{"title": {"nb": "Mottatt"}}))
	must(t, insert(db, &cases.Document{ID: store.NewID(), CaseID: c.ID, ExternalID: "d1", Name: "vedtak.pdf", URL: "https://agency.example/d1", CreatedAt: t0}))
	b := &bookings.Booking{ID: store.NewID(), AgencyID: f.agency, ExternalID: "b1", Version: 1, CitizenID: f.me, Area: "culture", StartsAt: t0, EndsAt: t0.Add(time.Hour), Status: bookings.StatusConfirmed, CreatedAt: t0, UpdatedAt: t0}
	must(t, insert(db, b))
	must(t, texts.Save(ctx, db, "booking", b.ID, texts.Fields{"resource": {"nb": "Øvingsrom"}}))
	fac := &keys.Facility{ID: store.NewID(), AgencyID: f.agency, ExternalID: "f1", Name: "Huset", CreatedAt: t0, UpdatedAt: t0}
	must(t, insert(db, fac))
	k := &keys.Key{ID: store.NewID(), AgencyID: f.agency, ExternalID: "k1", Version: 1, CitizenID: f.me, FacilityID: fac.ID, Status: keys.StatusActive, ValidFrom: t0, ValidUntil: t0.Add(time.Hour), CreatedAt: t0, UpdatedAt: t0}
	must(t, insert(db, k))
	must(t, insert(db, &keys.Use{ID: store.NewID(), KeyID: k.ID, AccessPointID: store.NewID(), CitizenID: f.me, ActorCitizenID: f.me, Result: "opened", CreatedAt: t0}))
	n := &notify.Notification{ID: store.NewID(), CitizenID: f.me, Category: "general", Urgency: "normal", CreatedAt: t0}
	must(t, insert(db, n))
	must(t, texts.Save(ctx, db, "notification", n.ID, texts.Fields{"title": {"nb": "Hei"}}))
	must(t, insert(db, &notify.Device{ID: store.NewID(), CitizenID: f.me, Endpoint: "https://fcm.googleapis.com/secret-endpoint", P256dh: "p256-secret", Auth: "auth-secret", Label: "Mobil", CreatedAt: t0}))
	must(t, insert(db, &notify.Delivery{ID: store.NewID(), CitizenID: f.me, Channel: "push", Category: "general", Title: "Hei", State: "delivered", CreatedAt: t0, UpdatedAt: t0}))
	must(t, insert(db, &sessions.Session{IDHash: "session-hash-secret", CitizenID: f.me, ACR: "idporten-loa-substantial", CSRFToken: "csrf-secret", UserAgent: "Firefox", CreatedAt: t0, LastSeenAt: t0, IdleExpiresAt: t0.Add(time.Hour), AbsoluteExpiresAt: t0.Add(2 * time.Hour)}))
	me := f.me
	must(t, changes.Record(ctx, db, &me, "case", c.ID, changes.OpUpsert, t0))
	_, _, _, err = idempotency.Do(ctx, db, idempotency.CitizenScope(f.me), "k", "h", func(bun.Tx) (int, []byte, error) { return 200, nil, nil })
	must(t, err)

	// The access log: an agency read my case, my helper cancelled for me, I logged in, I acted for my child.
	agencyID, helper, child := f.agency, f.helper, f.child
	for i, e := range []audit.Entry{
		{ActorKind: audit.ActorAgency, ActorID: &agencyID, SubjectID: &me, Action: audit.ActionRead, ObjectKind: "case", ObjectID: c.ID},
		{ActorKind: audit.ActorRepresentative, ActorID: &helper, SubjectID: &me, Action: audit.ActionBookingCancel, ObjectKind: "booking", ObjectID: b.ID},
		{ActorKind: audit.ActorCitizen, ActorID: &me, SubjectID: &me, Action: audit.ActionLogin, ObjectKind: "session"},
		{ActorKind: audit.ActorRepresentative, ActorID: &me, SubjectID: &child, Action: audit.ActionBookingCancel, ObjectKind: "booking", ObjectID: "child-booking"},
		{ActorKind: audit.ActorAgency, ActorID: &agencyID, SubjectID: &helper, Action: audit.ActionRead, ObjectKind: "case", ObjectID: "someone-else"},
	} {
		e.At = t0.Add(time.Duration(i) * time.Minute)
		must(t, audit.Record(ctx, db, e))
	}
	return f
}

func newBundle(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.New(locales.FS, i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func insert(db *store.DB, model any) error {
	_, err := db.NewInsert().Model(model).Exec(context.Background())
	return err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The export is one JSON document of a documented shape (ids kept, secrets never) and a readable page
// in the person's language with words and local dates, without ids or national identity numbers.
func TestExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		svc := account.New(newBundle(t))
		data, err := svc.Export(context.Background(), db, f.me, "nb", true, "req-x", t0)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(data)
		must(t, err)
		var doc map[string]any
		must(t, json.Unmarshal(raw, &doc))
		for _, field := range []string{"format", "exportedAt", "language", "person", "preferences", "cases", "bookings", "keys",
			"notifications", "relations", "devices", "sessions", "accessLog"} {
			if _, ok := doc[field]; !ok {
				t.Errorf("the JSON lacks %q", field)
			}
		}
		if data.Format != account.ExportFormat || data.Person.ID != f.me || data.Person.Name != "Kari Nordmann" ||
			len(data.Cases) != 1 || data.Cases[0].Title != "Søknad om kulturstøtte" || len(data.Cases[0].Events) != 1 ||
			len(data.Cases[0].Documents) != 1 || len(data.Bookings) != 1 || data.Bookings[0].Title != "Øvingsrom" ||
			len(data.Keys) != 1 || len(data.Keys[0].Uses) != 1 || len(data.Notifications) != 1 || data.Notifications[0].Title != "Hei" ||
			len(data.Relations) != 2 || len(data.Devices) != 1 || len(data.Sessions) != 1 || len(data.AccessLog) != 4 ||
			!data.Preferences.Saved || data.Preferences.Language != "nn" {
			t.Fatalf("export: %s", raw)
		}

		page, err := svc.RenderHTML(data)
		must(t, err)
		html := string(page)
		secrets := append(append([]string{}, f.numbers...), f.hashes...)
		secrets = append(secrets, "calendar-token-hash", "secret-endpoint", "p256-secret", "auth-secret", "session-hash-secret", "csrf-secret", "whsec_secret")
		for _, s := range secrets {
			if strings.Contains(string(raw), s) || strings.Contains(html, s) {
				t.Errorf("the export holds %q", s[:4]+"…")
			}
		}
		if ids := uuidPattern.FindAllString(html, -1); len(ids) > 0 {
			t.Errorf("internal ids in the readable export: %v", ids)
		}
		if strings.Contains(strings.ToLower(html), "<script") {
			t.Error("the readable export has a script")
		}
		for _, want := range []string{`<html lang="nb" dir="ltr">`, "Dine data på Min side", "Søknad om kulturstøtte", "Under behandling",
			"Øvingsrom", "Kulturetaten", "Huset", "Mobil", "Per Hjelper kan handle for deg (Fullmakt)", "Du kan handle for Ola Nordmann (Foresatt)",
			"23.11.2026 13:00", "Kulturetaten leste dine data: saker", "Hvem har sett dine data", "Hvem kan handle for hvem"} {
			if !strings.Contains(html, want) {
				t.Errorf("the readable export lacks %q", want)
			}
		}
		if n, _ := db.NewSelect().Model((*audit.Entry)(nil)).Where("action = ? AND subject_id = ?", audit.ActionExport, f.me).Count(context.Background()); n != 1 {
			t.Fatal("the export was not audited")
		}
	})
}

var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func TestAccessLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		svc := account.New(newBundle(t))
		ctx := context.Background()
		var all []account.Entry
		cursor := ""
		for page := 0; ; page++ {
			items, next, err := svc.AccessLog(ctx, db, f.me, "en", cursor, 3)
			must(t, err)
			all = append(all, items...)
			if next == "" {
				break
			}
			if page > 3 {
				t.Fatal("pagination does not end")
			}
			cursor = next
		}
		if len(all) != 4 {
			t.Fatalf("%d entries, want 4 (not the agency's read of someone else): %+v", len(all), all)
		}
		byAction := map[string]account.Entry{}
		for i, e := range all {
			if i > 0 && !e.At.Before(all[i-1].At) {
				t.Fatal("not newest first")
			}
			byAction[e.Action+"/"+e.Actor.Kind] = e
		}
		read := byAction["read/agency"]
		if read.Actor.Name != "Kulturetaten" || read.Subject == nil || !read.Subject.Me {
			t.Fatalf("agency read: %+v", read)
		}
		rep := byAction["booking.cancel/representative"]
		if rep.Actor.Name == "" {
			t.Fatalf("representative entry: %+v", rep)
		}
		var mine, forMe bool
		for _, e := range all {
			if e.Action == "booking.cancel" && e.Actor.Me && e.Subject != nil && e.Subject.Name == "Ola Nordmann" {
				mine = true
			}
			if e.Action == "booking.cancel" && e.Actor.Name == "Per Hjelper" && e.Subject != nil && e.Subject.Me {
				forMe = true
			}
		}
		if !mine || !forMe {
			t.Fatalf("representative entries missing (mine %v, for me %v)", mine, forMe)
		}
		login := byAction["login/citizen"]
		if !login.Actor.Me || login.Subject != nil {
			t.Fatalf("login entry: %+v", login)
		}
		// Each entry in words, in the reader's language, with the relation a representative acted through.
		var texts []string
		for _, e := range all {
			texts = append(texts, e.Text)
		}
		want := []string{
			"You cancelled a booking for Ola Nordmann",
			"You logged in",
			"Per Hjelper (Power of attorney) cancelled a booking for you",
			"Kulturetaten read your data: cases",
		}
		if strings.Join(texts, " | ") != strings.Join(want, " | ") {
			t.Fatalf("texts:\n%s\nwant:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
		}
		nb, _, err := svc.AccessLog(ctx, db, f.me, "nb", "", 10)
		must(t, err)
		if nb[0].Text != "Du avbestilte en booking for Ola Nordmann" || nb[3].Text != "Kulturetaten leste dine data: saker" {
			t.Fatalf("nb: %q, %q", nb[0].Text, nb[3].Text)
		}
		if _, _, err := svc.AccessLog(ctx, db, f.me, "en", "not-a-cursor", 3); !apperr.Is(err, apperr.CodeBadRequest) {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

func TestClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		svc := account.New(newBundle(t))
		must(t, svc.Close(ctx, db, f.me, "req-close", t0))
		for table, where := range map[string]string{
			"citizens": "id = ?", "sessions": "citizen_id = ?", "push_subscriptions": "citizen_id = ?", "cases": "citizen_id = ?",
			"bookings": "citizen_id = ?", "keys": "citizen_id = ?", "notifications": "citizen_id = ?", "deliveries": "citizen_id = ?",
			"changes": "citizen_id = ?", "preferences": "citizen_id = ?", "relations": "representative_id = ? OR subject_id = ?",
			"key_uses": "citizen_id = ?",
		} {
			args := []any{f.me}
			if strings.Count(where, "?") == 2 {
				args = append(args, f.me)
			}
			n, err := db.NewSelect().TableExpr(table).Where(where, args...).Count(ctx)
			must(t, err)
			if n != 0 {
				t.Errorf("%d rows left in %s", n, table)
			}
		}
		if n, _ := db.NewSelect().TableExpr("texts").Count(ctx); n != 0 {
			t.Errorf("%d texts left", n)
		}
		if n, _ := db.NewSelect().TableExpr("idempotency_keys").Where("scope = ?", idempotency.CitizenScope(f.me)).Count(ctx); n != 0 {
			t.Error("idempotency keys left")
		}
		var closed audit.Entry
		must(t, db.NewSelect().Model(&closed).Where("action = 'account.closed'").Scan(ctx))
		if closed.ActorID != nil || closed.SubjectID != nil || closed.ObjectID != "" || len(closed.Detail) != 0 {
			t.Fatalf("the closing entry holds personal data: %+v", closed)
		}
		if n, _ := db.NewSelect().TableExpr("citizens").Where("id IN (?)", bun.In([]string{f.child, f.helper})).Count(ctx); n != 2 {
			t.Fatal("other people were deleted")
		}
		if err := svc.Close(ctx, db, f.me, "", t0); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("closing twice: %v", err)
		}
	})
}
