package push_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
)

// capturingClient keeps the body webpush-go would have posted.
type capturingClient struct{ body []byte }

func (c *capturingClient) Do(req *http.Request) (*http.Response, error) {
	c.body, _ = io.ReadAll(req.Body)
	req.Body.Close()
	return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Header: http.Header{}}, nil
}

// TestEncryptionInteroperates opens, with pushtest's decryptor, both what the sender's own
// encryption and what webpush-go (the library it replaced) produce for the same subscriber:
// the same plaintext, the same record size, the same padded length.
func TestEncryptionInteroperates(t *testing.T) {
	ua, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	body := payload(t)

	ours, err := push.Encrypt(body, ua.PublicKey().Bytes(), auth)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := push.GenerateVAPIDKeys()
	var theirs capturingClient
	_, err = webpush.SendNotification(body, &webpush.Subscription{Endpoint: "https://push.example/x", Keys: webpush.Keys{
		Auth: base64.RawURLEncoding.EncodeToString(auth), P256dh: base64.RawURLEncoding.EncodeToString(ua.PublicKey().Bytes())}},
		&webpush.Options{HTTPClient: &theirs, RecordSize: push.RecordSize, Subscriber: "ops@example.no", TTL: 60,
			VAPIDPublicKey: keys.PublicKey, VAPIDPrivateKey: keys.PrivateKey})
	if err != nil {
		t.Fatal(err)
	}
	for name, sealed := range map[string][]byte{"push": ours, "webpush-go": theirs.body} {
		opened, err := pushtest.Decrypt(sealed, ua, auth)
		if err != nil || !bytes.Equal(opened.Plaintext, body) || opened.RecordSize != push.RecordSize || len(sealed) != push.RecordSize {
			t.Fatalf("%s: %q rs=%d len=%d, %v", name, opened.Plaintext, opened.RecordSize, len(sealed), err)
		}
	}
}

// TestSendUsesAFreshSaltAndKeyPerMessage: RFC 8291 derives the content key and nonce from the
// salt and the sender's ephemeral key, so a repeat of either would reuse an AES-GCM nonce.
func TestSendUsesAFreshSaltAndKeyPerMessage(t *testing.T) {
	f := newFixture(t, "mailto:ops@example.no")
	sub := f.srv.NewSubscriber()
	body := payload(t)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			if res := f.sender.Send(context.Background(), sub, push.Message{Payload: body, TTL: time.Minute}); res.Outcome != push.Delivered {
				t.Errorf("%+v", res)
			}
		})
	}
	wg.Wait()
	salts, senderKeys := map[string]bool{}, map[string]bool{}
	got := f.srv.Messages(sub)
	for _, m := range got {
		if !bytes.Equal(m.Payload, body) || m.BodyLength != push.RecordSize {
			t.Fatalf("payload %q, body of %d bytes", m.Payload, m.BodyLength)
		}
		salts[string(m.Salt)], senderKeys[string(m.SenderKey)] = true, true
	}
	if len(got) != 32 || len(salts) != 32 || len(senderKeys) != 32 {
		t.Fatalf("%d messages, %d distinct salts, %d distinct sender keys", len(got), len(salts), len(senderKeys))
	}
}

// clock is a settable wall clock for the sender's VAPID tokens.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time             { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration)        { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func (c *clock) unix(d time.Duration) int64 { return c.now().Add(d).Unix() }

// TestSendReusesTheVAPIDTokenUntilRenewal: one signed JWT per push service, valid 12 hours,
// reused for 11, then replaced; the fake service verifies each (ES256 with k, aud = its origin,
// exp in the future and at most 24 hours ahead, sub).
func TestSendReusesTheVAPIDTokenUntilRenewal(t *testing.T) {
	srv := pushtest.NewServer(t)
	keys, _ := push.GenerateVAPIDKeys()
	subject, _ := push.ParseSubject("mailto:ops@example.no")
	c := &clock{t: time.Now()}
	sender, err := push.NewSender(keys, subject, srv.AllowList(), srv.Client(5*time.Second), push.SenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	push.SetVAPIDClock(sender, c.now)
	sub := srv.NewSubscriber()
	send := func() pushtest.Message {
		t.Helper()
		if res := sender.Send(context.Background(), sub, push.Message{Payload: []byte(`{}`)}); res.Outcome != push.Delivered {
			t.Fatalf("%+v, rejections %v", res, srv.Rejections())
		}
		got := srv.Messages(sub)
		return got[len(got)-1]
	}
	first := send()
	if first.Expires.Unix() != c.unix(12*time.Hour) || first.Audience != srv.URL() || first.Subject != "mailto:ops@example.no" {
		t.Fatalf("exp %v (want now + 12 h), aud %q, sub %q", first.Expires, first.Audience, first.Subject)
	}
	c.add(10*time.Hour + 59*time.Minute)
	if again := send(); again.VAPIDToken != first.VAPIDToken {
		t.Fatal("a new token was signed before the old one was due for renewal")
	}
	c.add(time.Minute)
	renewed := send()
	if renewed.VAPIDToken == first.VAPIDToken || renewed.Expires.Unix() != c.unix(12*time.Hour) {
		t.Fatalf("after 11 h: token renewed %v, exp %v, want %v", renewed.VAPIDToken != first.VAPIDToken, renewed.Expires, c.now().Add(12*time.Hour))
	}
	if again := send(); again.VAPIDToken != renewed.VAPIDToken {
		t.Fatal("the renewed token was not reused")
	}
}

// TestSendSignsOneTokenPerPushService: the aud claim is the push service's origin, so two
// services get two tokens, each reused for its own service only. The sender's clock is months
// off (a test or demo clock): tokens still follow the wall clock the push service checks.
func TestSendSignsOneTokenPerPushService(t *testing.T) {
	a, b := pushtest.NewServer(t), pushtest.NewServer(t)
	allow, err := push.ParseAllowList(a.AllowEntry() + "," + b.AllowEntry())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(a.Certificate())
	pool.AddCert(b.Certificate())
	keys, _ := push.GenerateVAPIDKeys()
	subject, _ := push.ParseSubject("https://kommune.example.no/kontakt")
	shifted := func() time.Time { return time.Now().AddDate(0, -10, 0) }
	sender, err := push.NewSender(keys, subject, allow, push.NewHTTPClient(allow, 5*time.Second, push.WithRootCAs(pool)), push.SenderOptions{Now: shifted})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]bool{}
	for _, srv := range []*pushtest.Server{a, b, a, b} {
		sub := srv.NewSubscriber()
		if res := sender.Send(context.Background(), sub, push.Message{Payload: []byte(`{}`)}); res.Outcome != push.Delivered {
			t.Fatalf("%+v, rejections %v", res, srv.Rejections())
		}
		m := srv.Messages(sub)[0]
		if m.Audience != srv.URL() || m.Subject != subject.String() {
			t.Fatalf("aud %q sub %q at %s", m.Audience, m.Subject, srv.URL())
		}
		tokens[m.VAPIDToken] = true
	}
	if len(tokens) != 2 {
		t.Fatalf("%d distinct tokens for two services over four sends, want 2", len(tokens))
	}
}
