package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/notify"
	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
)

// pushPortal is a portal whose allow-list admits only the fake push service.
func pushPortal(t *testing.T, fn func(t *testing.T, p *apptest.Portal, srv *pushtest.Server)) {
	srv := pushtest.NewServer(t)
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) { fn(t, p, srv) },
		apptest.WithConfig(func(c *config.Config) { c.PushAllowedHosts = srv.AllowEntry() }))
}

type problemBody struct {
	Code   string `json:"code"`
	Errors []struct {
		Pointer string `json:"pointer"`
		Code    string `json:"code"`
		Detail  string `json:"detail"`
	} `json:"errors"`
}

func TestPushSubscriptionLifecycle(t *testing.T) {
	pushPortal(t, func(t *testing.T, p *apptest.Portal, srv *pushtest.Server) {
		c := p.LoginAs(t, apptest.PID(t, 1975, 1))
		var key struct{ Key string }
		p.Anonymous(t).Get(t, "/api/v1/push/vapid-public-key").Status(t, http.StatusOK).JSON(t, &key)
		if key.Key != p.App.Notify.Keys.PublicKey || len(key.Key) != 87 {
			t.Fatalf("vapid public key %q", key.Key)
		}

		sub := srv.NewSubscriber()
		body := map[string]any{}
		_ = json.Unmarshal(pushtest.BrowserJSON(sub), &body)
		body["label"] = "Telefonen min"
		var first, again notify.DeviceView
		c.Send(t, http.MethodPost, "/api/v1/push/subscriptions", body).Status(t, http.StatusCreated).JSON(t, &first)
		body["label"] = "Jobbtelefonen"
		c.Send(t, http.MethodPost, "/api/v1/push/subscriptions", body).Status(t, http.StatusCreated).JSON(t, &again)
		if first.ID == "" || again.ID != first.ID || again.Label != "Jobbtelefonen" {
			t.Fatalf("re-posting the same endpoint: first %+v, again %+v", first, again)
		}

		r := c.Get(t, "/api/v1/push/subscriptions").Status(t, http.StatusOK)
		if strings.Contains(string(r.Body), sub.Auth) || strings.Contains(string(r.Body), "endpoint") {
			t.Fatalf("the list shows keys or endpoints: %s", r.Body)
		}
		var list struct{ Items []notify.DeviceView }
		r.JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != first.ID {
			t.Fatalf("list = %+v", list)
		}

		other := p.LoginAs(t, apptest.PID(t, 1976, 1))
		other.Send(t, http.MethodDelete, "/api/v1/push/subscriptions/"+first.ID, nil).Status(t, http.StatusNotFound)
		c.Send(t, http.MethodDelete, "/api/v1/push/subscriptions/"+first.ID, nil).Status(t, http.StatusNoContent)
		c.Send(t, http.MethodDelete, "/api/v1/push/subscriptions/"+first.ID, nil).Status(t, http.StatusNotFound)
		c.Get(t, "/api/v1/push/subscriptions").Status(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("forgotten device still listed: %+v", list)
		}
		// Logout forgets the devices registered in that session.
		c.Send(t, http.MethodPost, "/api/v1/push/subscriptions", json.RawMessage(pushtest.BrowserJSON(srv.NewSubscriber()))).Status(t, http.StatusCreated)
		c.Send(t, http.MethodPost, "/auth/logout", nil).Status(t, http.StatusOK)
		if n, _ := p.DB.NewSelect().Model((*notify.Device)(nil)).Count(context.Background()); n != 0 {
			t.Fatalf("%d devices left after logout", n)
		}
	})
}

