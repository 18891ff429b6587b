package pid

import (
	"slices"
	"strings"
	"testing"
)

func TestFindLeaks(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"classic rule", "level=INFO pid=01019012480", []string{"01019012480"}},
		{"2032 rule, remainder 1", `{"id":"01019012405"}`, []string{"01019012405"}},
		{"2032 rule where the classic k1 is 10", "path=/api/v1/people/01019012316/cases", []string{"01019012316"}},
		{"D-number", "d=41019012393", []string{"41019012393"}},
		{"H-number", "h=01419012382", []string{"01419012382"}},
		{"synthetic (month + 80)", "s=01819012365", []string{"01819012365"}},
		{"synthetic D-number", "s=41819012359", []string{"41819012359"}},
		{"two in one line", "a=01019012480 b=41019012393", []string{"01019012480", "41019012393"}},
		{"masked", "pid=010190*****", nil},
		{"control digits wrong", "pid=01019012345", nil},
		{"k1 outside the 2032 remainders", "pid=01019012470", nil},
		{"part of a longer run", "n=901019012480", nil},
		{"eleven digits that are no date", "duration_ms=12345678901", nil},
		{"no digits", "request_id=abcdefgh", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindLeaks(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Errorf("FindLeaks(%q) = %v, want %v", tt.text, got, tt.want)
			}
			if ContainsLikely(tt.text) != (len(tt.want) > 0) {
				t.Errorf("ContainsLikely(%q) disagrees with FindLeaks", tt.text)
			}
		})
	}
}

func TestDigitRuns(t *testing.T) {
	tests := []struct {
		in, masked string
	}{
		{"/api/agency/v1/cases/01019012480", "/api/agency/v1/cases/***********"},
		{"pid=01019012345&x=1", "pid=***********&x=1"}, // invalid numbers are masked too
		{"a123456789012b", "a************b"},
		{"0101901248", "0101901248"}, // ten digits stay
		{"x01019012480y01019012480", "x***********y***********"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskDigitRuns(tt.in); got != tt.masked {
			t.Errorf("MaskDigitRuns(%q) = %q, want %q", tt.in, got, tt.masked)
		}
		if HasDigitRun(tt.in) != (tt.in != tt.masked) {
			t.Errorf("HasDigitRun(%q) disagrees with MaskDigitRuns", tt.in)
		}
		if HasDigitRun(MaskDigitRuns(tt.in)) {
			t.Errorf("MaskDigitRuns(%q) left a run", tt.in)
		}
	}
	if HasDigitRun(strings.Repeat("7", 10) + "-7") {
		t.Error("a broken run counted")
	}
}
