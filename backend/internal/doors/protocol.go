package doors

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"time"
)

// The lock-adapter protocol (docs/lock-adapter.md): the portal POSTs a door token to
// <adapter>/doors/<door>/open as "Authorization: Bearer <token>"; the adapter answers with an
// Answer, and polls GET <adapter>/manifest for a Manifest. Both answers are signed by the
// adapter's Ed25519 key: SignatureHeader carries the base64url signature of the exact body bytes,
// so the portal believes "opened" only from the lock it configured.
const (
	SignatureHeader = "Lock-Signature"
	OpenPath        = "/doors/{door}/open"
	ManifestPath    = "/manifest"
)

// What an adapter may answer to an open request.
const (
	AnswerOpened      = "opened"      // the door is open (200)
	AnswerDenied      = "denied"      // the token is not good here: signature, door, time, replay (403)
	AnswerUnavailable = "unavailable" // a temporary fault: the lock is offline, busy (503)
	AnswerError       = "error"       // a permanent fault the operator must fix: unknown door, wiring (500)
)

// Answer is the body of an adapter's reply to an open request. JTI and Door repeat the token's,
// binding the signed answer to this one request.
type Answer struct {
	Result string `json:"result"`
	JTI    string `json:"jti"`
	Door   string `json:"door"`
	Reason string `json:"reason,omitempty"` // for the operator's log; never shown to a citizen
}

// Door states in a manifest.
const (
	DoorOK     = "ok"
	DoorBroken = "out_of_order"
)

// Manifest is what an adapter serves at ManifestPath: its doors and their state, signed, and when
// it said so (the portal refuses a manifest older than ManifestMaxAge: an old "all is well"
// replayed by a middlebox must not hide an outage).
type Manifest struct {
	At    time.Time      `json:"at"`
	Doors []ManifestDoor `json:"doors"`
}

// ManifestDoor is one door an adapter drives, by the agency's external id.
type ManifestDoor struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// ManifestMaxAge is how far a manifest's At may be from the portal's clock.
const ManifestMaxAge = 5 * time.Minute

// SignBody signs an answer body for SignatureHeader.
func SignBody(key ed25519.PrivateKey, body []byte) string {
	return base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, body))
}

// VerifyBody reports whether header is key's signature of body.
func VerifyBody(key ed25519.PublicKey, body []byte, header string) bool {
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(header), "="))
	return err == nil && len(key) == ed25519.PublicKeySize && ed25519.Verify(key, body, sig)
}

// ErrBadPublicKey: the text is not an Ed25519 public key.
var ErrBadPublicKey = errors.New("doors: not an Ed25519 public key (base64 of 32 bytes, or PEM)")

// ParsePublicKey reads an Ed25519 public key written as base64 (standard or URL alphabet, with or
// without padding) of its 32 bytes, or as a PEM "PUBLIC KEY" block.
func ParsePublicKey(text string) (ed25519.PublicKey, error) {
	text = strings.TrimSpace(text)
	if block, _ := pem.Decode([]byte(text)); block != nil {
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if pub, ok := k.(ed25519.PublicKey); err == nil && ok {
			return pub, nil
		}
		return nil, ErrBadPublicKey
	}
	raw := strings.NewReplacer("+", "-", "/", "_").Replace(strings.TrimRight(text, "="))
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, ErrBadPublicKey
	}
	return ed25519.PublicKey(b), nil
}

// EncodePublicKey writes key as ParsePublicKey reads it (base64url, no padding).
func EncodePublicKey(key ed25519.PublicKey) string {
	return base64.RawURLEncoding.EncodeToString(key)
}
