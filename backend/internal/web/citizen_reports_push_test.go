package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
)

// A status change reaches the reporter and a follower by push (decrypted as a browser would),
// in each one's language, in the "reports" category that is on by default; the same change again
// tells no one.
func TestReportStatusReachesReporterAndFollower(t *testing.T) {
	pushPortal(t, func(t *testing.T, p *apptest.Portal, srv *pushtest.Server) {
		_, key, _, err := p.App.Agencies.Create(context.Background(), "bymiljo", "Bymiljøetaten", "")
		if err != nil {
			t.Fatal(err)
		}
		roads := p.Anonymous(t)
		roads.Header.Set("Authorization", "Bearer "+key.Key)
		roads.Send(t, http.MethodPut, "/api/agency/v1/report-services/street-light", streetLight(1)).Status(t, http.StatusCreated)

		reporter, follower := p.LoginAs(t, apptest.PID(t, 1970, 11)), p.LoginAs(t, apptest.PID(t, 1975, 12))
		subs := map[*apptest.Client]push.Subscription{}
		for c, lang := range map[*apptest.Client]string{reporter: "en", follower: "nb"} {
			// Quiet hours off: the default 22:00–07:00 would hold the push back when the test runs at night.
			c.Send(t, http.MethodPut, "/api/v1/me/preferences", map[string]any{"language": lang, "quietHours": nil}).Status(t, http.StatusOK)
			var prefs struct {
				Channels map[string]struct{ Push, InApp bool }
			}
			c.Get(t, "/api/v1/me/preferences").Status(t, http.StatusOK).JSON(t, &prefs)
			if !prefs.Channels["reports"].Push {
				t.Fatalf("the reports category is not on by default: %+v", prefs.Channels)
			}
			subs[c] = srv.NewSubscriber()
			c.Send(t, http.MethodPost, "/api/v1/push/subscriptions", json.RawMessage(pushtest.BrowserJSON(subs[c]))).Status(t, http.StatusCreated)
		}
		runOutbox(t, p, srv)

		var rep struct{ ID string }
		postReport(t, reporter, "", [][2]string{{"service", "street-light"}, {"description", "Mørk lykt"}, {"lat", "59.9127"}, {"lon", "10.7461"},
			{"answers.fault", "dark"}}).Status(t, http.StatusCreated).JSON(t, &rep)
		follower.Send(t, http.MethodPost, "/api/v1/reports/"+rep.ID+"/follow", nil).Status(t, http.StatusOK)

		status := map[string]any{"status": "fixed", "reason": map[string]string{"nb": "Lykta er reparert."}}
		roads.Send(t, http.MethodPut, "/api/agency/v1/reports/"+rep.ID+"/status", status).Status(t, http.StatusOK)
		roads.Send(t, http.MethodPut, "/api/agency/v1/reports/"+rep.ID+"/status", status).Status(t, http.StatusOK)
		p.App.Outbox.Notify()

		want := map[*apptest.Client]string{reporter: "Bymiljøetaten: The problem you reported is fixed", follower: "Bymiljøetaten: Det du meldte fra om, er utbedret"}
		for c, title := range want {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			msgs, err := srv.WaitMessages(ctx, subs[c], 1)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			var payload push.Payload
			if err := msgs[0].Decode(&payload); err != nil {
				t.Fatal(err)
			}
			if payload.Title != title || payload.Category != "report" || payload.URL != "/reports/"+rep.ID {
				t.Fatalf("payload %+v, want title %q", payload, title)
			}
			if bytes.Contains(msgs[0].Payload, []byte("Mørk lykt")) {
				t.Fatal("the lock screen carries what was reported")
			}
		}
		p.Settle(t)
		// The repeated change told no one: one push each.
		for c := range want {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			msgs, _ := srv.WaitMessages(ctx, subs[c], 2)
			cancel()
			if len(msgs) != 1 {
				t.Fatalf("%d pushes after the same change twice, want 1", len(msgs))
			}
		}
		// In Min side: both see the new status in their list.
		for c := range want {
			var mine struct {
				Items []struct{ ID, Status, StatusReason string }
			}
			c.Get(t, "/api/v1/me/reports").Status(t, http.StatusOK).JSON(t, &mine)
			if len(mine.Items) != 1 || mine.Items[0].Status != "fixed" {
				t.Fatalf("my reports: %+v", mine.Items)
			}
		}
	})
}