// Endpoints that point anywhere but an allowed push service, and keys a browser cannot have made,
// are refused with problem+json naming the field.
func TestPushSubscriptionRefusals(t *testing.T) {
	pushPortal(t, func(t *testing.T, p *apptest.Portal, srv *pushtest.Server) {
		c := p.LoginAs(t, apptest.PID(t, 1977, 1))
		good := srv.NewSubscriber()
		with := func(endpoint, p256dh, auth string) push.SubscriptionJSON {
			return push.SubscriptionJSON{Endpoint: endpoint, Keys: push.SubscriptionKeys{P256dh: p256dh, Auth: auth}}
		}
		tests := []struct {
			name    string
			body    any
			pointer string
		}{
			{"metadata address dressed as Apple", with("https://169.254.169.254/latest/meta-data/.apple.com/", good.P256dh, good.Auth), "/endpoint"},
			{"evil host dressed as Google", with("https://evil.example/x.google.com/", good.P256dh, good.Auth), "/endpoint"},
			{"plain http", with("http://"+srv.AllowEntry()+"/push/x", good.P256dh, good.Auth), "/endpoint"},
			{"userinfo", with("https://fcm.googleapis.com@evil.example/x", good.P256dh, good.Auth), "/endpoint"},
			{"p256dh not a point", with(good.Endpoint, "BAAA", good.Auth), "/keys/p256dh"},
			{"auth too short", with(good.Endpoint, good.P256dh, "AAAA"), "/keys/auth"},
			{"keys missing", with(good.Endpoint, "", ""), "/keys/p256dh"},
			{"label too long", map[string]any{"endpoint": good.Endpoint, "keys": map[string]string{"p256dh": good.P256dh, "auth": good.Auth}, "label": strings.Repeat("x", 101)}, "/label"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := c.Send(t, http.MethodPost, "/api/v1/push/subscriptions", tc.body).Status(t, http.StatusUnprocessableEntity)
				if pr := r.Problem(t); pr.Code != "invalid" {
					t.Fatalf("problem %+v", pr)
				}
				var pb problemBody
				r.JSON(t, &pb)
				found := false
				for _, e := range pb.Errors {
					found = found || e.Pointer == tc.pointer
				}
				if !found {
					t.Fatalf("no error at %s: %s", tc.pointer, r.Body)
				}
			})
		}
		if n, _ := p.DB.NewSelect().Model((*notify.Device)(nil)).Count(context.Background()); n != 0 {
			t.Fatalf("%d devices stored from refused bodies", n)
		}
	})
}

func TestPreferencesOverHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c := p.LoginAs(t, apptest.PID(t, 1978, 1))
		var prefs notify.Prefs
		c.Get(t, "/api/v1/me/preferences").Status(t, http.StatusOK).JSON(t, &prefs)
		if prefs.QuietHours != (notify.QuietHours{Enabled: true, Start: "22:00", End: "07:00"}) || !prefs.Channels["cases"].Push ||
			!prefs.RepresentedNotifications || len(prefs.Channels) != len(notify.PreferenceCategories) ||
			prefs.Channels[notify.CategorySuggestions].Push || prefs.Suggestions.Off || prefs.Suggestions.OffAgencies == nil {
			t.Fatalf("defaults = %+v", prefs)
		}
		c.Send(t, http.MethodPut, "/api/v1/me/preferences", map[string]any{
			"language": "en", "channels": map[string]any{"bookings": map[string]bool{"push": false, "inApp": true}},
		}).Status(t, http.StatusOK).JSON(t, &prefs)
		if prefs.Language != "en" || prefs.Channels["bookings"].Push || !prefs.Channels["cases"].Push {
			t.Fatalf("after PUT = %+v", prefs)
		}
		// The saved language now answers, whatever the browser asks for.
		req := c.NewRequest(t, http.MethodPut, "/api/v1/me/preferences", strings.NewReader(`{"language":"xx","quietHours":{"start":"25:00","end":"07:00"},"channels":{"sms":{"push":true}}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "nb")
		r := c.Do(t, req).Status(t, http.StatusUnprocessableEntity)
		if pr := r.Problem(t); pr.Title != "Some fields are not filled in correctly" {
			t.Errorf("problem title not in English: %q", pr.Title)
		}
		var pb problemBody
		r.JSON(t, &pb)
		var pointers []string
		for _, e := range pb.Errors {
			pointers = append(pointers, e.Pointer)
		}
		if got := strings.Join(pointers, " "); got != "/language /quietHours/start /channels/sms" {
			t.Errorf("pointers = %q", got)
		}
		c.Send(t, http.MethodPut, "/api/v1/me/preferences", map[string]any{"colour": "blue"}).Status(t, http.StatusUnprocessableEntity)

		// Suggestions: off entirely and per agency (by slug), with the push category beside the others.
		p.Agency(t, "bydel-frogner")
		c.Send(t, http.MethodPut, "/api/v1/me/preferences", map[string]any{"suggestions": map[string]any{"off": true, "offAgencies": []string{"bydel-frogner"}},
			"channels": map[string]any{"suggestions": map[string]bool{"push": true, "inApp": true}}}).Status(t, http.StatusOK).JSON(t, &prefs)
		if !prefs.Suggestions.Off || len(prefs.Suggestions.OffAgencies) != 1 || !prefs.Channels["suggestions"].Push {
			t.Errorf("after PUT of suggestions = %+v", prefs)
		}
		r = c.Send(t, http.MethodPut, "/api/v1/me/preferences", map[string]any{"suggestions": map[string]any{"offAgencies": []string{"bydel-frogner", "nope"}}}).
			Status(t, http.StatusUnprocessableEntity)
		pb = problemBody{}
		r.JSON(t, &pb)
		if len(pb.Errors) != 1 || pb.Errors[0].Pointer != "/suggestions/offAgencies/1" {
			t.Errorf("unknown agency: %s", r.Body)
		}
	})
}

// A case update (enqueued as the agency API does) reaches a device registered over HTTP, in the
// language saved over HTTP, and shows up in "what we sent you".
func TestCaseUpdateReachesSubscribedDevice(t *testing.T) {
	pushPortal(t, func(t *testing.T, p *apptest.Portal, srv *pushtest.Server) {
		number := apptest.PID(t, 1979, 1)
		c := p.LoginAs(t, number)
		who := p.Citizen(t, number, "")
		// Quiet hours off: the default 22:00–07:00 would hold the push back when the test runs at
		// night (TestQuietHoursOverHTTP and the notify tests cover them with a fixed clock).
		c.Send(t, http.MethodPut, "/api/v1/me/preferences", map[string]any{"language": "en", "quietHours": nil}).Status(t, http.StatusOK)
		sub := srv.NewSubscriber()
		c.Send(t, http.MethodPost, "/api/v1/push/subscriptions", json.RawMessage(pushtest.BrowserJSON(sub))).Status(t, http.StatusCreated)

		runOutbox(t, p, srv)
		caseID := insertPushCase(t, p, who.ID, p.Agency(t, "byggesak").ID)
		enqueueNotify(t, p, who.ID, "case", caseID, "awaiting_citizen")
		p.App.Outbox.Notify()

		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		msgs, err := srv.WaitMessages(ctx, sub, 1)
		if err != nil {
			t.Fatal(err)
		}
		var payload push.Payload
		if err := msgs[0].Decode(&payload); err != nil {
			t.Fatal(err)
		}
		if payload.Title != "byggesak is waiting for your reply" || (payload.URL != "/cases/"+caseID && payload.URL != "/cases") {
			t.Fatalf("payload %+v", payload)
		}
		if msgs[0].VAPIDKey != p.App.Notify.Keys.PublicKey || len(srv.Rejections()) != 0 {
			t.Fatalf("VAPID key %q, rejections %+v", msgs[0].VAPIDKey, srv.Rejections())
		}
		waitDelivered(t, p, who.ID)
		var sent struct {
			Items      []notify.SentItem
			NextCursor *string
		}
		c.Get(t, "/api/v1/me/deliveries").Status(t, http.StatusOK).JSON(t, &sent)
		if len(sent.Items) != 1 || sent.Items[0].State != notify.StateDelivered || sent.Items[0].Channel != "push" ||
			sent.Items[0].Title != payload.Title || sent.NextCursor != nil {
			t.Fatalf("deliveries = %+v", sent)
		}
	})
}
