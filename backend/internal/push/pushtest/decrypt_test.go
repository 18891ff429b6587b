package pushtest

import (
	"crypto/ecdh"
	"encoding/base64"
	"strings"
	"testing"
)

// RFC 8291 Appendix A: the receiver's keys and the exact body a sender produced.
const (
	rfcUAPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
	rfcAuth      = "BTBZMqHH6r4Tts7J_aSIgg"
	rfcBody      = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
	rfcPlain     = "When I grow up, I want to be a watermelon"
)

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecryptRFC8291Vector(t *testing.T) {
	priv, err := ecdh.P256().NewPrivateKey(b64(t, rfcUAPrivate))
	if err != nil {
		t.Fatal(err)
	}
	auth := b64(t, rfcAuth)
	tamper := func(i int) []byte { b := b64(t, rfcBody); b[i] ^= 1; return b }
	tests := []struct {
		name string
		body []byte
		auth []byte
		err  string
	}{
		{"vector", b64(t, rfcBody), auth, ""},
		{"ciphertext flipped", tamper(len(b64(t, rfcBody)) - 20), auth, "aes-gcm"},
		{"salt flipped", tamper(3), auth, "aes-gcm"},
		{"sender key flipped", tamper(60), auth, ""}, // either off the curve or a wrong key: refused
		{"wrong auth secret", b64(t, rfcBody), make([]byte, 16), "aes-gcm"},
		{"idlen", func() []byte { b := b64(t, rfcBody); b[20] = 33; return b }(), auth, "idlen"},
		{"record size below body", func() []byte { b := b64(t, rfcBody); b[18], b[19] = 0, 40; return b }(), auth, "more than one"},
		{"truncated", b64(t, rfcBody)[:90], auth, "shorter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decrypt(tt.body, priv, tt.auth)
			if tt.name == "vector" {
				if err != nil || string(got.Plaintext) != rfcPlain || got.RecordSize != 4096 {
					t.Fatalf("got %q rs=%d err=%v", got.Plaintext, got.RecordSize, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("want error containing %q, got %v", tt.err, err)
			}
		})
	}
}
