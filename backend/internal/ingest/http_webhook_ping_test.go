package ingest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/webhook"
)

type pingReply struct {
	EventID   string  `json:"eventId"`
	URL       string  `json:"url"`
	Delivered bool    `json:"delivered"`
	Status    *int    `json:"status"`
	LatencyMS int64   `json:"latencyMs"`
	Failure   *string `json:"failure"`
}

// TestWebhookPingReachesAVerifyingReceiver: the ping is a Standard Webhooks event the agency's own
// receiver verifies with its secret; the answer says what the receiver answered, or why not.
func TestWebhookPingReachesAVerifyingReceiver(t *testing.T) {
	t.Parallel()
	allowLoopback := apptest.WithConfig(func(c *config.Config) { c.WebhookAllowPrivate = true })
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		api := newAgencyAPI(t, p)
		ctx := context.Background()
		key := api.newAgency("bibliotek")

		// No URL yet: a problem that says how to set one.
		r := api.call(http.MethodPost, "/webhook/ping", key, "", nil)
		if r.Status != http.StatusConflict || r.json(t)["detail"] == "" {
			t.Fatalf("ping without a URL: %d %s", r.Status, r.Body)
		}

		var mu sync.Mutex
		var secret string
		var got []webhook.Event
		answer := http.StatusNoContent
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			body, _ := io.ReadAll(req.Body)
			mu.Lock()
			defer mu.Unlock()
			if err := webhook.Verify(secret, req.Header, body, webhook.DefaultTolerance); err != nil {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			var ev webhook.Event
			_ = json.Unmarshal(body, &ev)
			got = append(got, ev)
			w.WriteHeader(answer)
		}))
		defer receiver.Close()
		s, err := p.App.Agencies.SetWebhook(ctx, "bibliotek", receiver.URL+"/hooks?token=abc")
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		secret = s
		mu.Unlock()

		r = api.call(http.MethodPost, "/webhook/ping", key, "", nil)
		var ping pingReply
		mustUnmarshal(t, r.Body, &ping)
		if r.Status != http.StatusOK || !ping.Delivered || ping.Status == nil || *ping.Status != http.StatusNoContent || ping.Failure != nil {
			t.Fatalf("ping: %d %s", r.Status, r.Body)
		}
		if ping.URL != receiver.URL+"/hooks" {
			t.Errorf("the answer shows %q, want the URL without its query (it may hold a token)", ping.URL)
		}
		mu.Lock()
		if len(got) != 1 || got[0].Type != "ping" || got[0].ID != ping.EventID || got[0].Agency != "bibliotek" {
			t.Errorf("the receiver got %+v, want one verified ping %s", got, ping.EventID)
		}
		answer = http.StatusInternalServerError
		mu.Unlock()

		// The receiver's own answer comes back as it is, not delivered.
		r = api.call(http.MethodPost, "/webhook/ping", key, "", nil)
		mustUnmarshal(t, r.Body, &ping)
		if ping.Delivered || ping.Status == nil || *ping.Status != http.StatusInternalServerError {
			t.Errorf("a receiver answering 500: %s", r.Body)
		}
		// Nothing was queued: a ping is sent once, now.
		if n := api.count("outbox", "topic = ?", "webhook"); n != 0 {
			t.Errorf("a ping left %d outbox rows", n)
		}

		// A receiver that is gone: why it failed, without the network error's text.
		receiver.Close()
		r = api.call(http.MethodPost, "/webhook/ping", key, "", nil)
		mustUnmarshal(t, r.Body, &ping)
		if r.Status != http.StatusOK || ping.Delivered || ping.Status != nil || ping.Failure == nil || *ping.Failure != webhook.PingConnectionFailed {
			t.Errorf("ping to a closed receiver: %d %s", r.Status, r.Body)
		}
	}, allowLoopback)
}

// TestWebhookPingGoesThroughTheEgressGuard: without the test allowance, a URL on the operator's
// own network is refused when dialled, like every delivery.
func TestWebhookPingGoesThroughTheEgressGuard(t *testing.T) {
	t.Parallel()
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("the ping reached a loopback receiver")
	}))
	defer receiver.Close()
	p := apptest.Start(t)
	api := newAgencyAPI(t, p)
	key := api.newAgency("bibliotek")
	// The stored URL is set directly: the CLI refuses it already, the guard must hold anyway
	// (a name may resolve to a private address only later).
	if _, err := p.DB.NewRaw(`UPDATE agencies SET webhook_url = ?, webhook_secret = ? WHERE slug = 'bibliotek'`,
		receiver.URL, "whsec_"+"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	r := api.call(http.MethodPost, "/webhook/ping", key, "", nil)
	var ping pingReply
	mustUnmarshal(t, r.Body, &ping)
	if r.Status != http.StatusOK || ping.Failure == nil || *ping.Failure != webhook.PingForbiddenAddress || time.Since(started) > 5*time.Second {
		t.Fatalf("ping to loopback: %d %s", r.Status, r.Body)
	}
}
