package push

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestPayloadEncode(t *testing.T) {
	base := Payload{Category: "case", ID: "0193b7a4-7c1e-7d3a-9f00-3c5b2a1d4e6f", URL: "/cases/0193b7a4-7c1e-7d3a-9f00-3c5b2a1d4e6f"}
	with := func(title string) Payload { p := base; p.Title = title; return p }
	tests := []struct {
		name      string
		p         Payload
		shortened bool
		err       bool
	}{
		{"fits", with("Søknaden din er behandlet"), false, false},
		{"long norwegian", with(strings.Repeat("Æøå ", 400)), true, false},
		{"long arabic", with(strings.Repeat("طلبك قيد المعالجة ", 200)), true, false},
		{"quotes escape", with(strings.Repeat(`"\`, 600)), true, false},
		{"emoji", with(strings.Repeat("🏛️", 400)), true, false},
		{"national id in title", with("Sak for 01017012345"), false, true},
		{"national id in url", func() Payload { p := with("x"); p.URL = "/cases/01017012345"; return p }(), false, true},
		{"absolute url", func() Payload { p := with("x"); p.URL = "https://evil.example/"; return p }(), false, true},
		{"protocol-relative url", func() Payload { p := with("x"); p.URL = "//evil.example/"; return p }(), false, true},
		{"no category", Payload{Title: "x", URL: "/"}, false, true},
		{"url alone too long", func() Payload { p := with("x"); p.URL = "/" + strings.Repeat("a", 1100); return p }(), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.p.Encode(MaxPayloadBytes)
			if tt.err {
				if err == nil {
					t.Fatalf("accepted: %s", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > MaxPayloadBytes {
				t.Fatalf("%d bytes", len(b))
			}
			var got Payload
			if err := json.Unmarshal(b, &got); err != nil || !utf8.ValidString(got.Title) {
				t.Fatalf("bad JSON or UTF-8: %v", err)
			}
			if got.ID != tt.p.ID || got.URL != tt.p.URL || got.Category != tt.p.Category {
				t.Fatalf("fields changed: %+v", got)
			}
			if tt.shortened {
				prefix := strings.TrimSuffix(got.Title, "…")
				if prefix == got.Title || !strings.HasPrefix(tt.p.Title, prefix) || len(b) < MaxPayloadBytes-16 {
					t.Fatalf("title not shortened to fit closely: %d bytes, %q", len(b), got.Title)
				}
			} else if got.Title != tt.p.Title {
				t.Fatalf("title changed: %q", got.Title)
			}
		})
	}
}

func TestTopicFor(t *testing.T) {
	a, b := TopicFor("case:0193b7a4"), TopicFor("case:0193b7a5")
	if len(a) != 32 || !validTopic(a) || a == b || TopicFor("case:0193b7a4") != a {
		t.Fatalf("topics %q %q", a, b)
	}
	for _, bad := range []string{strings.Repeat("a", 33), "a b", "a+b", "a=b"} {
		if validTopic(bad) {
			t.Errorf("topic %q accepted", bad)
		}
	}
}

func TestBackoff(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{0, 5 * time.Second, 10 * time.Second},
		{1, 5 * time.Second, 10 * time.Second},
		{2, 10 * time.Second, 20 * time.Second},
		{5, 80 * time.Second, 160 * time.Second},
		{9, 2560 * time.Second / 2, 2560 * time.Second},
		{10, 30 * time.Minute, time.Hour},
		{1000, 30 * time.Minute, time.Hour},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := Backoff(tt.attempt, rnd)
			if d < tt.min || d > tt.max {
				t.Fatalf("Backoff(%d) = %v outside [%v, %v]", tt.attempt, d, tt.min, tt.max)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("Backoff(%d) has no jitter: %v", tt.attempt, seen)
		}
	}
	if d := Backoff(3, nil); d < 20*time.Second || d > 40*time.Second {
		t.Errorf("Backoff with the default source = %v", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 7 ", 7 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"Monday, 23-Nov-26 15:05:00 GMT", 5 * time.Minute}, // RFC 850, still legal
		{"99999999", MaxRetryAfter},
		{now.Add(72 * time.Hour).Format(http.TimeFormat), MaxRetryAfter},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		if got := parseRetryAfter(h, now); got != tt.want {
			t.Errorf("Retry-After %q = %v, want %v", tt.value, got, tt.want)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	if d := (Result{Outcome: Retry, RetryAfter: 42 * time.Second}).RetryDelay(3, nil); d != 42*time.Second {
		t.Errorf("Retry-After not honoured: %v", d)
	}
	if d := (Result{Outcome: Retry}).RetryDelay(2, nil); d < 10*time.Second || d > 20*time.Second {
		t.Errorf("backoff not used: %v", d)
	}
	if !errors.Is(ErrPayloadTooLarge, ErrPayloadTooLarge) || Delivered.String() != "delivered" || Outcome(99).String() != "outcome(99)" {
		t.Error("outcome labels")
	}
}
