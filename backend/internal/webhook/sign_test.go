package webhook

import (
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The reference vector of the Standard Webhooks specification's libraries.
const (
	refSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	refID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	refTS     = 1614265330
	refBody   = `{"test": 2432232314}`
	refSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignMatchesTheStandardWebhooksReference(t *testing.T) {
	got, err := Sign(refSecret, refID, time.Unix(refTS, 0), []byte(refBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != refSig {
		t.Fatalf("Sign = %s, want %s", got, refSig)
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(refTS, 0).Add(time.Minute)
	other, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	headers := func(id, ts, sig string) http.Header {
		h := http.Header{}
		for k, v := range map[string]string{HeaderID: id, HeaderTimestamp: ts, HeaderSignature: sig} {
			if v != "" {
				h.Set(k, v)
			}
		}
		return h
	}
	ts := strconv.Itoa(refTS)
	tests := []struct {
		name    string
		secret  string
		headers http.Header
		body    string
		now     time.Time
		want    error
	}{
		{"valid", refSecret, headers(refID, ts, refSig), refBody, now, nil},
		{"secret without prefix", strings.TrimPrefix(refSecret, "whsec_"), headers(refID, ts, refSig), refBody, now, nil},
		{"one of several signatures (rotation)", refSecret, headers(refID, ts, "v1,bm9wZQ== "+refSig), refBody, now, nil},
		{"body changed", refSecret, headers(refID, ts, refSig), `{"test": 2432232315}`, now, ErrNoMatchingSig},
		{"id changed", refSecret, headers("msg_other", ts, refSig), refBody, now, ErrNoMatchingSig},
		{"other secret", other, headers(refID, ts, refSig), refBody, now, ErrNoMatchingSig},
		{"unknown version", refSecret, headers(refID, ts, "v2"+refSig[2:]), refBody, now, ErrNoMatchingSig},
		{"too old", refSecret, headers(refID, ts, refSig), refBody, now.Add(10 * time.Minute), ErrBadTimestamp},
		{"from the future", refSecret, headers(refID, ts, refSig), refBody, time.Unix(refTS, 0).Add(-6 * time.Minute), ErrBadTimestamp},
		{"timestamp not a number", refSecret, headers(refID, "yesterday", refSig), refBody, now, ErrBadTimestamp},
		{"missing signature", refSecret, headers(refID, ts, ""), refBody, now, ErrMissingHeaders},
		{"malformed secret", "whsec_%%%", headers(refID, ts, refSig), refBody, now, ErrMalformedSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyAt(tt.secret, tt.headers, []byte(tt.body), DefaultTolerance, tt.now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifyAt = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestGeneratedSecretsSignAndVerify(t *testing.T) {
	a, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateSecret()
	if a == b || !strings.HasPrefix(a, "whsec_") {
		t.Fatalf("secrets %q %q", a, b)
	}
	now := time.Now()
	sig, err := Sign(a, "evt", now, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(HeaderID, "evt")
	h.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(HeaderSignature, sig)
	if err := Verify(a, h, []byte("{}"), DefaultTolerance); err != nil {
		t.Fatal(err)
	}
}

// TestClientRefusesSpecialPurposeAddresses: the dialler refuses every special-purpose address,
// the IPv6 embeddings of IPv4 included, before a packet is sent (the one egress guard).
func TestClientRefusesSpecialPurposeAddresses(t *testing.T) {
	client := NewClient(false, 2*time.Second)
	for _, host := range []string{
		"127.0.0.1", "169.254.169.254", "10.1.2.3", "100.64.0.1", "0.0.0.0", "192.0.0.170",
		"[::1]", "[::ffff:127.0.0.1]", "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::1]",
		"[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "[2001:db8::1]", "[fd00::1]", "[fe80::1]",
	} {
		resp, err := client.Post("http://"+host+":9/hook", "application/json", strings.NewReader("{}"))
		if err == nil {
			_ = resp.Body.Close()
		}
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: want ErrForbiddenAddress, got %v", host, err)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		"-5":                            0,
		"soon":                          0,
		"Mon, 02 Mar 2026 10:02:00 GMT": 2 * time.Minute,
		"Mon, 02 Mar 2026 09:00:00 GMT": 0,
	}
	for v, want := range tests {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", v, got, want)
		}
	}
}

// TestDocumentedExampleVerifies keeps the worked example of docs/webhooks.md true.
func TestDocumentedExampleVerifies(t *testing.T) {
	body := `{"id":"0196f1c2-7a4e-7d3b-9a51-3f0c2e8b1d44","type":"key.used","time":"2026-03-02T10:00:00Z","agency":"bibliotek","data":{"key":"K-1","facility":"F-hovedbiblioteket","accessPoint":"D-front","result":"opened","at":"2026-03-02T10:00:00Z","by":"citizen"}}`
	h := http.Header{}
	h.Set(HeaderID, "0196f1c2-7a4e-7d3b-9a51-3f0c2e8b1d44")
	h.Set(HeaderTimestamp, "1772445600")
	h.Set(HeaderSignature, "v1,7ppgtUEHJQwXituZlPQdRzMfZlRgk+Gz3NyhpZcZFZg=")
	if err := VerifyAt(refSecret, h, []byte(body), DefaultTolerance, time.Unix(1772445600, 0)); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{body, h.Get(HeaderSignature), refSecret} {
		if !strings.Contains(string(doc), want) {
			t.Fatalf("docs/webhooks.md no longer shows %q", want)
		}
	}
}
