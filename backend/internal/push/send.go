package push

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RecordSize is the aes128gcm record size Sender uses: every message is padded to it, and some
// push services (Firefox on Android) reject bodies over about 3 KB, so 2048 rather than 4096.
const RecordSize = 2048

// Outcome is what the caller must do after a send.
type Outcome int

const (
	// Delivered: the push service accepted the message (2xx). Done.
	Delivered Outcome = iota + 1
	// Gone: the subscription no longer exists (404, 410). Delete it.
	Gone
	// TooLarge: the body is too big (413, or over MaxPayload before sending). Shrink the body or
	// drop the message; keep the subscription.
	TooLarge
	// Retry: throttled (429), server error (5xx), timeout (408) or network error. Try again
	// after Result.RetryDelay(attempt, rnd).
	Retry
	// Alert: the push service refused us (400, 401, 403, other 4xx, 3xx): VAPID keys, subject
	// or request format are wrong. Alert the operator; never delete subscriptions for it.
	Alert
	// Invalid: nothing was sent because the message or stored subscription is unusable (bad
	// keys, TTL, topic; endpoint off the allow-list or resolving to a non-public address).
	// Retrying cannot help: drop the message and log. errors.Is(Err, ErrAddressNotAllowed)
	// marks a subscription worth deleting.
	Invalid
)

var outcomeNames = map[Outcome]string{
	Delivered: "delivered", Gone: "gone", TooLarge: "too_large", Retry: "retry", Alert: "alert", Invalid: "invalid",
}

