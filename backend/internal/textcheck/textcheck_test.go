package textcheck

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name, in string
		rule     Rule
		want     string // the canonical text, when accepted
		key      string // the refusal, else ""
	}{
		{"plain", "Byggesøknad: garasje", Line, "Byggesøknad: garasje", ""},
		{"empty optional", "", Line, "", ""},
		{"empty required", "", Line.Need(true), "", KeyRequired},
		{"NFC", "Cafe\u0301", Line, "Café", ""},
		{"NUL", "a\x00b", Text, "", KeyControlCharacter},
		{"DEL", "a\x7fb", Line, "", KeyControlCharacter},
		{"C1", "a\u0085b", Text, "", KeyControlCharacter},
		{"line separator", "a\u2028b", Line, "", KeyControlCharacter},
		{"newline in a line", "a\nb", Line, "", KeyControlCharacter},
		{"tab in a line", "a\tb", Line, "", KeyControlCharacter},
		{"lone CR in text", "a\rb", Text, "", KeyControlCharacter},
		{"CRLF in text", "a\r\n\tb", Text, "a\n\tb", ""},
		{"invalid UTF-8", "a\xffb", Text, "", KeyInvalidText},
		{"encoded surrogate", "a\xed\xa0\x80b", Text, "", KeyInvalidText},
		{"replacement character", "a\ufffdb", Line, "", KeyInvalidText},
		{"noncharacter", "a\uffffb", Line, "", KeyInvalidText},
		{"noncharacter in a plane", "a\U0001fffeb", Line, "", KeyInvalidText},
		{"RLO in a name", "faktura\u202efdp.exe", Line, "", KeyBidiControl},
		{"isolate in a name", "a\u2066b\u2069", Line, "", KeyBidiControl},
		{"isolate in body text", "a\u2067ب\u2069", Text, "a\u2067ب\u2069", ""},
		{"RLM in a name", "a\u200fb", Line, "a\u200fb", ""},
		{"spaces", " \u00a0\u3000", Line, "", KeyBlank},
		{"zero-width", "\u200b\u200c\u200d\u2060\ufeff", Line, "", KeyBlank},
		{"Hangul filler", "\u3164", Line.Need(true), "", KeyBlank},
		{"newlines only", "\n\n", Text, "", KeyBlank},
		{"just long enough", strings.Repeat("é", 5), Line.Limit(5), strings.Repeat("é", 5), ""},
		{"long after NFC only", strings.Repeat("e\u0301", 5), Line.Limit(5), strings.Repeat("é", 5), ""},
		{"too long", strings.Repeat("a", 6), Line.Limit(5), "", KeyTooLong},
		{"emoji and Sámi", "Sámi 👋 Ŋŋ", Line, "Sámi 👋 Ŋŋ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, problem := Check(tc.in, tc.rule)
			switch {
			case tc.key == "" && problem != nil:
				t.Fatalf("refused with %s", problem.Key)
			case tc.key != "" && (problem == nil || problem.Key != tc.key):
				t.Fatalf("problem %+v, want %s", problem, tc.key)
			case tc.key == "" && got != tc.want:
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzCheck: Check never panics, what it accepts is valid UTF-8 in NFC that it accepts again
// unchanged, and it never lets a NUL through.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "a", "a\x00", "\u202e", "\xed\xa0\x80", "e\u0301", "a\r\nb", "\u200b", " "} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		rule := Rule{Multiline: multiline, Max: 50}
		got, problem := Check(s, rule)
		if problem != nil {
			return
		}
		if strings.ContainsRune(got, 0) {
			t.Fatalf("accepted a NUL: %q", s)
		}
		again, p2 := Check(got, rule)
		if p2 != nil || again != got {
			t.Fatalf("not stable: %q → %q → %q (%v)", s, got, again, p2)
		}
	})
}
