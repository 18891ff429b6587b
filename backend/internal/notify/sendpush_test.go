package notify

import (
	"maps"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/cases"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// A case update enqueued as the agency API does reaches the device: the fake push service
// decrypts an English title (the citizen's saved language), checks the VAPID signature, and sees
// the TTL, urgency and topic of a case update.
func TestCaseUpdateReachesDeviceInCitizensLanguage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		e.setLanguage(who, "en")
		caseID := e.caseFor(who, e.agency("Plan- og bygningsetaten"), cases.StatusInProgress)
		sub, dev := e.device(who)

		e.enqueue(outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: caseID, Reason: "status_changed"})
		e.drain()

		msgs, err := e.srv.WaitMessages(e.ctx, sub, 1)
		if err != nil {
			t.Fatal(err)
		}
		var p push.Payload
		if err := msgs[0].Decode(&p); err != nil {
			t.Fatal(err)
		}
		if want := "Your case with Plan- og bygningsetaten has been updated"; p.Title != want {
			t.Errorf("title = %q, want %q", p.Title, want)
		}
		if p.URL != pushableLink("/cases/"+caseID) || p.Category != "case" || p.Urgent {
			t.Errorf("payload = %+v", p)
		}
		m := msgs[0]
		if m.TTL != int(TTLUpdate/time.Second) || m.Urgency != "normal" || m.Topic != push.TopicFor(caseID) {
			t.Errorf("headers TTL=%d Urgency=%q Topic=%q", m.TTL, m.Urgency, m.Topic)
		}
		if m.Subject != "mailto:drift@kommune.example.no" || m.VAPIDKey != e.keys.PublicKey {
			t.Errorf("VAPID sub=%q k=%q", m.Subject, m.VAPIDKey)
		}
		e.noRejections()
		ds := e.deliveries(who)
		if len(ds) != 1 || ds[0].State != StateDelivered || ds[0].ID != p.ID || *ds[0].SubscriptionID != dev.ID {
			t.Fatalf("deliveries = %+v", ds)
		}
		var got Device
		if err := db.NewSelect().Model(&got).Where("id = ?", dev.ID).Scan(e.ctx); err != nil || got.LastSentAt == nil {
			t.Fatalf("device last_sent_at not set: %+v %v", got, err)
		}
	})
}

// The push service's answers, one table row each: what becomes of the delivery and the device.
func TestPushOutcomes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tests := []struct {
			name        string
			replies     []pushtest.Reply
			unsubscribe bool
			state       string
			devices     int    // devices of the citizen afterwards (two at start)
			messages    int    // decrypted at the subscriber
			attempts    int    // requests that reached the subscriber
			alert       string // the status label of the one alert expected, "" for none
		}{
			{name: "gone", unsubscribe: true, state: StateGone, devices: 1, messages: 0, attempts: 1},
			{name: "404", replies: []pushtest.Reply{{Status: 404}}, state: StateGone, devices: 1, messages: 0, attempts: 1},
			{name: "429 then 500 then delivered once", replies: []pushtest.Reply{{Status: 429, RetryAfter: "7"}, {Status: 500}},
				state: StateDelivered, devices: 2, messages: 1, attempts: 3},
			{name: "413 shrinks and keeps the device", replies: []pushtest.Reply{{Status: 413}}, state: StateDelivered, devices: 2, messages: 1, attempts: 2},
			{name: "413 twice drops", replies: []pushtest.Reply{{Status: 413}, {Status: 413}}, state: StateDropped, devices: 2, messages: 0, attempts: 2},
			{name: "403 alerts and keeps every device", replies: []pushtest.Reply{{Status: 403}}, state: StateFailed, devices: 2, messages: 0, attempts: 1, alert: "403"},
			{name: "401 alerts", replies: []pushtest.Reply{{Status: 401}}, state: StateFailed, devices: 2, messages: 0, attempts: 1, alert: "401"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, db)
				who := e.citizen(adult)
				caseID := e.caseFor(who, e.agency("Bydel Frogner"), cases.StatusAwaitingCitizen)
				sub, dev := e.device(who)
				_, _ = e.device(who) // a second device, which must never suffer for the first
				if tc.unsubscribe {
					e.srv.Unsubscribe(sub)
				}
				e.srv.ScriptReplies(sub, tc.replies...)
				e.enqueue(outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: caseID, Reason: "awaiting_citizen"})
				e.drain()
				for range len(tc.replies) + 1 { // let every retry come due
					e.clock.Advance(time.Hour)
					e.drain()
				}
				var state string
				if err := db.NewSelect().Model((*Delivery)(nil)).Column("state").Where("subscription_id = ?", dev.ID).Scan(e.ctx, &state); err != nil {
					t.Fatal(err)
				}
				if state != tc.state {
					t.Errorf("delivery state = %q, want %q", state, tc.state)
				}
				list, _ := e.devices.List(e.ctx, who)
				if len(list) != tc.devices {
					t.Errorf("devices = %d, want %d", len(list), tc.devices)
				}
				if n := len(e.srv.Messages(sub)); n != tc.messages {
					t.Errorf("decrypted messages = %d, want %d", n, tc.messages)
				}
				if n := e.srv.Attempts(sub); n != tc.attempts {
					t.Errorf("requests = %d, want %d", n, tc.attempts)
				}
				want := map[string]float64{}
				if tc.alert != "" {
					want[tc.alert] = 1
				}
				if got := e.alerts(); !maps.Equal(got, want) {
					t.Errorf("minside_push_alerts_total = %v, want %v", got, want)
				}
				e.noRejections()
			})
		}
	})
}

