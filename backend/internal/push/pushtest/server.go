// Package pushtest is a fake web push service for tests of any package that sends pushes. It
// runs on 127.0.0.1 over TLS (httptest), decrypts every message with the fake subscriber's keys
// (RFC 8291), verifies the VAPID header (RFC 8292), records what arrived, and answers what a
// test scripts for each subscriber, so outbox and notification tests can check delivery end to
// end and every retry path.
//
// TLS rather than plain HTTP keeps the production rule "endpoints are https" without exception;
// the test only has to trust the server's certificate (Client does that) and name the server
// in the allow-list as an explicit host:port entry (AllowList does that):
//
//	srv := pushtest.NewServer(t)
//	sub := srv.NewSubscriber()
//	sender, _ := push.NewSender(keys, subject, srv.AllowList(), srv.Client(5*time.Second), push.SenderOptions{})
//	srv.Script(sub, 429, 201)
//	res := sender.Send(ctx, sub, msg) // Retry; the next send is Delivered
//	got := srv.Messages(sub)          // decrypted payloads, TTL, Urgency, Topic, VAPID sub
package pushtest

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minside/backend/internal/push"
)

// MaxBodyBytes is the largest body the fake accepts; larger gets 413, as on real services.
const MaxBodyBytes = 4096

// Reply is one scripted answer.
type Reply struct {
	Status     int
	RetryAfter string // Retry-After header value, e.g. "3" or an HTTP date; "" for none
}

// Message is one accepted push as the subscriber's browser would see it.
type Message struct {
	Payload    []byte // decrypted
	TTL        int
	Urgency    string // "" when the header was absent
	Topic      string
	Subject    string    // VAPID sub claim, e.g. "mailto:ops@example.no"
	Audience   string    // VAPID aud claim
	VAPIDKey   string    // k, base64url
	VAPIDToken string    // the JWT itself (t), to see when a sender signs a new one
	Expires    time.Time // the JWT's exp claim
	RecordSize uint32
	BodyLength int
	Salt       []byte // of the encryption header
	SenderKey  []byte // the sender's ephemeral public key, from the encryption header
	Received   time.Time
}

// Decode unmarshals the payload JSON into v.
func (m Message) Decode(v any) error { return json.Unmarshal(m.Payload, v) }

// Rejection is a request the fake refused as malformed: bad VAPID, bad encryption, bad headers.
// A correct sender never causes one; tests assert Rejections() is empty.
type Rejection struct {
	Path   string
	Status int
	Reason string
}

// DownMode is how an unavailable service behaves.
type DownMode int

const (
	// DownClose drops every connection without an answer (a network error for the client).
	DownClose DownMode = iota + 1
	// DownUnavailable answers 503.
	DownUnavailable
)

type subscriber struct {
	private  *ecdh.PrivateKey
	auth     []byte
	script   []Reply
	messages []Message
	attempts int
	gone     bool
}

// Server is the fake push service. All methods are safe for concurrent use.
type Server struct {
	origin string
	cert   *x509.Certificate
	sink   bool
	posts  atomic.Int64

	mu         sync.Mutex
	subs       map[string]*subscriber // by endpoint path
	rejections []Rejection
	down       DownMode
	downUntil  time.Time // zero: until Up
	requireKey string
	changed    chan struct{}
}

// Option configures NewServer.
type Option func(*Server)

// Sink makes the server only read each body and answer 201, with no decryption, no checks and
// no net/http (see sink.go): the benchmarks use it to measure the sender rather than the fake.
// Only URL, AllowEntry, AllowList, RootCAs, Client, NewSubscriber and Posts apply to a sink.
func Sink() Option { return func(s *Server) { s.sink = true } }

// NewServer starts a fake push service on 127.0.0.1 and closes it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{subs: map[string]*subscriber{}, changed: make(chan struct{})}
	for _, opt := range opts {
		opt(s)
	}
	if s.sink {
		s.startSink(t)
		return s
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // dropped connections are the point of DownClose
	ts.StartTLS()
	s.origin = ts.URL
	s.cert = ts.Certificate()
	t.Cleanup(ts.Close)
	return s
}

// URL is the origin, https://127.0.0.1:port.
func (s *Server) URL() string { return s.origin }

// AllowEntry is the explicit allow-list entry for this server, "127.0.0.1:port".
func (s *Server) AllowEntry() string {
	u, _ := url.Parse(s.origin)
	return u.Host
}

