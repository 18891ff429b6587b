package overview

import (
	"testing"

	"minside/backend/internal/i18n"
)

// picked chooses as i18n.Pick does, field by field.
func TestPickedChoosesAsPickDoes(t *testing.T) {
	rows := []textRow{
		{"a", "title", "en", "Permit"}, {"a", "title", "nb", "Løyve"}, {"a", "title", "nn", "Løyve (nn)"},
		{"a", "body", "en", "English only"},
		{"b", "title", "uk", "Дозвіл"}, {"b", "title", "pl", "Pozwolenie"}, // neither in any chain: code order
		{"c", "title", "se", ""}, {"c", "title", "nb", "Søknad"}, // an empty text is no text
		{"d", "title", "se", ""},
	}
	for _, lang := range []string{"nb", "nn", "se", "en", "uk", "ar"} {
		got := (&queuedTexts{rows: rows, lang: lang}).picked()
		for _, owner := range []string{"a", "b", "c", "d"} {
			for _, field := range []string{"title", "body"} {
				values := map[string]string{}
				for _, r := range rows {
					if r.OwnerID == owner && r.Field == field {
						values[r.Lang] = r.Value
					}
				}
				want, _ := i18n.Pick(values, lang)
				if got.get(owner, field) != want {
					t.Errorf("%s: %s.%s = %q, want %q", lang, owner, field, got.get(owner, field), want)
				}
			}
		}
	}
}
