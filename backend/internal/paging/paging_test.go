package paging_test

import (
	"errors"
	"testing"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/paging"
)

var now = time.Date(2026, 5, 17, 10, 0, 0, 0, time.UTC)

func sealer(t testing.TB) *paging.Sealer {
	t.Helper()
	s, err := paging.NewSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// onCursor reports whether err is the one refusal clients get: a 422 naming /cursor.
func onCursor(err error) bool {
	ae, ok := apperr.As(err)
	return ok && ae.Code == apperr.CodeInvalid && len(ae.Fields) == 1 && ae.Fields[0].Pointer == "/cursor"
}

func TestSealedCursorOpensOnlyUnderItsBindingUntilItExpires(t *testing.T) {
	s := sealer(t)
	mine := paging.Binding{List: "cases", Owner: "a/a"}
	c := s.Seal(mine, "2026-05-17T10:00:00Z|0190", now.Add(time.Hour))
	if got, err := s.Open(mine, c, now); err != nil || got != "2026-05-17T10:00:00Z|0190" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	for name, b := range map[string]paging.Binding{
		"another person": {List: "cases", Owner: "b/b"},
		"acting as":      {List: "cases", Owner: "a/b"},
		"another list":   {List: "bookings", Owner: "a/a"},
		"shifted parts":  {List: "cases" + "a", Owner: "/a"},
	} {
		if _, err := s.Open(b, c, now); !onCursor(err) {
			t.Errorf("%s: %v, want 422 on /cursor", name, err)
		}
	}
	_, err := s.Open(mine, c, now.Add(time.Hour))
	if !onCursor(err) || !errors.Is(err, paging.ErrExpired) {
		t.Errorf("expired: %v", err)
	}
	if ae, _ := apperr.As(err); ae == nil || ae.Detail != "error.detail.cursor_expired" {
		t.Errorf("expired: detail %+v", ae)
	}
	other, _ := paging.NewSealer([]byte("another secret of enough length!"))
	if _, err := other.Open(mine, c, now); !onCursor(err) {
		t.Errorf("another key: %v", err)
	}
	for i := range len(c) {
		b := []byte(c)
		b[i] ^= 0x01
		if _, err := s.Open(mine, string(b), now); err == nil {
			t.Errorf("a change at %d was accepted", i)
		}
		if _, err := s.Open(mine, c[:i], now); err == nil {
			t.Errorf("a cut at %d was accepted", i)
		}
	}
}

func TestNewSealerRefusesAShortSecret(t *testing.T) {
	if _, err := paging.NewSealer([]byte("short")); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
}

func TestLimit(t *testing.T) {
	for in, want := range map[string]int{"": 0, "1": 1, "20": 20, "100": 100, "007": 7} {
		if got, err := paging.Limit(in); err != nil || got != want {
			t.Errorf("Limit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "-1", "101", "abc", "1.5", " 5", "5 ", "+5", "\x00", "1000", "99999999999999999999", "0x10"} {
		_, err := paging.Limit(in)
		ae, ok := apperr.As(err)
		if !ok || ae.Code != apperr.CodeInvalid || ae.Fields[0].Pointer != "/limit" {
			t.Errorf("Limit(%q): %v, want 422 on /limit", in, err)
		}
	}
}

// BenchmarkSealAndOpen is the cost a list page pays for its cursors (one Open, one Seal).
func BenchmarkSealAndOpen(b *testing.B) {
	s := sealer(b)
	bind := paging.Binding{List: "cases", Owner: "01900000-0000-7000-8000-000000000000/01900000-0000-7000-8000-000000000000"}
	for b.Loop() {
		c := s.Seal(bind, "2026-05-17T10:00:00.123456Z|01900000-0000-7000-8000-000000000000", now.Add(time.Hour))
		if _, err := s.Open(bind, c, now); err != nil {
			b.Fatal(err)
		}
	}
}
