package doors

import (
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
type Claims struct {
	jwt.Claims
	// Door is the agency's external id of the access point, for lock systems that know only their own ids.
	Door string `json:"door,omitempty"`
}

// Issuer signs door tokens (JWT, HS256) with the key shared with the agency's lock adapter.
type Issuer struct {
	signer jose.Signer
	ttl    time.Duration
}

// NewIssuer builds an issuer; key must be at least 32 bytes, ttl is capped at MaxTokenTTL (zero: 30 s).
func NewIssuer(key []byte, ttl time.Duration) (*Issuer, error) {
	if len(key) < 32 {
		return nil, errors.New("doors: the door token key must be at least 32 bytes")
	}
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("doors: signer: %w", err)
	}
	return &Issuer{signer: signer, ttl: min(ttl, MaxTokenTTL)}, nil
}

// Issue signs a single-use token for key keyID at door (aud = the portal's access point id).
func (i *Issuer) Issue(keyID string, door Door, now time.Time) (token string, claims Claims, err error) {
	now = now.UTC().Truncate(time.Second)
	claims = Claims{
		Claims: jwt.Claims{
			Issuer:    TokenIssuer,
			Subject:   keyID,
			Audience:  jwt.Audience{door.AccessPointID},
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

// VerifyToken checks a door token as a lock must: HS256 signature with key, issuer, audience =
// the door's access point id, not expired, not issued for longer than MaxTokenTTL, and a jti.
// It does not check replay: that needs the lock's memory of used ids (see SimulatedLock).
func VerifyToken(key []byte, token, accessPointID string, now time.Time) (Claims, error) {
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return Claims{}, fmt.Errorf("%w: malformed", ErrTokenRefused)
	}
	var c Claims
	if err := parsed.Claims(key, &c); err != nil {
		return Claims{}, fmt.Errorf("%w: bad signature", ErrTokenRefused)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: TokenIssuer, AnyAudience: jwt.Audience{accessPointID}, Time: now}, 0); err != nil {
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