// String is a stable label for logs and metrics.
func (o Outcome) String() string {
	if s, ok := outcomeNames[o]; ok {
		return s
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Result says how one send went.
type Result struct {
	Outcome    Outcome
	Status     int           // HTTP status, 0 when no answer was received
	RetryAfter time.Duration // from Retry-After on Retry; 0 when the service gave none
	Reason     string        // first bytes of an error body (e.g. Apple's {"reason":"BadJwtToken"}), for logs
	Err        error         // the cause when not Delivered, for logs; never shown to a citizen
}

// RetryDelay is how long to wait before the next attempt: the service's Retry-After when it
// gave one, else Backoff(attempt, rnd). attempt counts failed attempts so far, from 1.
func (r Result) RetryDelay(attempt int, rnd *rand.Rand) time.Duration {
	if r.RetryAfter > 0 {
		return r.RetryAfter
	}
	return Backoff(attempt, rnd)
}

// SenderOptions tunes a Sender; the zero value is right for production.
type SenderOptions struct {
	MaxPayload int              // bytes; 0 means MaxPayloadBytes
	Now        func() time.Time // clock for Retry-After dates; nil means time.Now
}

// Sender posts encrypted (RFC 8291), VAPID-signed (RFC 8292) messages (RFC 8030). It is safe
// for concurrent use; build one per process and share it across outbox workers.
//
// The VAPID private key is parsed once, here, and each push service gets one signed JWT that is
// reused for hours (vapidSigner); only the encryption, which RFC 8291 requires fresh per
// message, is done on every send.
type Sender struct {
	keys       VAPIDKeys
	vapid      *vapidSigner
	allow      AllowList
	client     *http.Client
	maxPayload int
	now        func() time.Time
}

// String names the sender by its public key only: the struct holds the private key.
func (s *Sender) String() string { return "push.Sender{vapid: " + s.keys.PublicKey + "}" }

// NewSender checks its inputs and returns a Sender. client should come from NewHTTPClient(allow, …).
func NewSender(keys VAPIDKeys, subject Subject, allow AllowList, client *http.Client, opts SenderOptions) (*Sender, error) {
	keys, err := ParseVAPIDKeys(keys.PublicKey, keys.PrivateKey)
	if err != nil {
		return nil, err
	}
	if subject.IsZero() {
		return nil, errors.New("push: sender: a VAPID subject is required")
	}
	if client == nil {
		return nil, errors.New("push: sender: an HTTP client is required (NewHTTPClient)")
	}
	s := &Sender{keys: keys, allow: allow, client: client, maxPayload: opts.MaxPayload, now: opts.Now}
	if s.maxPayload <= 0 {
		s.maxPayload = MaxPayloadBytes
	}
	if s.maxPayload > maxRecordPayload {
		return nil, fmt.Errorf("push: sender: max payload %d does not fit one %d-byte record", s.maxPayload, RecordSize)
	}
	if s.now == nil {
		s.now = time.Now
	}
	// Not s.now: the push service checks a token's exp against its own, real clock, also when
	// the portal runs on a shifted clock (tests, demos).
	if s.vapid, err = newVAPIDSigner(keys, subject, time.Now); err != nil {
		return nil, err
	}
	return s, nil
}

// Send encrypts msg for sub, posts it and classifies the answer. It never retries by itself:
// the outbox owns retries, so a crash between attempts loses nothing.
func (s *Sender) Send(ctx context.Context, sub Subscription, msg Message) Result {
	if len(msg.Payload) > s.maxPayload {
		return Result{Outcome: TooLarge, Err: fmt.Errorf("%w: %d bytes, max %d", ErrPayloadTooLarge, len(msg.Payload), s.maxPayload)}
	}
	uaPublic, authSecret, err := s.check(sub, msg)
	if err != nil {
		return Result{Outcome: Invalid, Err: err}
	}
	body, err := encrypt(msg.Payload, uaPublic, authSecret)
	if err != nil {
		return classifyError(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		return Result{Outcome: Invalid, Err: fmt.Errorf("push: send: %w", err)}
	}
	auth, err := s.vapid.authorization(req.URL.Scheme + "://" + req.URL.Host)
	if err != nil {
		return Result{Outcome: Invalid, Err: err}
	}
	h := req.Header // keys in canonical form (TTL is "Ttl"), so assigned without Set's rewriting
	h["Authorization"] = []string{auth}
	h["Content-Encoding"] = []string{"aes128gcm"}
	h["Content-Type"] = []string{"application/octet-stream"}
	h["Ttl"] = []string{strconv.Itoa(int(msg.TTL / time.Second))}
	if msg.Urgency != "" {
		h["Urgency"] = []string{string(msg.Urgency)}
	}
	if msg.Topic != "" {
		h["Topic"] = []string{msg.Topic}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return classifyError(err)
	}
	defer resp.Body.Close()
	return s.classify(resp)
}

// check refuses what no push service could accept or no browser could open, and returns the
// subscription's decoded keys.
func (s *Sender) check(sub Subscription, msg Message) (uaPublic, authSecret []byte, err error) {
	if msg.TTL < 0 || msg.TTL > MaxTTL || msg.TTL%time.Second != 0 {
		return nil, nil, fmt.Errorf("push: send: ttl %v must be whole seconds from 0 to %v", msg.TTL, MaxTTL)
	}
	if !msg.Urgency.valid() {
		return nil, nil, fmt.Errorf("push: send: urgency %q", msg.Urgency)
	}
	if !validTopic(msg.Topic) {
		return nil, nil, fmt.Errorf("push: send: topic %q must be ≤ 32 base64url characters (use TopicFor)", msg.Topic)
	}
	if key, _ := checkEndpoint(sub.Endpoint, s.allow); key != "" {
		// Stored before the allow-list changed, or never validated: do not send there.
		return nil, nil, fmt.Errorf("push: send: endpoint refused (%s): %w", key, ErrAddressNotAllowed)
	}
	// A garbled secret would encrypt for a key no browser holds; refuse it rather than send.
	if authSecret, err = decodeBase64URL(sub.Auth); err != nil || len(authSecret) != 16 {
		return nil, nil, errors.New("push: send: stored subscription: auth secret is not 16 bytes")
	}
	if uaPublic, err = decodeBase64URL(sub.P256dh); err != nil || len(uaPublic) != 65 {
		return nil, nil, errors.New("push: send: stored subscription: p256dh is not a 65-byte point")
	}
	return uaPublic, authSecret, nil
}

// classifyError sorts errors from before or instead of an answer.
func classifyError(err error) Result {
	switch {
	case errors.Is(err, ErrPayloadTooLarge):
		return Result{Outcome: TooLarge, Err: fmt.Errorf("push: send: %w", err)}
	case errors.Is(err, ErrAddressNotAllowed):
		return Result{Outcome: Invalid, Err: fmt.Errorf("push: send: %w", err)}
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		// The request was attempted: connection refused, reset, timeout, TLS, cancelled context.
		return Result{Outcome: Retry, Err: fmt.Errorf("push: send: %w", err)}
	}
	// Failed before sending: the stored keys (a p256dh off the curve) or the encryption.
	return Result{Outcome: Invalid, Err: fmt.Errorf("push: send: %w", err)}
}

func (s *Sender) classify(resp *http.Response) Result {
	r := Result{Status: resp.StatusCode}
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		r.Outcome = Delivered
	case code == http.StatusNotFound || code == http.StatusGone:
		r.Outcome = Gone
	case code == http.StatusRequestEntityTooLarge:
		r.Outcome = TooLarge
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		r.Outcome = Retry
		r.RetryAfter = parseRetryAfter(resp.Header, s.now())
	default: // 400, 401, 403, other 4xx, unfollowed 3xx
		r.Outcome = Alert
	}
	if r.Outcome != Delivered {
		// The start of the body names the reason (Apple: {"reason":"BadJwtToken"}); log it.
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		r.Reason = strings.ToValidUTF8(strings.TrimSpace(string(snippet)), "?")
		r.Err = fmt.Errorf("push: send: push service answered %s", resp.Status)
	}
	// Drain a bounded amount so the connection can be reused; never read an endless body.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return r
}
