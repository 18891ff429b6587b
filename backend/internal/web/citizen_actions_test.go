package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/auth"
	"minside/backend/internal/bookings"
	"minside/backend/internal/citizens"
	"minside/backend/internal/config"
	"minside/backend/internal/keys"
	"minside/backend/internal/notify"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// actionWorld is a parent with a child and their own bookings, plus a stranger's booking.
type actionWorld struct {
	p             *apptest.Portal
	agency        string
	parent, child *citizens.Citizen
	stranger      *citizens.Citizen
	parentPID     string
}

func newActionWorld(t *testing.T, p *apptest.Portal) *actionWorld {
	t.Helper()
	w := &actionWorld{p: p, agency: p.Agency(t, "kultur").ID, parentPID: apptest.PID(t, 1985, 1)}
	w.parent = p.Citizen(t, w.parentPID, "Kari Nordmann")
	w.child = p.Citizen(t, apptest.PID(t, 2015, 2), "Ola Nordmann")
	w.stranger = p.Citizen(t, apptest.PID(t, 1970, 3), "Per Fremmed")
	p.Relation(t, represent.KindGuardian, w.parent, w.child, nil, nil)
	return w
}

func (w *actionWorld) insert(t *testing.T, model any) {
	t.Helper()
	if _, err := w.p.DB.NewInsert().Model(model).Exec(context.Background()); err != nil {
		t.Fatalf("insert %T: %v", model, err)
	}
}

// booking of owner starting in two days; deadline is relative to now (negative: passed).
func (w *actionWorld) booking(t *testing.T, owner *citizens.Citizen, deadline time.Duration) *bookings.Booking {
	t.Helper()
	now := store.UTC(w.p.Clock.Now())
	until := now.Add(deadline)
	b := &bookings.Booking{ID: store.NewID(), AgencyID: w.agency, ExternalID: store.NewID(), Version: 1, CitizenID: owner.ID,
		Area: "culture", PlaceName: "Kulturhuset", PlaceAddress: "Storgata 1", StartsAt: now.Add(48 * time.Hour), EndsAt: now.Add(50 * time.Hour),
		Status: bookings.StatusConfirmed, CancellableUntil: &until, CreatedAt: now, UpdatedAt: now}
	w.insert(t, b)
	if err := texts.Save(context.Background(), w.p.DB, "booking", b.ID, texts.Fields{"resource": {"nb": "Øvingsrom", "en": "Rehearsal room"}}); err != nil {
		t.Fatal(err)
	}
	return b
}

func count(t *testing.T, p *apptest.Portal, table, where string, args ...any) int {
	t.Helper()
	n, err := p.DB.NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return int(n)
}

