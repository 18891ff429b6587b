package push

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"minside/backend/internal/apperr"
)

func testKeys(t *testing.T) (p256dh, auth []byte) {
	t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth = make([]byte, 16)
	_, _ = rand.Read(auth)
	return priv.PublicKey().Bytes(), auth
}

func body(endpoint, p256dh, auth string) []byte {
	b, _ := json.Marshal(map[string]any{"endpoint": endpoint, "expirationTime": nil,
		"keys": map[string]string{"p256dh": p256dh, "auth": auth}})
	return b
}

func TestParseSubscription(t *testing.T) {
	pub, auth := testKeys(t)
	raw := base64.RawURLEncoding
	p, a := raw.EncodeToString(pub), raw.EncodeToString(auth)
	offCurve := append([]byte{4}, make([]byte, 64)...)
	offCurve[64] = 1
	allow := MustParseAllowList("default,127.0.0.1:8443,push.kommune.no:443")

	tests := []struct {
		name     string
		endpoint string
		p256dh   string
		auth     string
		pointer  string // "" means accepted
		key      string
	}{
		{"fcm", "https://fcm.googleapis.com/fcm/send/abc:APA91b", p, a, "", ""},
		{"mozilla", "https://updates.push.services.mozilla.com/wpush/v2/gAAAA", p, a, "", ""},
		{"windows suffix", "https://wns2-db5p.notify.windows.com/w/?token=BQYAAA", p, a, "", ""},
		{"apple", "https://web.push.apple.com/QGuQyavXutnMH", p, a, "", ""},
		{"apple region", "https://api.push.apple.com/x", p, a, "", ""},
		{"explicit port 443 implied", "https://fcm.googleapis.com:443/x", p, a, "", ""},
		{"padded keys", "https://fcm.googleapis.com/x", base64.URLEncoding.EncodeToString(pub), base64.URLEncoding.EncodeToString(auth), "", ""},
		{"explicit test host", "https://127.0.0.1:8443/push/x", p, a, "", ""},
		{"explicit internal name", "https://push.kommune.no/x", p, a, "", ""},
		{"metadata via raw-url trick", "https://169.254.169.254/latest/meta-data/.apple.com/", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"host in path", "https://evil.example/x.google.com/", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"allowed name as prefix", "https://fcm.googleapis.com.evil.example/x", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"userinfo", "https://user:pw@fcm.googleapis.com/x", p, a, "/endpoint", "field.invalid_url"},
		{"userinfo hiding host", "https://fcm.googleapis.com@evil.example/x", p, a, "/endpoint", "field.invalid_url"},
		{"plain http", "http://fcm.googleapis.com/x", p, a, "/endpoint", "field.must_be_https"},
		{"other port", "https://fcm.googleapis.com:8443/x", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"explicit host other port", "https://127.0.0.1:9443/push/x", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"loopback not listed", "https://127.0.0.1/x", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"ipv6 literal", "https://[::1]/x", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"suffix needs a dot", "https://evilpush.apple.com/x", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"bare suffix domain", "https://push.apple.com/x", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"percent-encoded host", "https://fcm%2egoogleapis.com/x", p, a, "/endpoint", "field.invalid_url"},
		{"trailing dot", "https://fcm.googleapis.com./x", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"decimal ip", "https://2130706433/x", p, a, "/endpoint", "field.push_host_not_allowed"},
		{"not a url", "::nonsense", p, a, "/endpoint", "field.invalid_url"},
		{"relative", "/push/x", p, a, "/endpoint", "field.invalid_url"},
		{"missing endpoint", "", p, a, "/endpoint", "field.required"},
		{"too long", "https://fcm.googleapis.com/" + strings.Repeat("a", MaxEndpointLength), p, a, "/endpoint", "field.too_long"},
		{"p256dh not base64", "https://fcm.googleapis.com/x", "!!!", a, "/keys/p256dh", "field.invalid_key"},
		{"p256dh compressed", "https://fcm.googleapis.com/x", raw.EncodeToString(append([]byte{2}, pub[1:33]...)), a, "/keys/p256dh", "field.invalid_key"},
		{"p256dh off curve", "https://fcm.googleapis.com/x", raw.EncodeToString(offCurve), a, "/keys/p256dh", "field.invalid_key"},
		{"p256dh std alphabet", "https://fcm.googleapis.com/x", strings.NewReplacer("-", "+", "_", "/").Replace(p) + "+", a, "/keys/p256dh", "field.invalid_key"},
		{"p256dh missing", "https://fcm.googleapis.com/x", "", a, "/keys/p256dh", "field.required"},
		{"auth 15 bytes", "https://fcm.googleapis.com/x", p, raw.EncodeToString(auth[:15]), "/keys/auth", "field.invalid_key"},
		{"auth 17 bytes", "https://fcm.googleapis.com/x", p, raw.EncodeToString(append(auth, 1)), "/keys/auth", "field.invalid_key"},
		{"auth missing", "https://fcm.googleapis.com/x", p, "", "/keys/auth", "field.required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := ParseSubscription(body(tt.endpoint, tt.p256dh, tt.auth), allow)
			if tt.pointer == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if sub.Endpoint != tt.endpoint || sub.P256dh != p || sub.Auth != a {
					t.Fatalf("not canonical: %+v", sub)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.CodeInvalid {
				t.Fatalf("want invalid *apperr.Error, got %v", err)
			}
			for _, f := range e.Fields {
				if f.Pointer == tt.pointer && f.Key == tt.key {
					return
				}
			}
			t.Fatalf("want %s %s, got %v", tt.pointer, tt.key, e.Fields)
		})
	}
}

func TestParseSubscriptionBody(t *testing.T) {
	pub, auth := testKeys(t)
	p, a := base64.RawURLEncoding.EncodeToString(pub), base64.RawURLEncoding.EncodeToString(auth)
	good := `{"endpoint":"https://fcm.googleapis.com/x","expirationTime":1893456000000,"keys":{"p256dh":"` + p + `","auth":"` + a + `"}}`
	tests := []struct {
		name string
		body string
		code apperr.Code
	}{
		{"browser body with expiry", good, ""},
		{"not json", "endpoint=x", apperr.CodeBadRequest},
		{"trailing data", good + `{}`, apperr.CodeBadRequest},
		{"negative expiry", strings.Replace(good, "1893456000000", "-5", 1), apperr.CodeInvalid},
		{"huge", `{"endpoint":"` + strings.Repeat("a", MaxSubscriptionBodyBytes) + `"}`, apperr.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := ParseSubscription([]byte(tt.body), DefaultAllowList())
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := sub.ExpirationTime.UnixMilli(); got != 1893456000000 {
					t.Fatalf("expiration %d", got)
				}
				return
			}
			if !apperr.Is(err, tt.code) {
				t.Fatalf("want %s, got %v", tt.code, err)
			}
		})
	}
}

func TestSubscriptionReportsEveryBadField(t *testing.T) {
	_, err := ParseSubscription(body("http://x", "", "zz"), DefaultAllowList())
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) != 3 {
		t.Fatalf("want three field errors, got %v", err)
	}
}
