package push

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"testing"
)

// TestSealReproducesRFC8291Example encrypts the worked example of RFC 8291 Appendix A with its
// sender key pair and salt and must produce its body byte for byte (record size 4096, no padding).
func TestSealReproducesRFC8291Example(t *testing.T) {
	b64 := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const (
		plaintext = "When I grow up, I want to be a watermelon"
		asPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
		uaPublic  = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
		auth      = "BTBZMqHH6r4Tts7J_aSIgg"
		salt      = "DGv6ra1nlYgDCS1FRnbzlw"
		body      = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
	)
	as, err := ecdh.P256().NewPrivateKey(b64(asPrivate))
	if err != nil {
		t.Fatal(err)
	}
	got, err := seal([]byte(plaintext), b64(uaPublic), b64(auth), as, b64(salt), 4096, len(plaintext)+1)
	if err != nil {
		t.Fatal(err)
	}
	if want := b64(body); !bytes.Equal(got, want) {
		t.Fatalf("body\n%s\nwant\n%s", base64.RawURLEncoding.EncodeToString(got), body)
	}
}

func TestEncryptPadsToOneFullRecord(t *testing.T) {
	ua, _ := ecdh.P256().GenerateKey(rand.Reader)
	auth := bytes.Repeat([]byte{7}, 16)
	for _, n := range []int{0, 1, 100, maxRecordPayload} {
		got, err := encrypt(make([]byte, n), ua.PublicKey().Bytes(), auth)
		if err != nil || len(got) != RecordSize {
			t.Fatalf("%d-byte payload: body of %d bytes, %v; want %d", n, len(got), err, RecordSize)
		}
	}
	if _, err := encrypt(make([]byte, maxRecordPayload+1), ua.PublicKey().Bytes(), auth); !errors.Is(err, ErrPayloadTooLarge) {
		t.Fatalf("one byte over a record: %v", err)
	}
	offCurve := append([]byte{4}, make([]byte, 64)...)
	if _, err := encrypt([]byte("{}"), offCurve, auth); !errors.Is(err, errNotEncryptable) {
		t.Fatalf("p256dh off the curve: %v", err)
	}
}
