package calendar

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// maxLineOctets is RFC 5545's limit for one content line, excluding the CRLF.
const maxLineOctets = 75

// writer builds an iCalendar object: CRLF line endings and lines folded at 75 octets without
// splitting a UTF-8 character (RFC 5545 section 3.1).
type writer struct{ buf bytes.Buffer }

// line writes one content line "NAME[;PARAMS]:value", folding it; value must already be escaped.
func (w *writer) line(nameAndParams, value string) {
	s := nameAndParams + ":" + value
	first := true
	for len(s) > 0 {
		limit := maxLineOctets
		if !first {
			limit-- // the leading space of a continuation line counts
			w.buf.WriteByte(' ')
		}
		if len(s) <= limit {
			w.buf.WriteString(s)
			break
		}
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.buf.WriteString(s[:cut])
		w.buf.WriteString("\r\n")
		s = s[cut:]
		first = false
	}
	w.buf.WriteString("\r\n")
}

// text writes a TEXT property, escaped.
func (w *writer) text(name, value string) { w.line(name, escapeText(value)) }

// utc writes a DATE-TIME in UTC ("Z" form).
func (w *writer) utc(name string, t time.Time) { w.line(name, t.UTC().Format("20060102T150405Z")) }

// date writes a DATE value (an all-day event).
func (w *writer) date(name string, t time.Time) { w.line(name+";VALUE=DATE", t.Format("20060102")) }

// alarm writes a display reminder, trigger being an RFC 5545 duration before the start ("-P1D").
func (w *writer) alarm(trigger, description string) {
	w.line("BEGIN", "VALARM")
	w.line("ACTION", "DISPLAY")
	w.line("TRIGGER", trigger)
	w.text("DESCRIPTION", description)
	w.line("END", "VALARM")
}

// escapeText escapes a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 3.3.11).
// Other control characters are dropped: they are not allowed in a content line.
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
