package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers (standardwebhooks.com), which agency developers can verify with
// any of that project's libraries.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

const secretPrefix = "whsec_"

// Verification errors, for receivers that want to tell them apart.
var (
	ErrMissingHeaders  = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature")
	ErrBadTimestamp    = errors.New("webhook: timestamp outside the tolerance")
	ErrNoMatchingSig   = errors.New("webhook: no matching signature")
	ErrMalformedSecret = errors.New("webhook: secret is not whsec_ followed by base64")
)

// DefaultTolerance is how far a webhook-timestamp may be from the receiver's clock.
const DefaultTolerance = 5 * time.Minute

// GenerateSecret makes a new signing secret for an agency, "whsec_" and 32 random bytes in base64.
// It is shown to the agency once and stored as is.
func GenerateSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook: random: %w", err)
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// secretKey decodes the part after "whsec_" (the prefix is optional, as in the reference libraries).
func secretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) == 0 {
		return nil, ErrMalformedSecret
	}
	return key, nil
}

// Sign returns the webhook-signature value "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>".
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, strconv.FormatInt(ts.Unix(), 10), body)), nil
}

func mac(key []byte, id, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a received webhook: the signature over the raw body (before any JSON parsing) and
// a timestamp within tolerance of the receiver's clock (replays of old deliveries fail). It accepts
// any of several space-separated signatures, as sent during a secret rotation. Receivers should
// then dedupe on webhook-id: a delivery may come more than once.
func Verify(secret string, headers http.Header, body []byte, tolerance time.Duration) error {
	return VerifyAt(secret, headers, body, tolerance, time.Now())
}

// VerifyAt is Verify with the receiver's clock given.
func VerifyAt(secret string, headers http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	id, tsText, sigs := headers.Get(HeaderID), headers.Get(HeaderTimestamp), headers.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return ErrMissingHeaders
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrBadTimestamp
	}
	key, err := secretKey(secret)
	if err != nil {
		return err
	}
	want := mac(key, id, tsText, body)
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && subtle.ConstantTimeCompare(got, want) == 1 {
			return nil
		}
	}
	return ErrNoMatchingSig
}
