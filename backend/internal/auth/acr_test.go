package auth

import "testing"

func TestACRSatisfies(t *testing.T) {
	tests := []struct {
		got, required string
		want          bool
	}{
		{ACRSubstantial, ACRSubstantial, true},
		{ACRHigh, ACRSubstantial, true},
		{ACRHigh, ACRHigh, true},
		{ACRSubstantial, ACRHigh, false},
		{"Level4", ACRHigh, true},
		{"Level3", ACRHigh, false},
		{"", ACRSubstantial, false},
		{"idporten-loa-low", ACRSubstantial, false},
		{ACRHigh, "", false},
		{ACRHigh, "idporten-loa-hgih", false},
	}
	for _, tt := range tests {
		if got := ACRSatisfies(tt.got, tt.required); got != tt.want {
			t.Errorf("ACRSatisfies(%q, %q) = %v, want %v", tt.got, tt.required, got, tt.want)
		}
	}
	if !ACRKnown(ACRHigh) || ACRKnown("idporten-loa-low") {
		t.Error("ACRKnown disagrees with the levels")
	}
}
