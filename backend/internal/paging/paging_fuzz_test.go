package paging_test

import (
	"strings"
	"testing"
	"time"

	"minside/backend/internal/paging"
)

// FuzzOpenCursor feeds Open any string: it must never panic, and every refusal is the 422 on
// /cursor clients are promised. Whatever it accepts must be what a Seal under the binding made.
func FuzzOpenCursor(f *testing.F) {
	s := sealer(f)
	b := paging.Binding{List: "cases", Owner: "a/a"}
	good := s.Seal(b, "2026-05-17T10:00:00Z|01900000-0000-7000-8000-000000000000", now.Add(time.Hour))
	for _, seed := range []string{"", "\x00", "garbage", "AAAA", good, good[:len(good)-1], good + "A",
		strings.Repeat("A", paging.MaxTokenLength+1), "%%%", "Yzeu", "c1.0.0.0", "\xff\xfe"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		pos, err := s.Open(b, token, now)
		if err != nil {
			if !onCursor(err) {
				t.Fatalf("Open(%q): %v, want 422 on /cursor", token, err)
			}
			return
		}
		if token != good || pos != "2026-05-17T10:00:00Z|01900000-0000-7000-8000-000000000000" {
			t.Fatalf("Open accepted %q (%q), which no Seal made", token, pos)
		}
	})
}
