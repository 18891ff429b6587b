package webhook

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// newAgency stores an agency; url "" means it takes no webhooks.
func newAgency(t *testing.T, db *store.DB, url string) (agency.Agency, string) {
	t.Helper()
	secret, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := store.UTC(time.Now())
	a := agency.Agency{ID: store.NewID(), Slug: "bibliotek-" + store.NewID()[30:], Name: "Biblioteket", CreatedAt: now, UpdatedAt: now}
	if url != "" {
		a.WebhookURL, a.WebhookSecret = &url, &secret
	}
	if _, err := db.NewInsert().Model(&a).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, secret
}

// pending returns the webhook messages of one agency, oldest first.
func pending(t *testing.T, db *store.DB, agencyID string) []outbox.Message {
	t.Helper()
	var all, msgs []outbox.Message
	if err := db.NewSelect().Model(&all).Where("topic = ?", outbox.TopicWebhook).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		var p payload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.AgencyID == agencyID {
			msgs = append(msgs, m)
		}
	}
	return msgs
}

// TestSender runs the sender cases on one database per engine; each case has its own agency.
func TestSender(t *testing.T) {
	tests := []struct {
		name string
		fn   func(*testing.T, *store.DB)
	}{
		{"EnqueueOnlyForAgenciesWithAWebhook", testEnqueueOnlyForAgenciesWithAWebhook},
		{"AnswersDecideRetryOrDead", testAnswersDecideRetryOrDead},
		{"PrivateDestinationsAreRefusedAfterResolution", testPrivateDestinationsAreRefusedAfterResolution},
		{"RedirectsAreNotFollowed", testRedirectsAreNotFollowed},
		{"AgencyWithoutWebhookAnyMoreDropsTheEvent", testAgencyWithoutWebhookAnyMoreDropsTheEvent},
		{"NetworkErrorsAreRetriedWithoutTheURL", testNetworkErrorsAreRetriedWithoutTheURL},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { tt.fn(t, db) })
		}
	})
}

