package push

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

const (
	// vapidTokenLifetime is the exp of each VAPID JWT. RFC 8292 allows up to 24 hours; half of
	// that leaves room for a push service whose clock runs ahead of ours.
	vapidTokenLifetime = 12 * time.Hour
	// vapidTokenRenewal is when a cached token is replaced: an hour before it expires, so a
	// request in flight (or a slow clock at the service) never carries an expired one.
	vapidTokenRenewal = 11 * time.Hour
	// maxCachedAudiences bounds the cache. Nearly every send goes to a handful of push services;
	// the allow-list's wildcard entries (*.notify.windows.com) could name more, so past this
	// many origins the cache starts over rather than grow.
	maxCachedAudiences = 1024
)

// jwtHeader is the base64url of {"typ":"JWT","alg":"ES256"}, the same for every token.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`))

// vapidSigner makes the Authorization header of RFC 8292: "vapid t=<JWT>, k=<public key>". It
// signs one ES256 JWT per push-service origin (the aud claim) and reuses it until
// vapidTokenRenewal has passed: a signature costs more than the rest of a send's crypto.
// It is safe for concurrent use.
type vapidSigner struct {
	key        *ecdsa.PrivateKey
	keyParam   string // ", k=<base64url public key>"
	subject    string // the sub claim
	now        func() time.Time
	mu         sync.Mutex
	byAudience map[string]vapidToken
}

type vapidToken struct {
	authorization string
	renewAt       time.Time
}

func newVAPIDSigner(keys VAPIDKeys, subject Subject, now func() time.Time) (*vapidSigner, error) {
	raw, err := decodeBase64URL(keys.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("push: vapid private key: %w", err)
	}
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw)
	if err != nil {
		return nil, fmt.Errorf("push: vapid private key: %w", err)
	}
	return &vapidSigner{key: key, keyParam: ", k=" + keys.PublicKey, subject: subject.String(), now: now,
		byAudience: map[string]vapidToken{}}, nil
}

// authorization is the header value for a request to audience, a push service's origin
// ("https://fcm.googleapis.com").
func (v *vapidSigner) authorization(audience string) (string, error) {
	now := v.now()
	v.mu.Lock()
	defer v.mu.Unlock()
	if t, ok := v.byAudience[audience]; ok && now.Before(t.renewAt) {
		return t.authorization, nil
	}
	jwt, err := v.sign(audience, now.Add(vapidTokenLifetime))
	if err != nil {
		return "", err
	}
	if len(v.byAudience) >= maxCachedAudiences {
		clear(v.byAudience)
	}
	t := vapidToken{authorization: "vapid t=" + jwt + v.keyParam, renewAt: now.Add(vapidTokenRenewal)}
	v.byAudience[audience] = t
	return t.authorization, nil
}

// sign makes a compact JWS: base64url(header) . base64url(claims) . base64url(r ‖ s).
func (v *vapidSigner) sign(audience string, expires time.Time) (string, error) {
	claims, err := json.Marshal(struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}{audience, expires.Unix(), v.subject})
	if err != nil {
		return "", fmt.Errorf("push: vapid claims: %w", err)
	}
	signing := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, v.key, digest[:])
	if err != nil {
		return "", fmt.Errorf("push: vapid sign: %w", err)
	}
	var sig [64]byte // JWS ES256 wants the two 32-byte integers, not ASN.1
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig[:]), nil
}
