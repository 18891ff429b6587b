// Package paging makes the cursors handed to clients: opaque tokens that carry a position in a
// list, say until when they may be used and whose list they are, signed so that a client can
// neither forge a position nor reuse another person's cursor. What a position means is up to the
// list that made it; this package only seals and opens it.
package paging

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"minside/backend/internal/apperr"
)

// Limits of one page of a list, the same for every list of the citizen API.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// ListLifetime is how long a cursor of a list stays usable: enough to page through a list read
// today, short enough that a stale position is not used against a list that changed a lot.
const ListLifetime = 24 * time.Hour

// keyLabel keeps the cursor key apart from every other use of the secret it is derived from.
const keyLabel = "minside paging cursor v1"

const (
	version     = 1
	tagSize     = 16  // bytes of HMAC-SHA256 kept: 128 bits
	maxPosition = 256 // bytes; positions are a time and an id, or a few numbers
	headerSize  = 1 + 8
)

// MaxTokenLength is the longest cursor Open looks at; anything longer is refused unread.
var MaxTokenLength = base64.RawURLEncoding.EncodedLen(headerSize + maxPosition + tagSize)

// ErrExpired marks a cursor that was genuine but is past its expiry (errors.Is on Open's error).
var ErrExpired = errors.New("paging: cursor expired")

var errForged = errors.New("paging: cursor not made here")

// Binding says whose list a cursor belongs to: a cursor opens only under the binding it was
// sealed with. Owner is the person asking (and whom they act for), List names the list.
type Binding struct {
	List  string
	Owner string
}

// Sealer seals and opens cursors with a key derived from a server secret.
type Sealer struct{ key []byte }

// NewSealer derives the cursor key from secret (the portal's pseudonym key: it is already
// required, kept secret and never rotated, so no new secret has to be configured).
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) < 16 {
		return nil, errors.New("paging: secret shorter than 16 bytes")
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(keyLabel))
	return &Sealer{key: m.Sum(nil)}, nil
}

// Seal makes the opaque cursor of position, usable under b until expires.
func (s *Sealer) Seal(b Binding, position string, expires time.Time) string {
	if len(position) > maxPosition {
		panic("paging: position too long") // a programming error: positions are made by our lists
	}
	body := make([]byte, headerSize, headerSize+len(position)+tagSize)
	body[0] = version
	binary.BigEndian.PutUint64(body[1:headerSize], uint64(expires.Unix()))
	body = append(body, position...)
	body = append(body, s.tag(b, body)...)
	return base64.RawURLEncoding.EncodeToString(body)
}

// Open returns the position a cursor carries. A cursor that was not sealed here under b (forged,
// changed, truncated, another person's or another list's) is a 422 on /cursor; one past its
// expiry is a 422 on /cursor too, with a detail saying to start over, and matches ErrExpired.
func (s *Sealer) Open(b Binding, token string, now time.Time) (string, error) {
	if len(token) > MaxTokenLength || !urlSafe(token) {
		return "", invalid(errForged)
	}
	body, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(body) < headerSize+tagSize || body[0] != version {
		return "", invalid(errForged)
	}
	signed, tag := body[:len(body)-tagSize], body[len(body)-tagSize:]
	if !hmac.Equal(tag, s.tag(b, signed)) {
		return "", invalid(errForged)
	}
	expires := int64(binary.BigEndian.Uint64(signed[1:headerSize]))
	if now.Unix() >= expires {
		return "", invalid(ErrExpired).WithDetail("error.detail.cursor_expired", nil)
	}
	return string(signed[headerSize:]), nil
}

// urlSafe reports whether s holds only the base64url alphabet (the decoder skips newlines, so
// it alone would accept many spellings of one cursor).
func urlSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// tag authenticates the body together with the binding; lengths go first so that no two
// different (list, owner) pairs give the same input.
func (s *Sealer) tag(b Binding, body []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	var n [8]byte
	for _, part := range []string{b.List, b.Owner} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		m.Write(n[:])
		m.Write([]byte(part))
	}
	m.Write(body)
	return m.Sum(nil)[:tagSize]
}

func invalid(reason error) *apperr.Error {
	return apperr.Invalid(apperr.Field("/cursor", "field.invalid", nil)).Wrap(reason)
}

// Limit reads ?limit=: empty is 0 (the list's default), otherwise a whole number 1..MaxLimit;
// anything else is a 422 on /limit.
func Limit(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' || i >= 3 {
			return 0, badLimit()
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > MaxLimit {
		return 0, badLimit()
	}
	return n, nil
}

func badLimit() error {
	return apperr.Invalid(apperr.Field("/limit", "field.out_of_range", map[string]any{"Min": 1, "Max": MaxLimit}))
}
