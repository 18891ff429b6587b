package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/audit"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/doors"
	"minside/backend/internal/idempotency"
	"minside/backend/internal/keys"
	"minside/backend/internal/notify"
	"minside/backend/internal/outbox"
	"minside/backend/internal/ratelimit"
	"minside/backend/internal/represent"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/tasks"
	"minside/backend/internal/texts"
	"minside/backend/internal/tiles"
	"minside/backend/internal/translate"
)

// TestEveryModelRoundTrips writes one fully populated row of every model and reads it back
// unchanged, on each database engine: the migrations and the Bun models agree.
func TestEveryModelRoundTrips(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := store.UTC(time.Date(2026, 11, 23, 14, 5, 6, 789123000, time.UTC))
		later := now.Add(26 * time.Hour)
		str := func(s string) *string { return &s }
		ptime := func(t time.Time) *time.Time { return &t }
		n := 3

		ag := &agency.Agency{ID: store.NewID(), Slug: "bibliotek", Name: "Biblioteket", WebhookURL: str("https://hooks.example.no/x"), WebhookSecret: str("whsec_abc"), CreatedAt: now, UpdatedAt: now}
		alice := &citizens.Citizen{ID: store.NewID(), PIDHash: "h1", PIDMasked: "010190*****", BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), Name: "Alice", District: "Frogner", CalendarTokenHash: str("cal"), CreatedAt: now, UpdatedAt: now, LastLoginAt: ptime(now)}
		child := &citizens.Citizen{ID: store.NewID(), PIDHash: "h2", PIDMasked: "010115*****", BirthDate: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), Name: "Kid", CreatedAt: now, UpdatedAt: now}
		cs := &cases.Case{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "c-1", Version: 7, CitizenID: alice.ID, Kind: "building_permit", Area: "building", Status: cases.StatusAwaitingCitizen, NextActionDue: ptime(later), DeepLink: "https://etat.example.no/sak/1", CreatedAt: now, UpdatedAt: now}
		bk := &bookings.Booking{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "b-1", Version: 1, CitizenID: alice.ID, Area: "culture", PlaceName: "Deichman Bjørvika", PlaceAddress: "Anne-Cath. Vestlys plass 1", StartsAt: later, EndsAt: later.Add(time.Hour), Status: bookings.StatusConfirmed, CancellableUntil: ptime(now), CancelledAt: ptime(now), CreatedAt: now, UpdatedAt: now}
		fac := &keys.Facility{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "f-1", Name: "Miljøstasjon", Address: "Gata 1", CreatedAt: now, UpdatedAt: now}
		ap := &keys.AccessPoint{ID: store.NewID(), FacilityID: fac.ID, ExternalID: "door-1", Name: "Hovedinngang", CreatedAt: now}
		key := &keys.Key{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "k-1", Version: 2, CitizenID: alice.ID, FacilityID: fac.ID, BookingID: &bk.ID, Status: keys.StatusActive, ValidFrom: now, ValidUntil: later, CreatedAt: now, UpdatedAt: now}

		rows := []any{
			ag,
			&agency.Authority{AgencyID: ag.ID, Kind: represent.KindGuardian, GrantedAt: now},
			&agency.APIKey{ID: store.NewID(), AgencyID: ag.ID, Prefix: "ms_abcd", KeyHash: "sha", Label: "prod", CreatedAt: now, LastUsedAt: ptime(now), RevokedAt: ptime(later)},
			alice, child,
			&citizens.Role{CitizenID: alice.ID, Role: "translator", Scope: "se", GrantedAt: now},
			&citizens.Preferences{CitizenID: alice.ID, Language: "nn", QuietStart: "22:00", QuietEnd: "07:00", Timezone: "Europe/Oslo", Channels: map[string]citizens.Channel{"cases": {Push: true, InApp: true}}, RepresentedNotifications: true, UpdatedAt: now},
			&texts.Text{OwnerKind: "case", OwnerID: cs.ID, Field: "title", Lang: "se", Value: "Huksenlohpi ✓ «ø»"},
			&represent.Relation{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "r-1", Version: 1, Kind: represent.KindPowerOfAttorney, RepresentativeID: alice.ID, SubjectID: child.ID, Scopes: []string{"health", "school"}, ValidFrom: now, ValidUntil: ptime(later), CreatedAt: now, UpdatedAt: now},
			cs,
			&cases.Event{ID: store.NewID(), CaseID: cs.ID, ExternalID: "e-1", OccurredAt: now, Status: str("received"), CreatedAt: now},
			&cases.Document{ID: store.NewID(), CaseID: cs.ID, ExternalID: "d-1", Name: "Vedtak.pdf", DocType: "decision", URL: "https://etat.example.no/d/1", CreatedAt: now},
			&cases.Seen{CaseID: cs.ID, CitizenID: alice.ID, FirstSeenAt: now},
			bk, fac, ap, key,
			&keys.Window{ID: store.NewID(), KeyID: key.ID, StartsAt: now, EndsAt: later},
			&keys.KeyAccessPoint{KeyID: key.ID, AccessPointID: ap.ID},
			&keys.Use{ID: store.NewID(), KeyID: key.ID, AccessPointID: ap.ID, CitizenID: alice.ID, ActorCitizenID: alice.ID, Result: "opened", CreatedAt: now},
			&keys.UsedToken{JTI: "jti-1", ExpiresAt: later},
			&doors.LockAdapter{FacilityID: fac.ID, URL: "https://lock.example.no", PublicKey: "pk", CreatedAt: now, UpdatedAt: now, ClaimedAt: ptime(now), CheckedAt: ptime(later), Status: doors.AdapterDown, DoorsOutOfOrder: `["main"]`, LastError: "timeout"},
			&notify.Notification{ID: store.NewID(), AgencyID: &ag.ID, ExternalID: str("n-1"), CitizenID: alice.ID, Category: "bookings", Urgency: "high", Link: "/bookings", DedupeKey: str("dd"), ReadAt: ptime(now), CreatedAt: now},
			&notify.Device{ID: store.NewID(), CitizenID: alice.ID, SessionHash: str("sess"), Endpoint: "https://fcm.googleapis.com/fcm/send/x", P256dh: "BP", Auth: "au", Label: "Pixel", CreatedAt: now, LastSentAt: ptime(now), Failures: n},
			&notify.Delivery{ID: store.NewID(), CitizenID: alice.ID, NotificationID: str("n"), SubscriptionID: str("s"), Channel: "push", Category: "cases", Title: "Ny status", State: "delivered", Attempts: 2, CreatedAt: now, UpdatedAt: now},
			&tiles.Tile{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "t-1", Version: 1, Link: "https://etat.example.no", Icon: "book", Category: "culture", Targeting: tiles.Targeting{MinAge: &n, Districts: []string{"Frogner"}}, Status: "published", PublishFrom: ptime(now), PublishUntil: ptime(later), CreatedAt: now, UpdatedAt: now},
			&sessions.Session{IDHash: "sh", CitizenID: alice.ID, ActingAsID: &child.ID, ACR: "idporten-loa-substantial", IdPSID: "sid", EndSessionHint: str("sealed"), CSRFToken: "csrf", SharedDevice: true, UserAgent: "UA", CreatedAt: now, LastSeenAt: now, IdleExpiresAt: later, AbsoluteExpiresAt: later},
			&sessions.LoginAttempt{StateHash: "st", Nonce: "no", Verifier: "ve", ACR: "idporten-loa-high", ReturnTo: "/cases", SharedDevice: true, CreatedAt: now, ExpiresAt: later},
			&idempotency.Record{Scope: "citizen:x", Key: "k", RequestHash: "rh", StatusCode: 201, Response: []byte(`{"ok":true}`), CreatedAt: now},
			&outbox.Message{Topic: "push", DedupeKey: str("reminder:1"), Payload: json.RawMessage(`{"a":1}`), Status: outbox.StatusPending, Attempts: 1, AvailableAt: now, LockedBy: str("w1"), LockedUntil: ptime(later), LastError: str("503"), CreatedAt: now, DoneAt: ptime(later)},
			&changes.Change{CitizenID: &alice.ID, Kind: "case", ObjectID: cs.ID, Op: "upsert", CreatedAt: now},
			&audit.Entry{At: now, ActorKind: "agency", ActorID: &ag.ID, SubjectID: &alice.ID, Action: "read", ObjectKind: "case", ObjectID: cs.ID, Detail: map[string]any{"fields": "all"}, RequestID: "req-1"},
			&translate.Override{Lang: "se", MessageID: "ui.nav.overview", Forms: map[string]string{"other": "Oppmerkehus"}, SourceHash: "sha256:1", NeedsReview: true, UpdatedBy: alice.ID, UpdatedAt: now},
			&translate.HistoryEntry{Lang: "se", MessageID: "ui.nav.overview", OldForms: map[string]string{"other": "a"}, NewForms: map[string]string{"other": "b"}, ChangedBy: alice.ID, ChangedAt: now},
			&ratelimit.Bucket{Bucket: "door:x", WindowStart: now, Count: 4},
			&tasks.Task{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "o-1", Kind: tasks.KindTask, Version: 2, CitizenID: alice.ID, Area: "building", Status: tasks.StatusOpen, DueAt: ptime(later), ExpiresAt: ptime(later), Link: "https://etat.example.no/o/1", CaseID: &cs.ID, Sensitive: true, SeenAt: ptime(now), RemindedAt: ptime(now), CreatedAt: now, UpdatedAt: now},
		}
		for _, row := range rows {
			if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
				t.Fatalf("insert %T: %v", row, err)
			}
		}
		for _, row := range rows {
			got := reflect.New(reflect.TypeOf(row).Elem()).Interface()
			q := db.NewSelect().Model(got).WherePK()
			// Copy the primary key into the empty model so WherePK finds the row.
			copyPK(db, row, got)
			if err := q.Scan(ctx); err != nil {
				t.Fatalf("select %T: %v", row, err)
			}
			if a, b := canonical(t, row), canonical(t, got); a != b {
				t.Errorf("%T did not round-trip:\nwrote %s\nread  %s", row, a, b)
			}
		}
	})
}

func copyPK(db *store.DB, from, to any) {
	table := db.Table(reflect.TypeOf(from))
	src, dst := reflect.ValueOf(from).Elem(), reflect.ValueOf(to).Elem()
	for _, f := range table.PKs {
		dst.FieldByIndex(f.Index).Set(src.FieldByIndex(f.Index))
	}
}

// canonical renders a row as JSON with every time in UTC, so the comparison ignores only the
// session time zone the driver happened to return.
func canonical(t *testing.T, row any) string {
	t.Helper()
	v := reflect.ValueOf(row).Elem()
	out := map[string]any{}
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() || f.Anonymous {
			continue
		}
		val := v.Field(i).Interface()
		switch x := val.(type) {
		case time.Time:
			val = x.UTC().Format(time.RFC3339Nano)
		case *time.Time:
			if x != nil {
				val = x.UTC().Format(time.RFC3339Nano)
			}
		case json.RawMessage:
			var decoded any
			if err := json.Unmarshal(x, &decoded); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			val = decoded
		}
		out[f.Name] = val
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
