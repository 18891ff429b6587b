package apptest

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestFindPIDs(t *testing.T) {
	number := PID(t, 1985, 1)
	real := "01019012345" // not valid: control digits wrong
	tests := []struct {
		line string
		want int
	}{
		{"level=INFO msg=login pid=" + number, 1},
		{`{"msg":"x","id":"` + number + `"}`, 1},
		{"path=/api/v1/people/" + number + "/cases", 1},
		{"masked " + number[:6] + "*****", 0},
		{"invalid " + real, 0},
		{"longer digit run 9" + number, 0},
		{"request_id=0a1b2c3d4e5f60718293a4b5 session=9c1f0e5a-7b3d-4e8f-9a6b-0c1d2e3f4a5b", 0},
		{"duration_ms=12345678901", 0}, // 11 digits, but not a valid number
	}
	for _, tc := range tests {
		if got := FindPIDs(tc.line); len(got) != tc.want {
			t.Errorf("FindPIDs(%q) = %v, want %d", tc.line, got, tc.want)
		}
	}
}

// recordingTB catches the failures CheckLogs reports.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestCheckLogsCatchesANationalID(t *testing.T) {
	number := PID(t, 1970, 2)
	p := &Portal{logs: &logBuffer{}}
	log := slog.New(slog.NewTextHandler(p.logs, nil))
	log.Info("fine", "citizen_id", "0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b")
	rec := &recordingTB{TB: t}
	p.CheckLogs(rec)
	if len(rec.errors) != 0 {
		t.Fatalf("clean log reported: %v", rec.errors)
	}
	log.Info("oops", "err", fmt.Errorf("no citizen %s", number))
	p.CheckLogs(rec)
	if len(rec.errors) != 1 || strings.Contains(rec.errors[0], number) {
		t.Fatalf("want one report that does not repeat the number, got %v", rec.errors)
	}
}

// TestPortalLogsAfterALogin: the real flow, with its access log and login lines, logs no number.
func TestPortalLogsAfterALogin(t *testing.T) {
	p := Start(t)
	number := PID(t, 1999, 3)
	c := p.LoginAs(t, number)
	c.Get(t, "/api/v1/me").Status(t, 200)
	if !strings.Contains(p.Logs(), "msg=login") {
		t.Fatalf("no login line captured:\n%s", p.Logs())
	}
	if len(FindPIDs(p.Logs())) != 0 {
		t.Fatal("the number is in the log")
	}
}

func TestClock(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewClock(start)
	if d := c.Now().Sub(start); d < 0 || d > time.Second {
		t.Fatalf("clock at %v, want %v", c.Now(), start)
	}
	c.Advance(time.Hour)
	if d := c.Now().Sub(start); d < time.Hour || d > time.Hour+time.Second {
		t.Fatalf("after Advance: %v", c.Now())
	}
}