func testEnqueueOnlyForAgenciesWithAWebhook(t *testing.T, db *store.DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	silent, _ := newAgency(t, db, "")
	if err := Enqueue(ctx, db, silent.ID, EventCaseSeen, CaseSeen{Case: "S-1", SeenAt: now, By: ActorCitizen}, now); err != nil {
		t.Fatal(err)
	}
	if msgs := pending(t, db, silent.ID); len(msgs) != 0 {
		t.Fatalf("an agency without a webhook got %d messages", len(msgs))
	}
	if err := Enqueue(ctx, db, store.NewID(), EventCaseSeen, CaseSeen{}, now); err == nil {
		t.Fatal("an unknown agency was accepted")
	}

	listening, _ := newAgency(t, db, "https://fag.example.no/hooks")
	data := BookingCancelled{Booking: "B-77", CancelledAt: now, By: ActorRepresentative}
	id, err := EnqueueEvent(ctx, db, listening.ID, EventBookingCancelled, data, now)
	if err != nil {
		t.Fatal(err)
	}
	msgs := pending(t, db, listening.ID)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	var p payload
	if err := json.Unmarshal(msgs[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		ID, Type, Agency string
		Time             time.Time
		Data             BookingCancelled
	}
	if err := json.Unmarshal([]byte(p.Body), &ev); err != nil {
		t.Fatal(err)
	}
	if p.EventID != id || ev.ID != id || ev.Type != EventBookingCancelled || ev.Agency != listening.Slug || !ev.Time.Equal(now) || ev.Data != data {
		t.Fatalf("payload %+v, event %+v", p, ev)
	}
}

// sendOne enqueues one event to url and runs the sender on it once, as attempt number attempt.
func sendOne(t *testing.T, db *store.DB, s *Sender, url string, attempt int) outbox.Result {
	t.Helper()
	a, _ := newAgency(t, db, url)
	now := time.Now()
	if err := Enqueue(context.Background(), db, a.ID, EventCaseSeen, CaseSeen{Case: "S-1", SeenAt: now, By: ActorCitizen}, now); err != nil {
		t.Fatal(err)
	}
	msgs := pending(t, db, a.ID)
	m := msgs[len(msgs)-1]
	m.Attempts = attempt
	return s.Handle(context.Background(), m)
}

func testAnswersDecideRetryOrDead(t *testing.T, db *store.DB) {
	var status atomic.Int32
	var retryAfterHeader atomic.Value
	retryAfterHeader.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := retryAfterHeader.Load().(string); v != "" {
			w.Header().Set("Retry-After", v)
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	s := NewSender(db, SenderOptions{Client: NewClient(true, 2*time.Second)})
	tests := []struct {
		status     int
		retryAfter string
		attempt    int
		want       string
		after      time.Duration
	}{
		{200, "", 1, "done", 0},
		{204, "", 1, "done", 0},
		{429, "120", 1, "retry", 2 * time.Minute},
		{503, "7", 1, "retry", 7 * time.Second},
		{500, "", 19, "retry", 0},
		{408, "", 5, "retry", 0},
		{400, "", 1, "retry", 0},
		{404, "", 2, "retry", 0},
		{404, "", 3, "dead", 0},
		{301, "", 3, "dead", 0},
	}
	for _, tt := range tests {
		status.Store(int32(tt.status))
		retryAfterHeader.Store(tt.retryAfter)
		res := sendOne(t, db, s, srv.URL, tt.attempt)
		if res.String() != tt.want || res.After() != tt.after {
			t.Errorf("HTTP %d attempt %d: %s after %s (%s), want %s after %s", tt.status, tt.attempt, res, res.After(), res.Reason(), tt.want, tt.after)
		}
	}
}

func testPrivateDestinationsAreRefusedAfterResolution(t *testing.T, db *store.DB) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	guarded := NewSender(db, SenderOptions{Client: NewClient(false, 2*time.Second)})
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, url := range []string{srv.URL, "http://localhost" + port + "/hook"} {
		res := sendOne(t, db, guarded, url, 1)
		if res.String() != "dead" || !strings.Contains(res.Reason(), "non-public") {
			t.Errorf("%s: %s (%s), want dead for a non-public address", url, res, res.Reason())
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the private receiver was reached %d times", hits.Load())
	}
}

func testRedirectsAreNotFollowed(t *testing.T, db *store.DB) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer target.Close()
	redirector := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer redirector.Close()
	s := NewSender(db, SenderOptions{Client: NewClient(true, 2*time.Second)})
	if res := sendOne(t, db, s, redirector.URL, 3); res.String() != "dead" || res.Reason() != "HTTP 307 (refused by the agency)" {
		t.Fatalf("redirect: %s (%s)", res, res.Reason())
	}
	if hits.Load() != 0 {
		t.Fatal("the redirect was followed")
	}
}

func testAgencyWithoutWebhookAnyMoreDropsTheEvent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, _ := newAgency(t, db, "https://fag.example.no/hooks")
	now := time.Now()
	if err := Enqueue(ctx, db, a.ID, EventCaseSeen, CaseSeen{Case: "S-1"}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewUpdate().Model((*agency.Agency)(nil)).Set("webhook_url = NULL").Where("id = ?", a.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	s := NewSender(db, SenderOptions{})
	if res := s.Handle(ctx, pending(t, db, a.ID)[0]); res.String() != "done" {
		t.Fatalf("result %s (%s), want done (dropped)", res, res.Reason())
	}
}

func testNetworkErrorsAreRetriedWithoutTheURL(t *testing.T, db *store.DB) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens: connection refused
	s := NewSender(db, SenderOptions{Client: NewClient(true, 2*time.Second)})
	res := sendOne(t, db, s, "http://"+addr+"/hooks?token=agency-secret-token", 1)
	if res.String() != "retry" || !strings.HasPrefix(res.Reason(), "network: ") {
		t.Fatalf("result %s (%s), want a network retry", res, res.Reason())
	}
	if strings.Contains(res.Reason(), "agency-secret-token") || strings.Contains(res.Reason(), "/hooks") {
		t.Fatalf("the reason (stored in last_error) shows the URL: %s", res.Reason())
	}
}