// AllowList allows this server only (append push defaults with "default,"+AllowEntry()).
func (s *Server) AllowList() push.AllowList { return push.MustParseAllowList(s.AllowEntry()) }

// RootCAs trusts the server's self-signed certificate.
func (s *Server) RootCAs() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.cert)
	return pool
}

// Client is the production client (push.NewHTTPClient) with this server allowed and trusted.
func (s *Server) Client(timeout time.Duration) *http.Client {
	return push.NewHTTPClient(s.AllowList(), timeout, push.WithRootCAs(s.RootCAs()))
}

// NewSubscriber creates a fake browser subscription at this server: a fresh P-256 key pair and
// 16-byte auth secret, held by the server to decrypt what arrives.
func (s *Server) NewSubscriber() push.Subscription {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic("pushtest: generate subscriber key: " + err.Error())
	}
	auth := make([]byte, 16)
	idBytes := make([]byte, 16)
	_, _ = rand.Read(auth)
	_, _ = rand.Read(idBytes)
	path := "/push/" + base64.RawURLEncoding.EncodeToString(idBytes)
	s.mu.Lock()
	s.subs[path] = &subscriber{private: priv, auth: auth}
	s.mu.Unlock()
	return push.Subscription{
		Endpoint: s.origin + path,
		P256dh:   base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
		Auth:     base64.RawURLEncoding.EncodeToString(auth),
	}
}

// BrowserJSON is sub as PushSubscription.toJSON() gives it: the body the PWA posts to
// /api/v1/push/subscriptions.
func BrowserJSON(sub push.Subscription) []byte {
	in := push.SubscriptionJSON{Endpoint: sub.Endpoint, Keys: push.SubscriptionKeys{P256dh: sub.P256dh, Auth: sub.Auth}}
	b, _ := json.Marshal(in)
	return b
}

// Script queues answers for sub's next requests, one per request; afterwards it answers 201.
func (s *Server) Script(sub push.Subscription, statuses ...int) {
	replies := make([]Reply, len(statuses))
	for i, st := range statuses {
		replies[i] = Reply{Status: st}
	}
	s.ScriptReplies(sub, replies...)
}

// ScriptReplies is Script with headers, e.g. Reply{Status: 429, RetryAfter: "3"}.
func (s *Server) ScriptReplies(sub push.Subscription, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.lookup(sub); st != nil {
		st.script = append(st.script, replies...)
	}
}

// Unsubscribe makes the service answer 410 Gone for sub from now on, as after a browser unsubscribes.
func (s *Server) Unsubscribe(sub push.Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.lookup(sub); st != nil {
		st.gone = true
	}
}

// RequireVAPIDKey makes the service answer 403 to a VAPID key other than publicKey, as real
// services do when a subscription was made with another applicationServerKey.
func (s *Server) RequireVAPIDKey(publicKey string) {
	s.mu.Lock()
	s.requireKey = publicKey
	s.mu.Unlock()
}

// Down takes the service down until Up, or for d when d > 0.
func (s *Server) Down(mode DownMode, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = mode
	s.downUntil = time.Time{}
	if d > 0 {
		s.downUntil = time.Now().Add(d)
	}
}

// Up ends a Down.
func (s *Server) Up() {
	s.mu.Lock()
	s.down = 0
	s.mu.Unlock()
}

// Messages returns what sub accepted so far, oldest first.
func (s *Server) Messages(sub push.Subscription) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.lookup(sub); st != nil {
		return append([]Message(nil), st.messages...)
	}
	return nil
}

// Attempts counts the requests that reached sub, whatever the answer.
func (s *Server) Attempts(sub push.Subscription) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.lookup(sub); st != nil {
		return st.attempts
	}
	return 0
}

// Rejections lists the malformed requests refused so far.
func (s *Server) Rejections() []Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Rejection(nil), s.rejections...)
}

// Posts counts every POST the server read, in any mode.
func (s *Server) Posts() int { return int(s.posts.Load()) }

// lookup finds sub's state; the caller holds mu.
func (s *Server) lookup(sub push.Subscription) *subscriber {
	u, err := url.Parse(sub.Endpoint)
	if err != nil {
		return nil
	}
	return s.subs[u.Path]
}

// notify wakes WaitMessages; the caller holds mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}