func post(t *testing.T, c *apptest.Client, path, key string, body any) *apptest.Response {
	t.Helper()
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req := c.NewRequest(t, http.MethodPost, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return c.Do(t, req)
}

func cancelBookingHTTP(t *testing.T, p *apptest.Portal, w *actionWorld) {
	parent := p.LoginAs(t, w.parentPID)

	t.Run("before the deadline", func(t *testing.T) {
		b := w.booking(t, w.parent, time.Hour)
		var got struct {
			ID, Status, Resource string
			CanCancel            bool
			Agency               struct{ Slug string }
			Subject              *struct{ ID string }
		}
		post(t, parent, "/api/v1/bookings/"+b.ID+"/cancel", "", nil).Status(t, http.StatusOK).JSON(t, &got)
		if got.ID != b.ID || got.Status != "cancelled" || got.CanCancel || got.Resource != "Øvingsrom" || got.Agency.Slug != "kultur" || got.Subject != nil {
			t.Fatalf("answer %+v", got)
		}
		if count(t, p, "changes", "object_id = ?", b.ID) != 1 {
			t.Fatal("no change row")
		}
	})

	t.Run("after the deadline: 422", func(t *testing.T) {
		b := w.booking(t, w.parent, -time.Minute)
		prob := post(t, parent, "/api/v1/bookings/"+b.ID+"/cancel", "", nil).Status(t, http.StatusUnprocessableEntity).Problem(t)
		if prob.Code != "invalid" || prob.Detail == "" || strings.Contains(prob.Detail, "error.detail") {
			t.Fatalf("problem %+v", prob)
		}
	})

	t.Run("someone else's booking: 404", func(t *testing.T) {
		b := w.booking(t, w.stranger, time.Hour)
		post(t, parent, "/api/v1/bookings/"+b.ID+"/cancel", "", nil).Status(t, http.StatusNotFound)
		if count(t, p, "bookings", "id = ? AND status = 'confirmed'", b.ID) != 1 {
			t.Fatal("a foreign booking was cancelled")
		}
	})

	t.Run("Idempotency-Key: replay answers the same and does nothing; another body is 422", func(t *testing.T) {
		b := w.booking(t, w.parent, time.Hour)
		first := post(t, parent, "/api/v1/bookings/"+b.ID+"/cancel", "key-1", nil).Status(t, http.StatusOK)
		again := post(t, parent, "/api/v1/bookings/"+b.ID+"/cancel", "key-1", nil).Status(t, http.StatusOK)
		if !bytes.Equal(first.Body, again.Body) || again.Header.Get("Idempotency-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
		}
		if count(t, p, "changes", "object_id = ?", b.ID) != 1 {
			t.Fatal("the replay wrote again")
		}
		other := w.booking(t, w.parent, time.Hour)
		post(t, parent, "/api/v1/bookings/"+other.ID+"/cancel", "key-1", nil).Status(t, http.StatusUnprocessableEntity)
		if count(t, p, "bookings", "id = ? AND status = 'confirmed'", other.ID) != 1 {
			t.Fatal("a refused reuse of a key cancelled something")
		}
	})

	t.Run("a guardian cancels the child's booking, audited", func(t *testing.T) {
		b := w.booking(t, w.child, time.Hour)
		parent.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": w.child.ID}).Status(t, http.StatusOK)
		defer func() {
			parent.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": nil}).Status(t, http.StatusOK)
		}()
		var got struct {
			Status  string
			Subject *struct{ ID, Name string }
		}
		post(t, parent, "/api/v1/bookings/"+b.ID+"/cancel", "", nil).Status(t, http.StatusOK).JSON(t, &got)
		if got.Status != "cancelled" || got.Subject == nil || got.Subject.ID != w.child.ID {
			t.Fatalf("answer %+v", got)
		}
		if count(t, p, "audit_log", "action = 'booking.cancel' AND actor_id = ? AND subject_id = ?", w.parent.ID, w.child.ID) != 1 {
			t.Fatal("not audited")
		}
		var log struct {
			Items []struct {
				Action  string
				Actor   struct{ Me bool }
				Subject *struct{ Name string }
			}
		}
		parent.Get(t, "/api/v1/me/access-log").Status(t, http.StatusOK).JSON(t, &log)
		if len(log.Items) == 0 || log.Items[0].Action != "booking.cancel" || !log.Items[0].Actor.Me || log.Items[0].Subject == nil || log.Items[0].Subject.Name != "Ola Nordmann" {
			t.Fatalf("the representative's own access log lacks the action: %+v", log.Items)
		}
	})

	t.Run("100 concurrent cancels cancel once", func(t *testing.T) {
		b := w.booking(t, w.parent, time.Hour)
		transport := &http.Transport{}
		defer transport.CloseIdleConnections() // else the portal's shutdown waits for them
		client := &http.Client{Jar: parent.HTTP.Jar, Transport: transport, Timeout: 30 * time.Second}
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[string]int{}
		for i := range 100 {
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodPost, p.URL+"/api/v1/bookings/"+b.ID+"/cancel", nil)
				req.Header.Set("X-CSRF-Token", parent.CSRFToken)
				if i%2 == 0 {
					req.Header.Set("Idempotency-Key", "concurrent")
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				var body struct{ Status string }
				_ = json.NewDecoder(resp.Body).Decode(&body)
				mu.Lock()
				statuses[resp.Status+" "+body.Status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if len(statuses) != 1 || statuses["200 OK cancelled"] != 100 {
			t.Fatalf("answers: %v", statuses)
		}
		if n := count(t, p, "changes", "object_id = ?", b.ID); n != 1 {
			t.Fatalf("%d change rows", n)
		}
	})
}

func markReadHTTP(t *testing.T, p *apptest.Portal, w *actionWorld) {
	c := p.LoginAs(t, w.parentPID)
	now := store.UTC(p.Clock.Now())
	var ids []string
	for range 3 {
		n := &notify.Notification{ID: store.NewID(), CitizenID: w.parent.ID, Category: "general", Urgency: "normal", CreatedAt: now}
		w.insert(t, n)
		ids = append(ids, n.ID)
	}
	var one struct {
		ID     string
		ReadAt *time.Time
	}
	post(t, c, "/api/v1/notifications/"+ids[0]+"/read", "", nil).Status(t, http.StatusOK).JSON(t, &one)
	if one.ID != ids[0] || one.ReadAt == nil {
		t.Fatalf("%+v", one)
	}
	var all struct{ Marked int }
	post(t, c, "/api/v1/notifications/read-all", "", nil).Status(t, http.StatusOK).JSON(t, &all)
	if all.Marked != 2 || count(t, p, "changes", "kind = 'notification' AND citizen_id = ?", w.parent.ID) != 3 {
		t.Fatalf("marked %d", all.Marked)
	}
	other := &notify.Notification{ID: store.NewID(), CitizenID: w.stranger.ID, Category: "general", Urgency: "normal", CreatedAt: now}
	w.insert(t, other)
	post(t, c, "/api/v1/notifications/"+other.ID+"/read", "", nil).Status(t, http.StatusNotFound)
}

// doorWorld gives the parent a key open in a window around now, with one door.
func doorWorld(t *testing.T, w *actionWorld, windowStart time.Duration) (*keys.Key, string) {
	t.Helper()
	now := store.UTC(w.p.Clock.Now())
	f := &keys.Facility{ID: store.NewID(), AgencyID: w.agency, ExternalID: store.NewID(), Name: "Biblioteket", CreatedAt: now, UpdatedAt: now}
	w.insert(t, f)
	k := &keys.Key{ID: store.NewID(), AgencyID: w.agency, ExternalID: store.NewID(), Version: 1, CitizenID: w.parent.ID, FacilityID: f.ID,
		Status: keys.StatusActive, ValidFrom: now.Add(-24 * time.Hour), ValidUntil: now.Add(24 * time.Hour), CreatedAt: now, UpdatedAt: now}
	w.insert(t, k)
	w.insert(t, &keys.Window{ID: store.NewID(), KeyID: k.ID, StartsAt: now.Add(windowStart), EndsAt: now.Add(windowStart + time.Hour)})
	ap := &keys.AccessPoint{ID: store.NewID(), FacilityID: f.ID, ExternalID: store.NewID(), Name: "Hovedinngang", CreatedAt: now}
	w.insert(t, ap)
	w.insert(t, &keys.KeyAccessPoint{KeyID: k.ID, AccessPointID: ap.ID})
	return k, ap.ID
}

// TestStepUpHTTP: with a step-up level configured, a door answers 401 with a stepUpUrl. One
// engine suffices here: the service tests run the same check on both.
func TestStepUpHTTP(t *testing.T) {
	p := apptest.Start(t, apptest.WithConfig(func(c *config.Config) { c.StepUpACR = auth.ACRHigh }))
	w := newActionWorld(t, p)
	k, ap := doorWorld(t, w, -30*time.Minute)
	c := p.LoginAs(t, w.parentPID)
	r := post(t, c, "/api/v1/keys/"+k.ID+"/open", "", map[string]string{"accessPointId": ap}).Status(t, http.StatusUnauthorized)
	var body struct {
		Code      string
		Detail    string
		StepUpURL string `json:"stepUpUrl"`
	}
	r.JSON(t, &body)
	if body.Code != "unauthorized" || !strings.HasPrefix(body.StepUpURL, "/auth/login?acr="+auth.ACRHigh) || !strings.Contains(body.StepUpURL, "returnTo=") {
		t.Fatalf("%+v", body)
	}
}

func openDoorHTTP(t *testing.T, p *apptest.Portal, w *actionWorld) {
	c := p.LoginAs(t, w.parentPID)

	t.Run("outside the window: 422, then rate limited: 429 with Retry-After", func(t *testing.T) {
		k, ap := doorWorld(t, w, 2*time.Hour)
		for i := range 10 {
			prob := post(t, c, "/api/v1/keys/"+k.ID+"/open", "", map[string]string{"accessPointId": ap}).Status(t, http.StatusUnprocessableEntity).Problem(t)
			if prob.Code != "invalid" {
				t.Fatalf("attempt %d: %+v", i, prob)
			}
		}
		r := post(t, c, "/api/v1/keys/"+k.ID+"/open", "", map[string]string{"accessPointId": ap}).Status(t, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" || r.Problem(t).Code != "rate_limited" {
			t.Fatalf("429 without Retry-After: %v", r.Header)
		}
	})

	t.Run("someone else's key: 404", func(t *testing.T) {
		k, ap := doorWorld(t, w, -30*time.Minute)
		stranger := p.LoginAs(t, apptest.PID(t, 1970, 3))
		post(t, stranger, "/api/v1/keys/"+k.ID+"/open", "", map[string]string{"accessPointId": ap}).Status(t, http.StatusNotFound)
		stranger.Get(t, "/api/v1/keys/"+k.ID+"/uses").Status(t, http.StatusNotFound)
	})

	t.Run("success, and a replayed Idempotency-Key opens once", func(t *testing.T) {
		k, ap := doorWorld(t, w, -30*time.Minute)
		before := p.App.Lock.Opened()
		first := post(t, c, "/api/v1/keys/"+k.ID+"/open", "door-1", map[string]string{"accessPointId": ap}).Status(t, http.StatusOK)
		var got struct {
			Opened bool
			At     time.Time
		}
		first.JSON(t, &got)
		if !got.Opened || got.At.IsZero() {
			t.Fatalf("%s", first.Body)
		}
		again := post(t, c, "/api/v1/keys/"+k.ID+"/open", "door-1", map[string]string{"accessPointId": ap}).Status(t, http.StatusOK)
		if !bytes.Equal(first.Body, again.Body) || again.Header.Get("Idempotency-Replayed") != "true" {
			t.Fatalf("replay differs: %s / %s", first.Body, again.Body)
		}
		if opened := p.App.Lock.Opened() - before; opened != 1 {
			t.Fatalf("the lock opened %d times", opened)
		}
		if n := count(t, p, "key_uses", "key_id = ? AND result = 'opened'", k.ID); n != 1 {
			t.Fatalf("%d key uses", n)
		}
		if n := count(t, p, "outbox", "topic = 'webhook' AND CAST(payload AS TEXT) LIKE ?", "%"+k.ExternalID+"%"); n != 1 {
			t.Fatalf("%d key.used webhooks", n)
		}
		var uses struct {
			Items []struct{ Result, AccessPointName string }
		}
		c.Get(t, "/api/v1/keys/"+k.ID+"/uses").Status(t, http.StatusOK).JSON(t, &uses)
		if len(uses.Items) != 1 || uses.Items[0].Result != "opened" || uses.Items[0].AccessPointName != "Hovedinngang" {
			t.Fatalf("%+v", uses)
		}
	})

	t.Run("uses list", func(t *testing.T) {
		k, _ := doorWorld(t, w, -30*time.Minute)
		var uses struct {
			Items      []any
			NextCursor *string
		}
		c.Get(t, "/api/v1/keys/"+k.ID+"/uses").Status(t, http.StatusOK).JSON(t, &uses)
		if uses.Items == nil || len(uses.Items) != 0 || uses.NextCursor != nil {
			t.Fatalf("%+v", uses)
		}
	})
}

// TestCitizenActionsHTTP runs the action and own-data scenarios through the real app on one portal
// per engine (a PostgreSQL portal costs seconds to start). Closing the account comes last.
func TestCitizenActionsHTTP(t *testing.T) {
	agency := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer agency.Close()
	allowLoopback := apptest.WithConfig(func(c *config.Config) { c.WebhookAllowPrivate = true })
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		w := newActionWorld(t, p)
		if _, err := p.DB.NewUpdate().TableExpr("agencies").Set("webhook_url = ?", agency.URL).Set("webhook_secret = ?", "whsec_"+strings.Repeat("A", 32)).
			Where("id = ?", w.agency).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Run("cancel booking", func(t *testing.T) { cancelBookingHTTP(t, p, w) })
		t.Run("mark read", func(t *testing.T) { markReadHTTP(t, p, w) })
		t.Run("open door", func(t *testing.T) { openDoorHTTP(t, p, w) })
		t.Run("calendar", func(t *testing.T) { calendarHTTP(t, p, w) })
		t.Run("export and access log", func(t *testing.T) { exportAndAccessLogHTTP(t, p, w) })
		t.Run("close account", func(t *testing.T) { closeAccountHTTP(t, p, w) })
	}, allowLoopback)
}
