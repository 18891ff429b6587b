package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"minside/backend/internal/apperr"
)

// FuzzParseSubscription: no body makes the parser panic or fail with anything but a 400, 413 or
// 422 *apperr.Error, and an accepted subscription, posted again in the form the PWA posts it,
// parses to the same thing.
func FuzzParseSubscription(f *testing.F) {
	scalar := make([]byte, 32)
	scalar[31] = 1 // a fixed key keeps the corpus reproducible
	priv, err := ecdh.P256().NewPrivateKey(scalar)
	if err != nil {
		f.Fatal(err)
	}
	raw := base64.RawURLEncoding
	p256dh, auth := raw.EncodeToString(priv.PublicKey().Bytes()), raw.EncodeToString(make([]byte, 16))
	good := `{"endpoint":"https://fcm.googleapis.com/fcm/send/abc","expirationTime":null,"keys":{"p256dh":"` + p256dh + `","auth":"` + auth + `"},"label":"Telefonen min"}`
	for _, s := range []string{
		good,
		strings.Replace(good, "Telefonen min", `Telefonen\u0000`, 1),
		strings.Replace(good, "Telefonen min", `Telefon\u202enim`, 1),
		strings.Replace(good, "Telefonen min", `Tele\ud800fon`, 1),
		strings.Replace(good, "Telefonen min", `\u200b`, 1),
		strings.Replace(good, `{"endpoint"`, `{"endpoint":"https://evil.example/","endpoint"`, 1),
		strings.Replace(good, `"keys":{`, `"keys":{"auth":"AAAA",`, 1),
		strings.Replace(good, "null", "1893456000000", 1),
		strings.Replace(good, "null", "-1", 1),
		good + "{}",
		`{"endpoint":"https://fcm.googleapis.com/\u0000"}`,
		"null", "[]", "",
	} {
		f.Add([]byte(s))
	}
	allow := DefaultAllowList()
	if _, err := ParseSubscription([]byte(good), allow); err != nil {
		f.Fatalf("the good seed is refused: %v", err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sub, err := ParseSubscription(body, allow)
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || (e.Code != apperr.CodeInvalid && e.Code != apperr.CodeBadRequest && e.Code != apperr.CodeTooLarge) {
				t.Fatalf("refusal is not a 400, 413 or 422 *apperr.Error: %v", err)
			}
			return
		}
		in := SubscriptionJSON{Endpoint: sub.Endpoint, Keys: SubscriptionKeys{P256dh: sub.P256dh, Auth: sub.Auth}, Label: sub.Label}
		if !sub.ExpirationTime.IsZero() {
			ms := float64(sub.ExpirationTime.UnixMilli())
			in.ExpirationTime = &ms
		}
		again, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		sub2, err := ParseSubscription(again, allow)
		if err != nil {
			t.Fatalf("an accepted subscription does not parse again: %v\n%s", err, again)
		}
		if !sub2.ExpirationTime.Equal(sub.ExpirationTime) {
			t.Fatalf("expiration %v → %v", sub.ExpirationTime, sub2.ExpirationTime)
		}
		sub2.ExpirationTime = sub.ExpirationTime
		if sub2 != sub {
			t.Fatalf("not stable:\n%+v\n%+v", sub, sub2)
		}
		if strings.ContainsRune(sub.Label, 0) {
			t.Fatalf("accepted a NUL in the label: %q", sub.Label)
		}
	})
}