// A 429's Retry-After sets the next attempt; without one the backoff decides.
func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		caseID := e.caseFor(who, e.agency("Bydel Frogner"), cases.StatusInProgress)
		sub, _ := e.device(who)
		e.srv.ScriptReplies(sub, pushtest.Reply{Status: 429, RetryAfter: "7"}, pushtest.Reply{Status: 503})
		if _, err := e.notifier.FanOut(e.ctx, 1, e.clock.Now(), outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: caseID, Reason: "status_changed"}); err != nil {
			t.Fatal(err)
		}
		m := e.pushMessages()[0]
		m.Attempts = 1
		if r := e.pusher.HandlePush(e.ctx, m); r.String() != "retry" || r.After() != 7*time.Second {
			t.Fatalf("after 429 with Retry-After 7: %+v", r)
		}
		m.Attempts = 2
		if r := e.pusher.HandlePush(e.ctx, m); r.String() != "retry" || r.After() != 2*time.Minute {
			t.Fatalf("after 503: %+v (want the backoff of attempt 2)", r)
		}
		if r := e.pusher.HandlePush(e.ctx, m); r.String() != "done" {
			t.Fatalf("third try: %+v", r)
		}
		if r := e.pusher.HandlePush(e.ctx, m); r.String() != "done" || len(e.srv.Messages(sub)) != 1 {
			t.Fatalf("a second run of a delivered message must not send again: %+v, %d sent", r, len(e.srv.Messages(sub)))
		}
	})
}

// With the push service down for a while and the sender restarted in between, every delivery
// arrives exactly once.
func TestServiceDownAndRestartLosesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ag := e.agency("Oslo bibliotek")
		var subs []push.Subscription
		for range 3 {
			who := e.citizen(adult)
			sub, _ := e.device(who)
			subs = append(subs, sub)
			for range 2 {
				e.enqueue(outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: e.caseFor(who, ag, cases.StatusInProgress), Reason: "status_changed"})
			}
		}
		e.srv.Down(pushtest.DownClose, 0)
		e.drain()
		e.clock.Advance(2 * time.Minute)
		e.drain() // still down: every push retried again
		e.restartPusher()
		e.srv.Up()
		for range 5 {
			e.clock.Advance(10 * time.Minute)
			e.drain()
		}
		perDelivery := map[string]int{}
		for _, sub := range subs {
			for _, m := range e.srv.Messages(sub) {
				var p push.Payload
				if err := m.Decode(&p); err != nil {
					t.Fatal(err)
				}
				perDelivery[p.ID]++
			}
		}
		if len(perDelivery) != 6 {
			for _, m := range e.pushMessages() {
				t.Logf("outbox %d status=%s attempts=%d at=%v err=%v", m.ID, m.Status, m.Attempts, m.AvailableAt, m.LastError)
			}
			var ds []Delivery
			_ = db.NewSelect().Model(&ds).Scan(e.ctx)
			for _, d := range ds {
				t.Logf("delivery %s state=%s attempts=%d", d.ID, d.State, d.Attempts)
			}
			t.Fatalf("%d distinct deliveries arrived, want 6", len(perDelivery))
		}
		for id, n := range perDelivery {
			if n != 1 {
				t.Errorf("delivery %s arrived %d times", id, n)
			}
		}
		pending, err := db.NewSelect().Model((*Delivery)(nil)).Where("state <> ?", StateDelivered).Count(e.ctx)
		if err != nil || pending != 0 {
			t.Fatalf("%d deliveries not delivered (%v)", pending, err)
		}
		e.noRejections()
	})
}

// A stored device whose endpoint the allow-list no longer admits is forgotten without a request.
func TestEndpointNoLongerAllowedForgetsDevice(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		caseID := e.caseFor(who, e.agency("Bydel Frogner"), cases.StatusInProgress)
		sub, dev := e.device(who)
		if _, err := db.NewUpdate().Model((*Device)(nil)).Set("endpoint = ?", "https://127.0.0.2:1/x").Where("id = ?", dev.ID).Exec(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.enqueue(outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: caseID, Reason: "status_changed"})
		e.drain()
		if list, _ := e.devices.List(e.ctx, who); len(list) != 0 || e.srv.Attempts(sub) != 0 {
			t.Fatalf("devices=%d attempts=%d", len(list), e.srv.Attempts(sub))
		}
		if ds := e.deliveries(who); len(ds) != 1 || ds[0].State != StateDropped {
			t.Fatalf("deliveries = %+v", ds)
		}
	})
}

func TestShortTitleAfter413(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		caseID := e.caseFor(who, e.agency(strings.Repeat("Etaten for lange navn ", 4)), cases.StatusInProgress)
		sub, _ := e.device(who)
		e.srv.Script(sub, 413)
		e.enqueue(outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: caseID, Reason: "status_changed"})
		e.drain()
		msgs := e.srv.Messages(sub)
		if len(msgs) != 1 {
			t.Fatalf("%d messages", len(msgs))
		}
		var p push.Payload
		_ = msgs[0].Decode(&p)
		if n := len([]rune(p.Title)); n != shortTitleRunes+1 || !strings.HasSuffix(p.Title, "…") {
			t.Fatalf("title after 413 = %q (%d runes)", p.Title, n)
		}
	})
}

// alerts reads minside_push_alerts_total by status from the registry, as Prometheus would.
func (e *env) alerts() map[string]float64 {
	e.t.Helper()
	families, err := e.registry.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "minside_push_alerts_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "status" {
					out[l.GetValue()] = m.GetCounter().GetValue()
				}
			}
		}
	}
	return out
}
