package doors

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

var (
	testKey  = bytes.Repeat([]byte("k"), 32)
	testDoor = Door{AccessPointID: "0190a0a0-0000-7000-8000-000000000001", ExternalID: "front"}
)

// testPrivate is the key NewIssuer signs with for testKey, for hand-signed tokens.
var testPrivate = deriveSigningKey(testKey)

// handSigned signs arbitrary claims, for tokens the Issuer would never make.
func handSigned(t *testing.T, alg jose.SignatureAlgorithm, key any, c Claims) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyToken(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	issuer, err := NewIssuer(testKey, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	good, claims, err := issuer.Issue("key-1", testDoor, now)
	if err != nil {
		t.Fatal(err)
	}
	if !testPrivate.Public().(ed25519.PublicKey).Equal(issuer.PublicKey()) {
		t.Fatal("the hand-signing key is not the issuer's")
	}
	_, strangerKey, _ := ed25519.GenerateKey(rand.Reader)
	longLived := claims
	longLived.Expiry = jwt.NewNumericDate(now.Add(5 * time.Minute))
	noJTI := claims
	noJTI.ID = ""
	tests := []struct {
		name  string
		token string
		door  string
		at    time.Time
		ok    bool
	}{
		{"valid", good, testDoor.AccessPointID, now.Add(29 * time.Second), true},
		{"valid, by the agency's door id", good, "front", now, true},
		{"another door of the agency", good, "back", now, false},
		{"wrong door (aud)", good, "0190a0a0-0000-7000-8000-000000000002", now, false},
		{"expired", good, testDoor.AccessPointID, now.Add(31 * time.Second), false},
		{"not yet valid", good, testDoor.AccessPointID, now.Add(-time.Minute), false},
		{"signed with another key", handSigned(t, jose.EdDSA, strangerKey, claims), testDoor.AccessPointID, now, false},
		{"HMAC with the configured secret", handSigned(t, jose.HS256, testKey, claims), testDoor.AccessPointID, now, false},
		{"HMAC with the public key as secret", handSigned(t, jose.HS256, []byte(issuer.PublicKey()), claims), testDoor.AccessPointID, now, false},
		{"lives longer than a minute", handSigned(t, jose.EdDSA, testPrivate, longLived), testDoor.AccessPointID, now, false},
		{"no jti", handSigned(t, jose.EdDSA, testPrivate, noJTI), testDoor.AccessPointID, now, false},
		{"garbage", "not.a.token", testDoor.AccessPointID, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := VerifyToken([]ed25519.PublicKey{issuer.PublicKey()}, tt.token, tt.door, tt.at)
			if tt.ok {
				if err != nil || c.Subject != "key-1" || c.ID != claims.ID || c.Door != "front" {
					t.Fatalf("VerifyToken = %+v, %v", c, err)
				}
				return
			}
			if !errors.Is(err, ErrTokenRefused) {
				t.Fatalf("VerifyToken = %v, want ErrTokenRefused", err)
			}
		})
	}
}

func TestIssuerCapsLifetimeAndMakesUniqueIDs(t *testing.T) {
	if _, err := NewIssuer([]byte("short"), 0); err == nil {
		t.Fatal("a short key was accepted")
	}
	issuer, err := NewIssuer(testKey, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	_, a, _ := issuer.Issue("k", testDoor, now)
	_, b, _ := issuer.Issue("k", testDoor, now)
	if a.ID == b.ID {
		t.Fatal("two tokens share a jti")
	}
	if ttl := a.Expiry.Time().Sub(a.IssuedAt.Time()); ttl != MaxTokenTTL {
		t.Fatalf("ttl = %s, want capped at %s", ttl, MaxTokenTTL)
	}
}

func TestSimulatedLockRefusesReplaysAcrossReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		issuer, _ := NewIssuer(testKey, 30*time.Second)
		token, _, err := issuer.Issue("key-1", testDoor, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		replicaA, replicaB := NewSimulatedLock(db, issuer.PublicKey(), nil), NewSimulatedLock(db, issuer.PublicKey(), nil)
		// The same token presented at once on two replicas: exactly one door opening.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			lock := replicaA
			if i%2 == 1 {
				lock = replicaB
			}
			wg.Go(func() { errs[i] = lock.Open(ctx, testDoor, token) })
		}
		wg.Wait()
		opened := 0
		for _, err := range errs {
			switch {
			case err == nil:
				opened++
			case !errors.Is(err, ErrTokenRefused):
				t.Fatalf("replay answered %v, want ErrTokenRefused", err)
			}
		}
		if opened != 1 || replicaA.Opened()+replicaB.Opened() != 1 {
			t.Fatalf("the token opened %d times", opened)
		}
	})
}

func TestSimulatedLockOutage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		issuer, _ := NewIssuer(testKey, 30*time.Second)
		lock := NewSimulatedLock(db, issuer.PublicKey(), nil)
		lock.SetDown(true)
		token, _, _ := issuer.Issue("key-1", testDoor, time.Now())
		if err := lock.Open(context.Background(), testDoor, token); !errors.Is(err, ErrLockUnavailable) {
			t.Fatalf("Open while down = %v", err)
		}
		lock.SetDown(false)
		if err := lock.Open(context.Background(), testDoor, token); err != nil {
			t.Fatalf("Open after the outage = %v (the token was not used while down)", err)
		}
	})
}
