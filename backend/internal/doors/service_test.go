package doors

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/citizens"
	"minside/backend/internal/keys"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// world is a library with two doors, its citizen's key for the front door in one window, and
// another citizen.
type world struct {
	now               time.Time
	holder, stranger  string
	keyID, noWindowID string
	front, back       string
	lock              *SimulatedLock
	svc               *Service
}

func insert(t *testing.T, db *store.DB, models ...any) {
	t.Helper()
	for _, m := range models {
		if _, err := db.NewInsert().Model(m).Exec(context.Background()); err != nil {
			t.Fatalf("insert %T: %v", m, err)
		}
	}
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	w := &world{now: now, holder: store.NewID(), stranger: store.NewID(), keyID: store.NewID(), noWindowID: store.NewID(), front: store.NewID(), back: store.NewID()}
	hook := "https://bibliotek.example.no/hooks"
	secret := "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"
	ag := &agency.Agency{ID: store.NewID(), Slug: "bibliotek-" + store.NewID(), Name: "Biblioteket", WebhookURL: &hook, WebhookSecret: &secret, CreatedAt: now, UpdatedAt: now}
	insert(t, db, ag)
	for i, id := range []string{w.holder, w.stranger} {
		insert(t, db, &citizens.Citizen{ID: id, PIDHash: "hash-" + id, PIDMasked: "010190*****", BirthDate: now.AddDate(-30-i, 0, 0), CreatedAt: now, UpdatedAt: now})
	}
	fac := &keys.Facility{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "F-hovedbiblioteket", Name: "Hovedbiblioteket", CreatedAt: now, UpdatedAt: now}
	insert(t, db, fac,
		&keys.AccessPoint{ID: w.front, FacilityID: fac.ID, ExternalID: "D-front", Name: "Hovedinngang", CreatedAt: now},
		&keys.AccessPoint{ID: w.back, FacilityID: fac.ID, ExternalID: "D-back", Name: "Bakdør", CreatedAt: now})
	for _, k := range []struct{ id, ext string }{{w.keyID, "K-1"}, {w.noWindowID, "K-2"}} {
		insert(t, db, &keys.Key{ID: k.id, AgencyID: ag.ID, ExternalID: k.ext, Version: 1, CitizenID: w.holder, FacilityID: fac.ID,
			Status: keys.StatusActive, ValidFrom: now.Add(-24 * time.Hour), ValidUntil: now.Add(24 * time.Hour), CreatedAt: now, UpdatedAt: now},
			&keys.KeyAccessPoint{KeyID: k.id, AccessPointID: w.front})
	}
	// K-1 works 09:00–11:00 and 20:00–22:00 today; K-2 has no windows (its envelope applies).
	insert(t, db,
		&keys.Window{ID: store.NewID(), KeyID: w.keyID, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)},
		&keys.Window{ID: store.NewID(), KeyID: w.keyID, StartsAt: now.Add(10 * time.Hour), EndsAt: now.Add(12 * time.Hour)})
	issuer, err := NewIssuer(testKey, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return w.now }
	w.lock = NewSimulatedLock(db, issuer.PublicKey(), clock)
	w.svc = NewService(db, issuer, w.lock, nil, time.Second)
	return w
}

type stored struct {
	uses     []keys.Use
	webhooks []outbox.Message
	changes  int64
	audits   []audit.Entry
}

