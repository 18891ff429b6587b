package suggest

import (
	"strconv"
	"strings"
	"time"
)

// WhyPart is a piece of a filled-in why-text as the citizen API sends it: literal text, or a
// value the PWA formats in the reader's language (a date with Intl.DateTimeFormat).
type WhyPart struct {
	Text   string   `json:"t,omitempty"` // literal text
	Value  string   `json:"v,omitempty"` // a text value (a name)
	Number *float64 `json:"n,omitempty"`
	Date   string   `json:"d,omitempty"` // YYYY-MM-DD
}

// Fill fills template's placeholders with values. A placeholder without a value (a translation
// edited after the evaluation) shows as an empty text rather than failing the page.
func Fill(template string, values map[string]Value) []WhyPart {
	parts, problem := ParseTemplate(template)
	if problem != nil {
		return []WhyPart{{Text: template}}
	}
	out := make([]WhyPart, 0, len(parts))
	for _, p := range parts {
		if !p.Expr {
			out = append(out, WhyPart{Text: p.Text})
			continue
		}
		v := values[p.Text]
		switch {
		case v.Date != nil:
			out = append(out, WhyPart{Date: v.Date.UTC().Format(time.DateOnly)})
		case v.Num != nil:
			out = append(out, WhyPart{Number: v.Num})
		default:
			out = append(out, WhyPart{Value: v.Text})
		}
	}
	return out
}

// Plain is parts as one line with ISO dates: the audit log's and webhooks' form.
func Plain(parts []WhyPart) string {
	var b strings.Builder
	for _, p := range parts {
		switch {
		case p.Date != "":
			b.WriteString(p.Date)
		case p.Number != nil:
			b.WriteString(strconv.FormatFloat(*p.Number, 'f', -1, 64))
		case p.Value != "":
			b.WriteString(p.Value)
		default:
			b.WriteString(p.Text)
		}
	}
	return b.String()
}
