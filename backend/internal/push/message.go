package push

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"minside/backend/internal/pid"
)

// MaxPayloadBytes is the largest payload Send accepts by default: about 1 KB of JSON, well inside
// one 2048-byte record (whose limit is 2048 − 103 = 1945 bytes) and every push service's limit.
const MaxPayloadBytes = 1024

// MaxTTL is the longest TTL push services keep a message (FCM: four weeks).
const MaxTTL = 28 * 24 * time.Hour

// Urgency is the RFC 8030 Urgency header. Min side uses high only for deadlines.
type Urgency string

const (
	UrgencyVeryLow Urgency = "very-low"
	UrgencyLow     Urgency = "low"
	UrgencyNormal  Urgency = "normal"
	UrgencyHigh    Urgency = "high"
)

func (u Urgency) valid() bool {
	switch u {
	case "", UrgencyVeryLow, UrgencyLow, UrgencyNormal, UrgencyHigh:
		return true
	}
	return false
}

// Message is one push to one subscription.
type Message struct {
	Payload []byte        // JSON from Payload.Encode; at most the Sender's MaxPayload bytes
	TTL     time.Duration // how long the push service keeps it for an offline device; whole seconds, 0 … MaxTTL
	Urgency Urgency       // "" means normal
	// Topic makes the push service replace an undelivered older message with the same topic:
	// at most 32 base64url characters. TopicFor derives one from an opaque id.
	Topic string
}

// TopicFor turns any opaque id (a case id, "booking:123") into a valid Topic: the first 24 bytes
// of its SHA-256, base64url, 32 characters. The id itself never leaves the server.
func TopicFor(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:24])
}

func validTopic(t string) bool {
	if len(t) > 32 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Payload is the JSON the service worker receives. It shows up on a lock screen, so it carries
// a localized, non-sensitive title, the category, an opaque id and a deep link — never a
// national identity number or case content; the PWA fetches details after the citizen logs in.
type Payload struct {
	Title    string `json:"title"`
	Category string `json:"category"`         // "case", "booking", "key", "notice", …
	ID       string `json:"id"`               // opaque public id (UUIDv7)
	URL      string `json:"url"`              // deep link inside the PWA: a path starting with "/"
	Urgent   bool   `json:"urgent,omitempty"` // the PWA may require interaction
}

// ErrPayloadTooLarge means even an empty title does not make the payload fit.
var ErrPayloadTooLarge = errors.New("push: payload too large")

// Encode validates the payload and marshals it to at most max bytes of JSON, shortening the
// title on a rune boundary (ending it with "…") when it is too long.
func (p Payload) Encode(max int) ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	b, err := marshalCompact(p)
	if err != nil || len(b) <= max {
		return b, err
	}
	runes := []rune(p.Title)
	// Binary search for the longest title prefix that fits; JSON escaping makes bytes per rune vary.
	lo, hi := 0, len(runes)-1 // lo always fits (checked below), hi+1 does not
	shortened := func(n int) Payload {
		q := p
		q.Title = strings.TrimRightFunc(string(runes[:n]), isSpace) + "…"
		if n == 0 {
			q.Title = ""
		}
		return q
	}
	if b, err = marshalCompact(shortened(0)); err != nil || len(b) > max {
		return nil, fmt.Errorf("%w: %d bytes without a title, max %d", ErrPayloadTooLarge, len(b), max)
	}
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if c, _ := marshalCompact(shortened(mid)); len(c) <= max {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return marshalCompact(shortened(lo))
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }

func (p Payload) validate() error {
	if !utf8.ValidString(p.Title) {
		return errors.New("push: payload: title is not UTF-8")
	}
	if !strings.HasPrefix(p.URL, "/") || strings.HasPrefix(p.URL, "//") || strings.ContainsAny(p.URL, "\\ \t\r\n") {
		return fmt.Errorf("push: payload: url %q must be a path inside the app", p.URL)
	}
	if p.Category == "" || len(p.Category) > 32 || len(p.ID) > 64 {
		return errors.New("push: payload: category is required (≤ 32 bytes), id ≤ 64 bytes")
	}
	for _, s := range []string{p.Title, p.Category, p.ID, p.URL} {
		if pid.HasDigitRun(s) {
			return errors.New("push: payload: an 11-digit number (a national identity number?) must never be pushed")
		}
	}
	return nil
}

// marshalCompact encodes without HTML escaping: "<" as \u003c would cost 6 bytes of the budget.
func marshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("push: encode payload: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
