package pid

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and that whatever it accepts is self-consistent:
// Generate from the parsed parts reproduces a number with the same first nine digits.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"01019012480", "41819012359", "01419012382", "00000000000", "", "0101901248a",
		"31049012392", "29020050088", "01015550089", " 01019012480 "} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, synthetic bool) {
		n, err := Parse(s, Options{AllowSynthetic: synthetic})
		if err != nil {
			return
		}
		digits := strings.TrimSpace(s)
		if n.Digits() != digits || len(digits) != 11 {
			t.Fatalf("Digits() = %q for input %q", n.Digits(), s)
		}
		if n.Synthetic && !synthetic {
			t.Fatal("synthetic number accepted without AllowSynthetic")
		}
		if y := n.BirthDate.Year(); y < 1854 || y > 2039 {
			t.Fatalf("birth year %d out of range", y)
		}
		again, err := Generate(Spec{BirthDate: n.BirthDate, Individual: n.Individual, Kind: n.Kind, Synthetic: n.Synthetic})
		if err != nil {
			t.Fatalf("Generate from a parsed number: %v", err)
		}
		if again[:9] != digits[:9] {
			t.Fatalf("Generate gave %s, parsed %s", again[:9], digits[:9])
		}
		if m := Mask(s); m != digits[:6]+"*****" {
			t.Fatalf("Mask = %q", m)
		}
	})
}
