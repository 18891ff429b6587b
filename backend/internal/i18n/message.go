package i18n

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// Message is the text of one message in one language: Other alone for a plain message, or one text
// per CLDR plural category. It is what translator overrides are stored as.
type Message struct {
	Zero  string `json:"zero,omitempty"`
	One   string `json:"one,omitempty"`
	Two   string `json:"two,omitempty"`
	Few   string `json:"few,omitempty"`
	Many  string `json:"many,omitempty"`
	Other string `json:"other,omitempty"`
}

// pluralCategories is the CLDR order of plural categories.
var pluralCategories = [...]string{"zero", "one", "two", "few", "many", "other"}

// Forms returns the non-empty texts by plural category.
func (m Message) Forms() map[string]string {
	out := make(map[string]string, 2)
	for i, text := range [...]string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		if text != "" {
			out[pluralCategories[i]] = text
		}
	}
	return out
}

// IsPlural reports whether the message has any form besides other.
func (m Message) IsPlural() bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}

func fromGoI18n(m *goi18n.Message) Message {
	return Message{Zero: m.Zero, One: m.One, Two: m.Two, Few: m.Few, Many: m.Many, Other: m.Other}
}

func (m Message) toGoI18n(id string) *goi18n.Message {
	return &goi18n.Message{ID: id, Zero: m.Zero, One: m.One, Two: m.Two, Few: m.Few, Many: m.Many, Other: m.Other}
}

// SourceHash identifies the source text a translation was made from: "sha256:" and the first 16 hex
// digits of a hash over the source message's text forms. The description is left out on purpose, so
// clarifying a description does not mark every translation outdated (unlike `goi18n merge`).
func SourceHash(m Message) string {
	h := sha256.New()
	forms := m.Forms()
	for _, cat := range pluralCategories {
		if text, ok := forms[cat]; ok {
			h.Write([]byte(cat))
			h.Write([]byte{0})
			h.Write([]byte(text))
			h.Write([]byte{0})
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}

var placeholderRe = regexp.MustCompile(`\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// Placeholders returns the sorted, distinct names of the {{.X}} placeholders in text.
func Placeholders(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range placeholderRe.FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

// splitPlaceholders cuts text into alternating literal and placeholder parts, so text can be
// transformed without touching what go-i18n will substitute.
func splitPlaceholders(text string) (parts []string, isPlaceholder []bool) {
	last := 0
	for _, loc := range placeholderRe.FindAllStringIndex(text, -1) {
		if loc[0] > last {
			parts = append(parts, text[last:loc[0]])
			isPlaceholder = append(isPlaceholder, false)
		}
		parts = append(parts, text[loc[0]:loc[1]])
		isPlaceholder = append(isPlaceholder, true)
		last = loc[1]
	}
	if last < len(text) {
		parts = append(parts, text[last:])
		isPlaceholder = append(isPlaceholder, false)
	}
	return parts, isPlaceholder
}

// joinSorted renders a placeholder list for messages to humans.
func joinSorted(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
