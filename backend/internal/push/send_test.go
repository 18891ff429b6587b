package push_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
)

type fixture struct {
	srv    *pushtest.Server
	keys   push.VAPIDKeys
	sender *push.Sender
}

func newFixture(t testing.TB, subject string) fixture {
	t.Helper()
	srv := pushtest.NewServer(t)
	keys, err := push.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	subj, err := push.ParseSubject(subject)
	if err != nil {
		t.Fatal(err)
	}
	sender, err := push.NewSender(keys, subj, srv.AllowList(), srv.Client(5*time.Second), push.SenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{srv: srv, keys: keys, sender: sender}
}

func payload(t testing.TB) []byte {
	t.Helper()
	b, err := push.Payload{Title: "Søknaden din om barnehageplass er behandlet", Category: "case",
		ID: "0193b7a4-7c1e-7d3a-9f00-3c5b2a1d4e6f", URL: "/cases/0193b7a4-7c1e-7d3a-9f00-3c5b2a1d4e6f", Urgent: true}.Encode(push.MaxPayloadBytes)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSendDecryptsAtTheFakeService(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	sub := f.srv.NewSubscriber()
	body := payload(t)
	topic := push.TopicFor("case:0193b7a4")
	res := f.sender.Send(context.Background(), sub, push.Message{Payload: body, TTL: 24 * time.Hour, Urgency: push.UrgencyHigh, Topic: topic})
	if res.Outcome != push.Delivered || res.Status != http.StatusCreated || res.Err != nil {
		t.Fatalf("result %+v", res)
	}
	got := f.srv.Messages(sub)
	if len(got) != 1 {
		t.Fatalf("%d messages, rejections %v", len(got), f.srv.Rejections())
	}
	m := got[0]
	if !bytes.Equal(m.Payload, body) {
		t.Fatalf("payload %q, want %q", m.Payload, body)
	}
	if m.TTL != 86400 || m.Urgency != "high" || m.Topic != topic {
		t.Fatalf("headers TTL=%d Urgency=%q Topic=%q", m.TTL, m.Urgency, m.Topic)
	}
	if m.Subject != "mailto:ops@example.no" || m.Audience != f.srv.URL() || m.VAPIDKey != f.keys.PublicKey {
		t.Fatalf("vapid sub=%q aud=%q k=%q", m.Subject, m.Audience, m.VAPIDKey)
	}
	if m.RecordSize != push.RecordSize || m.BodyLength > push.RecordSize {
		t.Fatalf("record size %d, body %d", m.RecordSize, m.BodyLength)
	}
	var p push.Payload
	if err := m.Decode(&p); err != nil || p.Category != "case" || !p.Urgent {
		t.Fatalf("decoded %+v, %v", p, err)
	}
}

func TestSendSubjectClaim(t *testing.T) {
	for _, subject := range []string{"mailto:ops@example.no", "https://kommune.example.no/kontakt"} {
		t.Run(subject, func(t *testing.T) {
			f := newFixture(t, subject)
			sub := f.srv.NewSubscriber()
			if res := f.sender.Send(context.Background(), sub, push.Message{Payload: []byte(`{}`)}); res.Outcome != push.Delivered {
				t.Fatalf("result %+v, rejections %v", res, f.srv.Rejections())
			}
			if got := f.srv.Messages(sub)[0].Subject; got != subject {
				t.Fatalf("JWT sub %q, want exactly %q", got, subject)
			}
		})
	}
}

func TestSendClassifiesAnswers(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	date := time.Now().Add(2 * time.Minute).UTC().Format(http.TimeFormat)
	tests := []struct {
		reply      pushtest.Reply
		outcome    push.Outcome
		retryAfter time.Duration // lower bound; 0 means none
	}{
		{pushtest.Reply{Status: 201}, push.Delivered, 0},
		{pushtest.Reply{Status: 200}, push.Delivered, 0},
		{pushtest.Reply{Status: 202}, push.Delivered, 0},
		{pushtest.Reply{Status: 404}, push.Gone, 0},
		{pushtest.Reply{Status: 410}, push.Gone, 0},
		{pushtest.Reply{Status: 413}, push.TooLarge, 0},
		{pushtest.Reply{Status: 429}, push.Retry, 0},
		{pushtest.Reply{Status: 429, RetryAfter: "30"}, push.Retry, 30 * time.Second},
		{pushtest.Reply{Status: 503, RetryAfter: date}, push.Retry, 110 * time.Second},
		{pushtest.Reply{Status: 500}, push.Retry, 0},
		{pushtest.Reply{Status: 502}, push.Retry, 0},
		{pushtest.Reply{Status: 408}, push.Retry, 0},
		{pushtest.Reply{Status: 400}, push.Alert, 0},
		{pushtest.Reply{Status: 401}, push.Alert, 0},
		{pushtest.Reply{Status: 403}, push.Alert, 0},
		{pushtest.Reply{Status: 301}, push.Alert, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.reply.Status, tt.reply.RetryAfter), func(t *testing.T) {
			sub := f.srv.NewSubscriber()
			f.srv.ScriptReplies(sub, tt.reply)
			res := f.sender.Send(context.Background(), sub, push.Message{Payload: payload(t), TTL: time.Hour})
			if res.Outcome != tt.outcome || res.Status != tt.reply.Status {
				t.Fatalf("got %v/%d, want %v/%d (%v)", res.Outcome, res.Status, tt.outcome, tt.reply.Status, res.Err)
			}
			if tt.retryAfter == 0 && res.RetryAfter != 0 || res.RetryAfter < tt.retryAfter || res.RetryAfter > tt.retryAfter+15*time.Second {
				t.Fatalf("RetryAfter %v, want about %v", res.RetryAfter, tt.retryAfter)
			}
			if (res.Outcome == push.Delivered) != (res.Err == nil) {
				t.Fatalf("Err %v with outcome %v", res.Err, res.Outcome)
			}
		})
	}
	if r := f.srv.Rejections(); len(r) != 0 {
		t.Fatalf("the fake service rejected requests: %v", r)
	}
}

func TestSendScriptThenDeliver(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	sub := f.srv.NewSubscriber()
	f.srv.Script(sub, 429, 500, 201)
	want := []push.Outcome{push.Retry, push.Retry, push.Delivered, push.Delivered}
	for i, w := range want {
		if res := f.sender.Send(context.Background(), sub, push.Message{Payload: payload(t)}); res.Outcome != w {
			t.Fatalf("send %d: %v, want %v", i, res.Outcome, w)
		}
	}
	if n := len(f.srv.Messages(sub)); n != 2 || f.srv.Attempts(sub) != 4 {
		t.Fatalf("%d messages in %d attempts", n, f.srv.Attempts(sub))
	}
	f.srv.Unsubscribe(sub)
	if res := f.sender.Send(context.Background(), sub, push.Message{Payload: payload(t)}); res.Outcome != push.Gone || res.Status != 410 {
		t.Fatalf("after unsubscribe: %+v", res)
	}
}

func TestSendWhileServiceDown(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	sub := f.srv.NewSubscriber()
	tests := []struct {
		mode   pushtest.DownMode
		status int
	}{
		{pushtest.DownClose, 0},
		{pushtest.DownUnavailable, 503},
	}
	for _, tt := range tests {
		f.srv.Down(tt.mode, 0)
		res := f.sender.Send(context.Background(), sub, push.Message{Payload: payload(t)})
		if res.Outcome != push.Retry || res.Status != tt.status || res.Err == nil {
			t.Fatalf("down mode %d: %+v", tt.mode, res)
		}
		f.srv.Up()
	}
	f.srv.Down(pushtest.DownUnavailable, 50*time.Millisecond)
	time.Sleep(60 * time.Millisecond)
	if res := f.sender.Send(context.Background(), sub, push.Message{Payload: payload(t)}); res.Outcome != push.Delivered {
		t.Fatalf("after the down period: %+v", res)
	}
}

func TestSendRefusesBadMessages(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	sub := f.srv.NewSubscriber()
	offList := sub
	offList.Endpoint = "https://evil.example/push"
	badKeys := sub
	badKeys.P256dh = "AAAA"
	offCurve := sub
	offCurve.P256dh = base64.RawURLEncoding.EncodeToString(append([]byte{4}, make([]byte, 64)...))
	shortAuth := sub
	shortAuth.Auth = base64.RawURLEncoding.EncodeToString(make([]byte, 12))
	tests := []struct {
		name    string
		sub     push.Subscription
		msg     push.Message
		outcome push.Outcome
	}{
		{"payload over max", sub, push.Message{Payload: bytes.Repeat([]byte("a"), push.MaxPayloadBytes+1)}, push.TooLarge},
		{"negative ttl", sub, push.Message{Payload: []byte("{}"), TTL: -time.Second}, push.Invalid},
		{"fractional ttl", sub, push.Message{Payload: []byte("{}"), TTL: 1500 * time.Millisecond}, push.Invalid},
		{"ttl over four weeks", sub, push.Message{Payload: []byte("{}"), TTL: push.MaxTTL + time.Second}, push.Invalid},
		{"urgency", sub, push.Message{Payload: []byte("{}"), Urgency: "urgent"}, push.Invalid},
		{"topic too long", sub, push.Message{Payload: []byte("{}"), Topic: strings.Repeat("a", 33)}, push.Invalid},
		{"topic alphabet", sub, push.Message{Payload: []byte("{}"), Topic: "case:1"}, push.Invalid},
		{"endpoint off the allow-list", offList, push.Message{Payload: []byte("{}")}, push.Invalid},
		{"stored keys broken", badKeys, push.Message{Payload: []byte("{}")}, push.Invalid},
		{"stored key off the curve", offCurve, push.Message{Payload: []byte("{}")}, push.Invalid},
		{"stored auth too short", shortAuth, push.Message{Payload: []byte("{}")}, push.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.sender.Send(context.Background(), tt.sub, tt.msg)
			if res.Outcome != tt.outcome || res.Err == nil || res.Status != 0 {
				t.Fatalf("got %+v, want %v", res, tt.outcome)
			}
		})
	}
	if f.srv.Posts() != 0 {
		t.Fatalf("%d requests reached the service", f.srv.Posts())
	}
	res := f.sender.Send(context.Background(), offList, push.Message{Payload: []byte("{}")})
	if !errors.Is(res.Err, push.ErrAddressNotAllowed) {
		t.Fatalf("off-list endpoint not marked: %v", res.Err)
	}
}

