package pushtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func signJWT(t *testing.T, key *ecdsa.PrivateKey, alg string, claims map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": alg})
	body, _ := json.Marshal(claims)
	signing := enc.EncodeToString(head) + "." + enc.EncodeToString(body)
	digest := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signing + "." + enc.EncodeToString(sig)
}

func TestVerifyVAPID(t *testing.T) {
	now := time.Now()
	origin := "https://127.0.0.1:4443"
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := key.PublicKey.Bytes()
	k := base64.RawURLEncoding.EncodeToString(pub)
	claims := func(aud string, exp time.Time, sub string) map[string]any {
		return map[string]any{"aud": aud, "exp": exp.Unix(), "sub": sub}
	}
	good := claims(origin, now.Add(12*time.Hour), "mailto:ops@example.no")
	tests := []struct {
		name   string
		header string
		err    string
	}{
		{"valid", "vapid t=" + signJWT(t, key, "ES256", good) + ", k=" + k, ""},
		{"https subject", "vapid t=" + signJWT(t, key, "ES256", claims(origin, now.Add(time.Hour), "https://kommune.no/")) + ", k=" + k, ""},
		{"signed by another key", "vapid t=" + signJWT(t, other, "ES256", good) + ", k=" + k, "does not verify"},
		{"wrong audience", "vapid t=" + signJWT(t, key, "ES256", claims("https://127.0.0.1:1", now.Add(time.Hour), "mailto:a@b.no")) + ", k=" + k, "aud"},
		{"expired", "vapid t=" + signJWT(t, key, "ES256", claims(origin, now.Add(-time.Minute), "mailto:a@b.no")) + ", k=" + k, "future"},
		{"over 24 h", "vapid t=" + signJWT(t, key, "ES256", claims(origin, now.Add(25*time.Hour), "mailto:a@b.no")) + ", k=" + k, "24 h"},
		{"doubled mailto", "vapid t=" + signJWT(t, key, "ES256", claims(origin, now.Add(time.Hour), "mailto:mailto:a@b.no")) + ", k=" + k, "doubled"},
		{"bare address", "vapid t=" + signJWT(t, key, "ES256", claims(origin, now.Add(time.Hour), "a@b.no")) + ", k=" + k, "neither"},
		{"other alg", "vapid t=" + signJWT(t, key, "ES384", good) + ", k=" + k, "ES256"},
		{"old webpush scheme", "WebPush " + signJWT(t, key, "ES256", good), "scheme"},
		{"no key", "vapid t=" + signJWT(t, key, "ES256", good), "lacks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := verifyVAPID(tt.header, origin, now)
			if tt.err == "" {
				if err != nil || c.Audience != origin || c.PublicKey != k {
					t.Fatalf("claims %+v, err %v", c, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("want error containing %q, got %v", tt.err, err)
			}
		})
	}
}
