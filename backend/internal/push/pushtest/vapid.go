package pushtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// vapidClaims is what the fake service learned from a valid Authorization header.
type vapidClaims struct {
	Subject   string
	Audience  string
	Expires   time.Time
	PublicKey string // k, base64url
	Token     string // t, the JWT
}

// verifyVAPID checks "vapid t=<JWT>, k=<key>" per RFC 8292 without a JWT library: ES256 over
// header.payload with k, aud equal to the endpoint's origin, exp in the future and at most
// 24 hours ahead, sub a mailto: or https: URI.
func verifyVAPID(header, origin string, now time.Time) (vapidClaims, error) {
	scheme, params, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "vapid") {
		return vapidClaims{}, fmt.Errorf("authorization scheme %q, want vapid", scheme)
	}
	var token, key string
	for _, p := range strings.Split(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch name {
		case "t":
			token = value
		case "k":
			key = value
		}
	}
	if token == "" || key == "" {
		return vapidClaims{}, errors.New("authorization lacks t= or k=")
	}
	keyBytes, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(key, "="))
	if err != nil {
		return vapidClaims{}, fmt.Errorf("k: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), keyBytes)
	if err != nil {
		return vapidClaims{}, fmt.Errorf("k: %w", err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return vapidClaims{}, errors.New("t is not a compact JWS")
	}
	var head struct{ Alg, Typ string }
	if err := decodeSegment(parts[0], &head); err != nil || head.Alg != "ES256" {
		return vapidClaims{}, fmt.Errorf("jwt header alg %q, want ES256 (%v)", head.Alg, err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return vapidClaims{}, errors.New("jwt signature is not 64 bytes of r||s")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return vapidClaims{}, errors.New("jwt signature does not verify with k")
	}
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return vapidClaims{}, fmt.Errorf("jwt claims: %w", err)
	}
	exp := time.Unix(claims.Exp, 0)
	switch {
	case claims.Aud != origin:
		return vapidClaims{}, fmt.Errorf("aud %q, want %q", claims.Aud, origin)
	case !exp.After(now):
		return vapidClaims{}, fmt.Errorf("exp %v is not in the future", exp)
	case exp.After(now.Add(24 * time.Hour)):
		return vapidClaims{}, fmt.Errorf("exp %v is more than 24 h ahead", exp)
	case !strings.HasPrefix(claims.Sub, "mailto:") && !strings.HasPrefix(claims.Sub, "https:"):
		return vapidClaims{}, fmt.Errorf("sub %q is neither mailto: nor https:", claims.Sub)
	case strings.HasPrefix(claims.Sub, "mailto:mailto:"):
		return vapidClaims{}, fmt.Errorf("sub %q has a doubled scheme (Apple answers 403 BadJwtToken)", claims.Sub)
	}
	return vapidClaims{Subject: claims.Sub, Audience: claims.Aud, Expires: exp,
		PublicKey: base64.RawURLEncoding.EncodeToString(keyBytes), Token: token}, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