func TestSendVAPIDKeyMismatchIsAnAlert(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	other, _ := push.GenerateVAPIDKeys()
	f.srv.RequireVAPIDKey(other.PublicKey)
	sub := f.srv.NewSubscriber()
	res := f.sender.Send(context.Background(), sub, push.Message{Payload: payload(t)})
	if res.Outcome != push.Alert || res.Status != 403 || !strings.Contains(res.Reason, "vapid") {
		t.Fatalf("result %+v", res)
	}
}

// TestSendOneSliceConcurrently passes one payload slice with spare capacity to many goroutines:
// the notify handlers encode a payload once and send it to every device, so encryption must
// copy it before padding rather than append to it (a data race under go test -race).
func TestSendOneSliceConcurrently(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	body := payload(t)
	shared := make([]byte, len(body), 4096)
	copy(shared, body)
	subs := make([]push.Subscription, 8)
	for i := range subs {
		subs[i] = f.srv.NewSubscriber()
	}
	var wg sync.WaitGroup
	for _, sub := range subs {
		for range 3 {
			wg.Go(func() {
				if res := f.sender.Send(context.Background(), sub, push.Message{Payload: shared, TTL: time.Minute}); res.Outcome != push.Delivered {
					t.Errorf("result %+v", res)
				}
			})
		}
	}
	wg.Wait()
	if !bytes.Equal(shared, body) || cap(shared) != 4096 {
		t.Fatal("the caller's slice was changed")
	}
	for _, sub := range subs {
		for _, m := range f.srv.Messages(sub) {
			if !bytes.Equal(m.Payload, body) {
				t.Fatalf("payload corrupted: %q", m.Payload)
			}
		}
		if n := len(f.srv.Messages(sub)); n != 3 {
			t.Fatalf("%d messages", n)
		}
	}
}

