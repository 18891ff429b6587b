package i18n

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"minside/backend/internal/textcheck"
)

// What a form of a message may hold, for the files and for translators' overrides alike: plain
// text (newline and tab allowed, no other control characters), the source's own {{.Name}}
// placeholders and no other template action (a translation must not be able to call printf,
// another template, or reach into the data), within a length budget.

// Length budget of a form, in characters: three times the source's longest form (languages differ
// a lot on short labels), at least the source + 60, and never over formMaxRunes.
const (
	formGrowth   = 3
	formSlack    = 60
	formMaxRunes = 2000
)

// FormBudget is the most characters a translated form of src may have.
func FormBudget(src Message) int {
	longest := 0
	for _, text := range src.Forms() {
		longest = max(longest, utf8.RuneCountInString(text))
	}
	return min(formMaxRunes, max(formGrowth*longest, longest+formSlack))
}

// formProblems says what is wrong with one form besides its placeholder names; "" when nothing.
func formProblems(text string, budget int) string {
	switch {
	case !textcheck.Clean(text, textcheck.Text):
		return "has a control character or damaged text (only newline and tab are allowed)"
	case strings.Contains(placeholderRe.ReplaceAllString(text, ""), "{{"):
		return "has a template action that is not a placeholder such as {{.Name}}"
	case utf8.RuneCountInString(text) > budget:
		return "is longer than " + strconv.Itoa(budget) + " characters"
	}
	return ""
}
