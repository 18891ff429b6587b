// Package textcheck is the one rule for free text that arrives from outside (agency records, the
// agency console, push subscription labels): it refuses what a reader cannot see or trust, or what a
// database cannot store, and returns the text in one canonical form. Every caller reports the
// refusal as a field error at its own JSON pointer, so the rule is written once.
package textcheck

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Rule says what one field allows.
type Rule struct {
	Max       int  // largest number of characters (runes, after normalising); 0 means no limit
	Multiline bool // tab and line feed allowed (a CR LF pair becomes LF), bidi controls allowed
	Required  bool // the empty string is refused (field.required)
}

// Common rules, so a field's kind is named where it is checked.
var (
	// Line is a name, title, label or other one-line value.
	Line = Rule{}
	// Text is body text: several lines, and bidi controls for right-to-left writing.
	Text = Rule{Multiline: true}
)

// Limit returns r with Max set.
func (r Rule) Limit(max int) Rule { r.Max = max; return r }

// Need returns r with Required set to required.
func (r Rule) Need(required bool) Rule { r.Required = required; return r }

// Problem is why a text was refused: a field message key and its placeholders.
type Problem struct {
	Key  string
	Data map[string]any
}

// The field message keys a Problem may carry.
const (
	KeyRequired         = "field.required"
	KeyTooLong          = "field.too_long"
	KeyInvalidText      = "field.invalid_text"
	KeyControlCharacter = "field.control_character"
	KeyBidiControl      = "field.bidi_control"
	KeyBlank            = "field.blank"
)

// Clean reports whether s passes r exactly as written, already in canonical form: for text that
// is used as it is (a translation form), where rewriting it silently would change what its
// author published.
func Clean(s string, r Rule) bool {
	canonical, problem := Check(s, r)
	return problem == nil && canonical == s
}

// Check returns s in canonical form (Unicode NFC; CR LF → LF in multi-line text), or the first
// problem that refuses it. An empty optional value is fine and stays empty.
//
// Refused, in this order: invalid UTF-8, U+FFFD (what encoding/json makes of invalid UTF-8 and of
// a lone surrogate such as "\ud800": text that holds it was damaged before it reached us) and
// Unicode noncharacters; C0 and C1 control characters and DEL (tab and line feed only in
// multi-line text; U+2028 and U+2029 are line breaks too); bidi embedding, override and isolate
// controls in one-line text, where they can make a name or file name read backwards; a value
// that is only white space and invisible characters; more than Max characters.
func Check(s string, r Rule) (string, *Problem) {
	if s == "" {
		if r.Required {
			return s, &Problem{Key: KeyRequired}
		}
		return s, nil
	}
	if !utf8.ValidString(s) {
		return s, &Problem{Key: KeyInvalidText}
	}
	if r.Multiline && strings.Contains(s, "\r\n") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	visible := false
	for _, c := range s {
		switch {
		case c == utf8.RuneError || isNoncharacter(c):
			return s, &Problem{Key: KeyInvalidText}
		case r.Multiline && (c == '\t' || c == '\n'):
			continue
		case isControl(c):
			return s, &Problem{Key: KeyControlCharacter}
		case !r.Multiline && isBidiControl(c):
			return s, &Problem{Key: KeyBidiControl}
		}
		if !visible && !invisible(c) {
			visible = true
		}
	}
	if !visible {
		return s, &Problem{Key: KeyBlank}
	}
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	if r.Max > 0 && utf8.RuneCountInString(s) > r.Max {
		return s, &Problem{Key: KeyTooLong, Data: map[string]any{"Max": r.Max}}
	}
	return s, nil
}

// isControl is a C0 or C1 control character, DEL, or a Unicode line or paragraph separator.
func isControl(c rune) bool {
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
}

// isBidiControl is an explicit bidi embedding, override or isolate (LRE RLE PDF LRO RLO, LRI RLI
// FSI PDI). The marks LRM and RLM are allowed: they cannot reorder text beyond themselves.
func isBidiControl(c rune) bool {
	return (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
}

// isNoncharacter is one of the 66 code points Unicode reserves for a program's internal use.
func isNoncharacter(c rune) bool {
	return (c >= 0xfdd0 && c <= 0xfdef) || c&0xfffe == 0xfffe
}

// invisible is white space or a character that draws nothing: format characters (zero-width
// space and joiners, the byte order mark, bidi marks, soft hyphen) and the blank-looking letters
// (Hangul fillers, braille blank) that are used to fake an empty name.
func invisible(c rune) bool {
	switch c {
	case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800', '\u034f', '\u180e':
		return true
	}
	return unicode.IsSpace(c) || unicode.Is(unicode.Cf, c) || unicode.Is(unicode.Zs, c)
}