func TestWaitMessages(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	sub := f.srv.NewSubscriber()
	go f.sender.Send(context.Background(), sub, push.Message{Payload: payload(t)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := f.srv.WaitMessages(ctx, sub, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("%d messages, %v", len(got), err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, err := f.srv.WaitMessages(short, sub, 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a deadline error, got %v", err)
	}
}

func TestSenderDoesNotPrintThePrivateKey(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	for _, s := range []string{fmt.Sprint(f.sender), fmt.Sprintf("%v %+v %s", f.sender, f.sender, f.sender)} {
		if strings.Contains(s, f.keys.PrivateKey) || !strings.Contains(s, f.keys.PublicKey) {
			t.Fatalf("formatted sender: %s", s)
		}
	}
}

// TestBrowserJSONRoundTrip is what the subscription handler's tests will do: a fake subscriber's
// toJSON() body goes through ParseSubscription with the fake service allowed, and sends arrive.
func TestBrowserJSONRoundTrip(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	want := f.srv.NewSubscriber()
	got, err := push.ParseSubscription(pushtest.BrowserJSON(want), f.srv.AllowList())
	if err != nil || got != want {
		t.Fatalf("parsed %+v, %v", got, err)
	}
	if _, err := push.ParseSubscription(pushtest.BrowserJSON(want), push.DefaultAllowList()); err == nil {
		t.Fatal("the loopback fake must not pass the default allow-list")
	}
	if res := f.sender.Send(context.Background(), got, push.Message{Payload: payload(t)}); res.Outcome != push.Delivered {
		t.Fatalf("%+v", res)
	}
}
