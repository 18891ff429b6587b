package i18n

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Pseudo-locales, for development only: they make hard-coded strings, clipped text and direction
// bugs visible without knowing any of the real languages. Both are derived from English.
const (
	// PseudoAccent is English with accented letters, about 40 % longer, in ⟦brackets⟧.
	PseudoAccent = "x-accent"
	// PseudoRTL is English forced right-to-left with bidi overrides, in an RTL page.
	PseudoRTL = "x-rtl"
)

func pseudoLanguages() []Language {
	en, _ := languageByCode(Languages(), "en")
	return []Language{
		{Code: PseudoAccent, Name: "[Ƥşèúđō]", Dir: LTR, Plurals: en.Plurals},
		{Code: PseudoRTL, Name: "\u202eRTL\u202c", Dir: RTL, Plurals: en.Plurals},
	}
}

func isPseudo(code string) bool { return code == PseudoAccent || code == PseudoRTL }

var accented = map[rune]rune{
	'a': 'á', 'b': 'ƀ', 'c': 'ç', 'd': 'đ', 'e': 'é', 'f': 'ƒ', 'g': 'ĝ', 'h': 'ĥ', 'i': 'í', 'j': 'ĵ',
	'k': 'ķ', 'l': 'ļ', 'm': 'ɱ', 'n': 'ñ', 'o': 'ö', 'p': 'þ', 'q': 'ǫ', 'r': 'ř', 's': 'š', 't': 'ţ',
	'u': 'ü', 'v': 'ṽ', 'w': 'ŵ', 'x': 'ẋ', 'y': 'ý', 'z': 'ž',
	'A': 'Å', 'B': 'Ɓ', 'C': 'Ç', 'D': 'Đ', 'E': 'É', 'F': 'Ƒ', 'G': 'Ĝ', 'H': 'Ĥ', 'I': 'Î', 'J': 'Ĵ',
	'K': 'Ķ', 'L': 'Ļ', 'M': 'Ṁ', 'N': 'Ñ', 'O': 'Ö', 'P': 'Þ', 'Q': 'Ǫ', 'R': 'Ř', 'S': 'Š', 'T': 'Ţ',
	'U': 'Û', 'V': 'Ṽ', 'W': 'Ŵ', 'X': 'Ẋ', 'Y': 'Ý', 'Z': 'Ž',
}

// PseudoAccentText accents every letter outside {{.X}} placeholders and pads the text by about 40 %,
// the growth to expect from English into longer languages.
func PseudoAccentText(text string) string {
	parts, isPH := splitPlaceholders(text)
	var sb strings.Builder
	sb.WriteString("⟦")
	literal := 0
	for i, p := range parts {
		if isPH[i] {
			sb.WriteString(p)
			continue
		}
		literal += utf8.RuneCountInString(p)
		for _, r := range p {
			if a, ok := accented[r]; ok {
				r = a
			}
			sb.WriteRune(r)
		}
	}
	if pad := (literal*2 + 4) / 5; pad > 0 {
		sb.WriteString(" " + strings.Repeat("·", pad))
	}
	sb.WriteString("⟧")
	return sb.String()
}

// PseudoRTLText wraps every literal run outside placeholders in a right-to-left override
// (U+202E … U+202C), so Latin text reads backwards as RTL text flows; substituted values stay readable.
func PseudoRTLText(text string) string {
	parts, isPH := splitPlaceholders(text)
	var sb strings.Builder
	for i, p := range parts {
		if isPH[i] {
			sb.WriteString(p)
			continue
		}
		sb.WriteString("\u202e" + p + "\u202c")
	}
	return sb.String()
}

func pseudoMessage(m Message, f func(string) string) Message {
	apply := func(s string) string {
		if s == "" {
			return ""
		}
		return f(s)
	}
	return Message{Zero: apply(m.Zero), One: apply(m.One), Two: apply(m.Two), Few: apply(m.Few), Many: apply(m.Many), Other: apply(m.Other)}
}

// addPseudoTables derives the pseudo-locales from English (after overrides, bokmål where English lacks a message).
func addPseudoTables(s *snapshot) error {
	en := &Localizer{snap: s, chain: Chain("en")}
	for _, pl := range pseudoLanguages() {
		f := PseudoAccentText
		if pl.Code == PseudoRTL {
			f = PseudoRTLText
		}
		msgs := make(map[string]Message, len(s.sourceIDs))
		for _, id := range s.sourceIDs {
			if m, ok := en.raw(id); ok {
				msgs[id] = pseudoMessage(m, f)
			}
		}
		t, err := newLangTable(pl, language.English, msgs)
		if err != nil {
			return err
		}
		s.langs[pl.Code] = t
	}
	return nil
}
