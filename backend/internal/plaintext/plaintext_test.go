package plaintext_test

import (
	"testing"

	"minside/backend/internal/plaintext"
)

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in          string
		line, lines bool
	}{
		{"Byggesøknad", true, true},
		{"مرحبا {{.Name}}", true, true},
		{"two\nlines\tand a tab", false, true},
		{"", true, true},
		{"nul\x00", false, false},
		{"bell\a", false, false},
		{"cr\r\n", false, false},
		{"del\x7f", false, false},
		{"c1\u0085", false, false},
		{"bad \xff utf-8", false, false},
		{"surrogate \xed\xa0\x80", false, false},
	} {
		if got := plaintext.Clean(tc.in, false); got != tc.line {
			t.Errorf("Clean(%q, false) = %v", tc.in, got)
		}
		if got := plaintext.Clean(tc.in, true); got != tc.lines {
			t.Errorf("Clean(%q, true) = %v", tc.in, got)
		}
	}
}