func load(t *testing.T, db *store.DB) stored {
	t.Helper()
	ctx := context.Background()
	var s stored
	if err := db.NewSelect().Model(&s.uses).Order("created_at").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.NewSelect().Model(&s.webhooks).Where("topic = ?", outbox.TopicWebhook).Order("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := db.NewSelect().TableExpr("changes").Where("kind = 'key'").Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.changes = n
	if err := db.NewSelect().Model(&s.audits).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// keyUsedData decodes the event data of a webhook message.
func keyUsedData(t *testing.T, m outbox.Message) map[string]any {
	t.Helper()
	var p struct{ Type, Body string }
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Type string
		Data map[string]any
	}
	if err := json.Unmarshal([]byte(p.Body), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "key.used" {
		t.Fatalf("event type %q", ev.Type)
	}
	return ev.Data
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name     string
		prepare  func(t *testing.T, db *store.DB, w *world) OpenRequest
		wantCode apperr.Code // "" = opened
		wantUse  string      // the recorded result, "" = nothing recorded
	}{
		{"opens in a window", func(_ *testing.T, _ *store.DB, w *world) OpenRequest {
			return OpenRequest{KeyID: w.keyID, AccessPointID: w.front, SubjectID: w.holder, ActorID: w.holder}
		}, "", UseOpened},
		{"opens by the envelope without windows", func(_ *testing.T, _ *store.DB, w *world) OpenRequest {
			return OpenRequest{KeyID: w.noWindowID, AccessPointID: w.front, SubjectID: w.holder, ActorID: w.holder}
		}, "", UseOpened},
		{"refused between windows", func(_ *testing.T, _ *store.DB, w *world) OpenRequest {
			w.now = w.now.Add(3 * time.Hour)
			return OpenRequest{KeyID: w.keyID, AccessPointID: w.front, SubjectID: w.holder, ActorID: w.holder}
		}, apperr.CodeInvalid, UseRefused},
		{"refused at the end of the window", func(_ *testing.T, _ *store.DB, w *world) OpenRequest {
			w.now = w.now.Add(time.Hour)
			return OpenRequest{KeyID: w.keyID, AccessPointID: w.front, SubjectID: w.holder, ActorID: w.holder}
		}, apperr.CodeInvalid, UseRefused},
		{"refused when suspended", func(t *testing.T, db *store.DB, w *world) OpenRequest {
			if _, err := db.NewUpdate().Model((*keys.Key)(nil)).Set("status = ?", keys.StatusSuspended).Where("id = ?", w.keyID).Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
			return OpenRequest{KeyID: w.keyID, AccessPointID: w.front, SubjectID: w.holder, ActorID: w.holder}
		}, apperr.CodeInvalid, UseRefused},
		{"a door the key does not open is not found", func(_ *testing.T, _ *store.DB, w *world) OpenRequest {
			return OpenRequest{KeyID: w.keyID, AccessPointID: w.back, SubjectID: w.holder, ActorID: w.holder}
		}, apperr.CodeNotFound, ""},
		{"someone else's key is not found", func(_ *testing.T, _ *store.DB, w *world) OpenRequest {
			return OpenRequest{KeyID: w.keyID, AccessPointID: w.front, SubjectID: w.stranger, ActorID: w.stranger}
		}, apperr.CodeNotFound, ""},
		{"a malformed id is not found", func(_ *testing.T, _ *store.DB, w *world) OpenRequest {
			return OpenRequest{KeyID: "1 OR 1=1", AccessPointID: w.front, SubjectID: w.holder, ActorID: w.holder}
		}, apperr.CodeNotFound, ""},
		{"lock down is unavailable and recorded as failed", func(_ *testing.T, _ *store.DB, w *world) OpenRequest {
			w.lock.SetDown(true)
			return OpenRequest{KeyID: w.keyID, AccessPointID: w.front, SubjectID: w.holder, ActorID: w.holder}
		}, apperr.CodeUnavailable, UseFailed},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for _, table := range []string{"key_uses", "outbox", "changes", "audit_log"} {
					if _, err := db.NewDelete().TableExpr(table).Where("1 = 1").Exec(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
				w := newWorld(t, db)
				req := tt.prepare(t, db, w)
				res, err := w.svc.Open(context.Background(), req, w.now)
				if tt.wantCode == "" {
					if err != nil || res.Outcome != UseOpened || res.UseID == "" || w.lock.Opened() != 1 {
						t.Fatalf("Open = %+v, %v (lock opened %d)", res, err, w.lock.Opened())
					}
				} else {
					if !apperr.Is(err, tt.wantCode) {
						t.Fatalf("Open error = %v, want %s", err, tt.wantCode)
					}
					if w.lock.Opened() != 0 {
						t.Fatal("the door opened")
					}
				}
				if tt.wantCode == apperr.CodeInvalid {
					if e, _ := apperr.As(err); e.Detail != DetailKeyNotValidNow {
						t.Fatalf("detail = %q", e.Detail)
					}
				}
				// Check answers as Open did, except that it never asks the lock.
				check := w.svc.Check(context.Background(), req, w.now)
				switch tt.wantCode {
				case "", apperr.CodeUnavailable:
					if check != nil {
						t.Fatalf("Check = %v, want nil", check)
					}
				default:
					if !apperr.Is(check, tt.wantCode) {
						t.Fatalf("Check = %v, want %s", check, tt.wantCode)
					}
				}
				s := load(t, db)
				if tt.wantUse == "" {
					if len(s.uses)+len(s.webhooks) != 0 || s.changes != 0 {
						t.Fatalf("a lookup failure left rows: %+v", s)
					}
					return
				}
				if len(s.uses) != 1 || len(s.webhooks) != 1 || s.changes != 1 {
					t.Fatalf("want one use, one webhook, one change; got %+v", s)
				}
				u := s.uses[0]
				if u.Result != tt.wantUse || u.KeyID != req.KeyID || u.AccessPointID != w.front || u.CitizenID != w.holder || u.ActorCitizenID != w.holder {
					t.Fatalf("use = %+v", u)
				}
				data := keyUsedData(t, s.webhooks[0])
				if data["result"] != tt.wantUse || data["accessPoint"] != "D-front" || data["facility"] != "F-hovedbiblioteket" || data["by"] != "citizen" {
					t.Fatalf("key.used data = %v", data)
				}
				if len(s.audits) != 0 {
					t.Fatalf("the holder's own use was audited: %+v", s.audits)
				}
			})
		}
	})
}

func TestRepresentativeOpeningIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		// The stranger acts for the holder (the actions layer has checked the power of attorney).
		req := OpenRequest{KeyID: w.keyID, AccessPointID: w.front, SubjectID: w.holder, ActorID: w.stranger, RequestID: "req-1"}
		if _, err := w.svc.Open(context.Background(), req, w.now); err != nil {
			t.Fatal(err)
		}
		s := load(t, db)
		if len(s.uses) != 1 || s.uses[0].ActorCitizenID != w.stranger || s.uses[0].CitizenID != w.holder {
			t.Fatalf("uses = %+v", s.uses)
		}
		if data := keyUsedData(t, s.webhooks[0]); data["by"] != "representative" {
			t.Fatalf("by = %v", data["by"])
		}
		if len(s.audits) != 1 || *s.audits[0].ActorID != w.stranger || *s.audits[0].SubjectID != w.holder || s.audits[0].Action != "key.open" || s.audits[0].RequestID != "req-1" {
			t.Fatalf("audit = %+v", s.audits)
		}
	})
}
