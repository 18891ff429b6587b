package logredact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"minside/backend/internal/pid"
)

const (
	testNumber     = "01019012480"
	testAgencyKey  = "ms_0a1b2c3d_Qk9PTV9zZWNyZXRfdGhhdF9tdXN0X25ldmVyX2JlX2xvZ2dlZA"
	testOpen311Key = "client-key-4711"
)

// rawStringer hands its text to the logger as is, so the handler is the only thing that hides it.
type rawStringer string

func (s rawStringer) String() string { return string(s) }

func TestSecrets(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Bearer " + testAgencyKey, "Bearer ms_0a1b2c3d_[redacted]"},
		{"/open311/v2/requests.json?api_key=" + testOpen311Key + "&service_code=001", "/open311/v2/requests.json?api_key=[redacted]&service_code=001"},
		{"form API_KEY=" + testOpen311Key + " sent", "form API_KEY=[redacted] sent"},
		{"api_key=" + testAgencyKey, "api_key=[redacted]"},
		{"nothing secret: ms_short and api_keys", "nothing secret: ms_short and api_keys"},
	}
	for _, tt := range tests {
		if got := Secrets(tt.in); got != tt.want {
			t.Errorf("Secrets(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMasksNationalNumbers: with pid.MaskDigitRuns as its rewrite, no run of 11 digits reaches a
// line through the message, a bound attribute, an error, a Stringer, bytes or a group; numbers
// stay numbers.
func TestMasksNationalNumbers(t *testing.T) {
	var buf bytes.Buffer
	log := New(slog.New(slog.NewJSONHandler(&buf, nil)), pid.MaskDigitRuns)
	log.With("path", "/cases/"+testNumber).WithGroup("req").Info("no citizen "+testNumber,
		"err", errors.New("lookup "+testNumber+" failed"),
		"id", rawStringer(testNumber),
		"raw", []byte(testNumber),
		"n", 42,
		slog.Group("inner", "q", "pid="+testNumber),
	)
	out := buf.String()
	if pid.HasDigitRun(out) {
		t.Fatalf("a number is in the log: %s", out)
	}
	for _, want := range []string{`"path":"/cases/***********"`, `"n":42`, `"q":"pid=***********"`, `no citizen ***********`, `"id":"***********"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
}

// TestRedactsAPIKeys: with Secrets as its rewrite, a key in the message, a string, an error, a
// Stringer, bytes, a group or an attribute bound with With reaches no line; the key's public
// prefix does.
func TestRedactsAPIKeys(t *testing.T) {
	var out strings.Builder
	log := New(slog.New(slog.NewTextHandler(&out, nil)), Secrets)
	log.With("bound", "api_key="+testOpen311Key).WithGroup("g").Info("refused "+testAgencyKey,
		"query", "api_key="+testOpen311Key,
		"err", fmt.Errorf("backend: %w", errors.New("unknown key "+testAgencyKey)),
		"stringer", rawStringer("key "+testAgencyKey),
		"bytes", []byte(testAgencyKey),
		slog.Group("inner", "key", testAgencyKey),
		"count", 3)
	line := out.String()
	for _, secret := range []string{testAgencyKey, "Qk9PTV9zZWNyZXQ", testOpen311Key} {
		if strings.Contains(line, secret) {
			t.Errorf("the log carries %q:\n%s", secret, line)
		}
	}
	if !strings.Contains(line, "ms_0a1b2c3d_[redacted]") || !strings.Contains(line, "count=3") {
		t.Errorf("redacted too much or too little:\n%s", line)
	}
}

// TestWrappingAgainAddsNoLayer: a second New on the same logger (with or without rewrites) keeps
// one redacting layer, and the rewrites of both calls apply.
func TestWrappingAgainAddsNoLayer(t *testing.T) {
	var out strings.Builder
	log := New(slog.New(slog.NewTextHandler(&out, nil)), pid.MaskDigitRuns)
	if New(log) != log {
		t.Error("wrapping with no rewrites made a new logger")
	}
	both := New(log, Secrets)
	if _, nested := both.Handler().(handler).next.(handler); nested {
		t.Error("wrapping again added a second redacting layer")
	}
	both.Info("key " + testAgencyKey + " for " + testNumber)
	line := out.String()
	if pid.HasDigitRun(line) || strings.Contains(line, testAgencyKey) {
		t.Errorf("the second wrap lost a rewrite:\n%s", line)
	}
	if strings.Count(line, "\n") != 1 {
		t.Errorf("one record wrote %d lines:\n%s", strings.Count(line, "\n"), line)
	}
}

// BenchmarkSecretsOnAccessLogValues is what every request's access log line costs the redaction:
// its string values, none of which holds a key.
func BenchmarkSecretsOnAccessLogValues(b *testing.B) {
	values := []string{"0a1b2c3d4e5f60718293a4b5", "GET", "/api/v1/me/overview", "/api/v1/me/overview"}
	for b.Loop() {
		for _, v := range values {
			_ = Secrets(v)
		}
	}
}
