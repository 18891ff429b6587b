// Package plaintext is the rule for free text people send us (a search, a translation): valid
// UTF-8 without control characters, newline and tab allowed only where text has lines. A NUL
// byte, for one, is refused by PostgreSQL and would otherwise surface as a 500.
package plaintext

import (
	"unicode"
	"unicode/utf8"
)

// Clean reports whether s is valid UTF-8 and holds no control characters (C0, DEL, C1); with
// lines, newline and tab are allowed.
func Clean(s string, lines bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(lines && (r == '\n' || r == '\t')) {
			return false
		}
	}
	return true
}
