package pid

import (
	"strings"
	"testing"

	"minside/backend/internal/apperr"
)

// FuzzParse checks that Parse never panics and that whatever it accepts is self-consistent:
// Generate from the parsed parts reproduces a number with the same first nine digits.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"01019012480", "41819012359", "01419012382", "00000000000", "", "0101901248a",
		"31049012392", "29020050088", "01015550089", " 01019012480 ",
		// Spaces inside, control characters and other Unicode digits are never part of a number.
		"010190 12480", "0101901\t2480", "\u00a001019012480", "01019012480\x00", "\x0001019012480", "0101901248\x00",
		"０１０１９０１２４８０", "01019012480\n", "\ufeff01019012480",
		// Control digits only the 2032 rule allows: (sum + k1) mod 11 is 1, 2 or 3.
		"01019012499", "01019012405", "15038530124", "15038530132", "15038530140", "17058041297", "17058041203"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, synthetic bool) {
		n, err := Parse(s, Options{AllowSynthetic: synthetic})
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Code != apperr.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Key != FieldKey {
				t.Fatalf("refusal of %q is not field.invalid_pid: %v", s, err)
			}
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
