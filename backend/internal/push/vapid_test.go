package push

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateVAPIDKeys(t *testing.T) {
	k, err := GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := base64.RawURLEncoding.Strict().DecodeString(k.PublicKey)
	if err != nil || len(pub) != 65 || pub[0] != 4 {
		t.Fatalf("public key %q is not raw base64url of an uncompressed point", k.PublicKey)
	}
	priv, err := base64.RawURLEncoding.Strict().DecodeString(k.PrivateKey)
	if err != nil || len(priv) != 32 {
		t.Fatalf("private key is not raw base64url of 32 bytes")
	}
	if _, err := ParseVAPIDKeys(k.PublicKey, k.PrivateKey); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
		if strings.Contains(s, k.PrivateKey) {
			t.Fatalf("formatting leaks the private key: %s", s)
		}
	}
}

func TestParseVAPIDKeys(t *testing.T) {
	a, _ := GenerateVAPIDKeys()
	b, _ := GenerateVAPIDKeys()
	padded := base64.URLEncoding.EncodeToString(mustDecode(t, a.PublicKey))
	tests := []struct {
		name, pub, priv string
		ok              bool
	}{
		{"pair", a.PublicKey, a.PrivateKey, true},
		{"padded public", padded, a.PrivateKey, true},
		{"mismatched", b.PublicKey, a.PrivateKey, false},
		{"missing private", a.PublicKey, "", false},
		{"garbage", "abc", "def", false},
		{"zero scalar", a.PublicKey, base64.RawURLEncoding.EncodeToString(make([]byte, 32)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseVAPIDKeys(tt.pub, tt.priv)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && k.PublicKey != a.PublicKey {
				t.Fatalf("not canonical: %q", k.PublicKey)
			}
		})
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadOrGenerateVAPIDKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "vapid.json")
	first, created, err := LoadOrGenerateVAPIDKeys(path)
	if err != nil || !created {
		t.Fatalf("first call: created=%v err=%v", created, err)
	}
	again, created, err := LoadOrGenerateVAPIDKeys(path)
	if err != nil || created || again != first {
		t.Fatalf("second call must load the same keys: created=%v err=%v", created, err)
	}
}

func TestParseSubject(t *testing.T) {
	tests := []struct {
		in, claim string // claim "" means refused
	}{
		{"mailto:ops@example.no", "mailto:ops@example.no"},
		{"MAILTO:ops@kommune.no", "mailto:ops@kommune.no"},
		{"https://kommune.no/kontakt", "https://kommune.no/kontakt"},
		{"ops@example.no", ""},
		{"mailto:ops@localhost", ""},
		{"mailto:ops@minside.local", ""},
		{"mailto:ops@10.0.0.1", ""},
		{"mailto:Ops <ops@example.no>", ""},
		{"mailto:ops@example.no?subject=x", ""},
		{"mailto:mailto:ops@example.no", ""},
		{"http://kommune.no", ""},
		{"https://localhost/x", ""},
		{"https://user@kommune.no/", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := ParseSubject(tt.in)
			if tt.claim == "" {
				if err == nil {
					t.Fatalf("accepted as %q", s)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.String() != tt.claim {
				t.Fatalf("claim %q, want %q", s.String(), tt.claim)
			}
		})
	}
}
