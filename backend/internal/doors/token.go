package doors

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"minside/backend/internal/store"
)

// TokenIssuer is the "iss" of door tokens.
const TokenIssuer = "minside"

// MaxTokenTTL is the longest a door token may live: long enough to reach the lock, too short to be
// worth stealing.
const MaxTokenTTL = 60 * time.Second

// ErrTokenRefused: the lock refused the token (bad signature, wrong door, expired, replayed).
var ErrTokenRefused = errors.New("doors: token refused")

// Claims are what a door token says: key Subject may open door Audience until Expiry, once (ID).
// The audience names the door twice: the portal's access point id, and the agency's external id
// of the door (Door), which is the only id a lock adapter knows.
type Claims struct {
	jwt.Claims
	// Door is the agency's external id of the access point, for lock systems that know only their own ids.
	Door string `json:"door,omitempty"`
}

// Issuer signs door tokens (JWT, EdDSA with Ed25519). The signing key is derived from the
// configured secret (MINSIDE_DOOR_TOKEN_KEY), so every replica signs with the same key, and lock
// adapters verify with the public half only: no secret is shared with a lock vendor.
type Issuer struct {
	signer jose.Signer
	public ed25519.PublicKey
	kid    string
	ttl    time.Duration
}

// NewIssuer builds an issuer; secret must be at least 32 bytes, ttl is capped at MaxTokenTTL (zero: 30 s).
func NewIssuer(secret []byte, ttl time.Duration) (*Issuer, error) {
	if len(secret) < 32 {
		return nil, errors.New("doors: the door token key must be at least 32 bytes")
	}
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	private := deriveSigningKey(secret)
	public := private.Public().(ed25519.PublicKey)
	kid := KeyID(public)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: private, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("doors: signer: %w", err)
	}
	return &Issuer{signer: signer, public: public, kid: kid, ttl: min(ttl, MaxTokenTTL)}, nil
}

// deriveSigningKey turns the configured secret into the Ed25519 signing key; the label keeps it
// apart from anything else ever derived from the same secret.
func deriveSigningKey(secret []byte) ed25519.PrivateKey {
	seed := sha256.Sum256(append([]byte("minside door token ed25519 v1\x00"), secret...))
	return ed25519.NewKeyFromSeed(seed[:])
}

// PublicKey is the key lock adapters verify door tokens with.
func (i *Issuer) PublicKey() ed25519.PublicKey { return i.public }

// JWKS is the public key as a JSON Web Key Set, the form a lock adapter can fetch or be given.
func (i *Issuer) JWKS() ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: i.public, KeyID: i.kid, Algorithm: string(jose.EdDSA), Use: "sig"}}}
	return json.MarshalIndent(set, "", "  ")
}

// KeyID names an Ed25519 public key: the first 12 bytes of its SHA-256, base64url.
func KeyID(public ed25519.PublicKey) string {
	sum := sha256.Sum256(public)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// Issue signs a single-use token for key keyID at door (aud = the portal's access point id and
// the agency's door id).
func (i *Issuer) Issue(keyID string, door Door, now time.Time) (token string, claims Claims, err error) {
	now = now.UTC().Truncate(time.Second)
	aud := jwt.Audience{door.AccessPointID}
	if door.ExternalID != "" {
		aud = append(aud, door.ExternalID)
	}
	claims = Claims{
		Claims: jwt.Claims{
			Issuer:    TokenIssuer,
			Subject:   keyID,
			Audience:  aud,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			Expiry:    jwt.NewNumericDate(now.Add(i.ttl)),
			ID:        store.NewID(),
		},
		Door: door.ExternalID,
	}
	token, err = jwt.Signed(i.signer).Claims(claims).Serialize()
	if err != nil {
		return "", Claims{}, fmt.Errorf("doors: sign token: %w", err)
	}
	return token, claims, nil
}

// VerifyToken checks a door token as a lock must: EdDSA signature by one of keys (the portal's
// public keys; more than one while a key is rotated), issuer, audience contains door (the
// portal's access point id or the agency's door id), not expired, not issued for longer than
// MaxTokenTTL, and a jti. It does not check replay: that needs the lock's memory of used ids.
func VerifyToken(keys []ed25519.PublicKey, token, door string, now time.Time) (Claims, error) {
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return Claims{}, fmt.Errorf("%w: malformed", ErrTokenRefused)
	}
	var c Claims
	verified := false
	for _, k := range keys {
		if err := parsed.Claims(k, &c); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return Claims{}, fmt.Errorf("%w: bad signature", ErrTokenRefused)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: TokenIssuer, AnyAudience: jwt.Audience{door}, Time: now}, 0); err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrTokenRefused, err)
	}
	switch {
	case c.ID == "" || c.Subject == "":
		return Claims{}, fmt.Errorf("%w: no jti or sub", ErrTokenRefused)
	case c.Expiry == nil || c.IssuedAt == nil || c.Expiry.Time().Sub(c.IssuedAt.Time()) > MaxTokenTTL:
		return Claims{}, fmt.Errorf("%w: lifetime over %s", ErrTokenRefused, MaxTokenTTL)
	}
	return c, nil
}
