package web

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const (
	testAgencyKey  = "ms_0a1b2c3d_Qk9PTV9zZWNyZXRfdGhhdF9tdXN0X25ldmVyX2JlX2xvZ2dlZA"
	testOpen311Key = "client-key-4711"
)

func TestRedactSecrets(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Bearer " + testAgencyKey, "Bearer ms_0a1b2c3d_[redacted]"},
		{"/open311/v2/requests.json?api_key=" + testOpen311Key + "&service_code=001", "/open311/v2/requests.json?api_key=[redacted]&service_code=001"},
		{"form API_KEY=" + testOpen311Key + " sent", "form API_KEY=[redacted] sent"},
		{"api_key=" + testAgencyKey, "api_key=[redacted]"},
		{"nothing secret: ms_short and api_keys", "nothing secret: ms_short and api_keys"},
	}
	for _, tt := range tests {
		if got := redactSecrets(tt.in); got != tt.want {
			t.Errorf("redactSecrets(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

type keyStringer struct{}

func (keyStringer) String() string { return "key " + testAgencyKey }

// TestLogsCarryNoAPIKey: a key in the message, a string, an error, a Stringer, a group or an
// attribute bound with With reaches no line; the key's public prefix does.
func TestLogsCarryNoAPIKey(t *testing.T) {
	var out strings.Builder
	log := withoutSecrets(slog.New(slog.NewTextHandler(&out, nil)))
	if withoutSecrets(log) != log {
		t.Error("wrapping twice made a second wrapper")
	}
	log.With("bound", "api_key="+testOpen311Key).WithGroup("g").Info("refused "+testAgencyKey,
		"query", "api_key="+testOpen311Key,
		"err", fmt.Errorf("backend: %w", errors.New("unknown key "+testAgencyKey)),
		"stringer", keyStringer{},
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
