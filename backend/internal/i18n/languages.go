// Package i18n is the language layer of Min side: it loads the go-i18n message files in locales/,
// layers translator overrides from the database on top without a restart, and resolves every message
// through our own fallback chain (nn → nb → en, se → nb → en, others → en → nb), because go-i18n alone
// falls back in one step to a single default language.
package i18n

// Source is the language every message is written in first; translations are made from it.
const Source = "nb"

// Text directions, as used in the HTML dir attribute.
const (
	LTR = "ltr"
	RTL = "rtl"
)

// Language is one language Min side speaks. Names are in the language itself, never translated,
// so a citizen can always find their own language in the picker.
type Language struct {
	Code string // BCP 47 code and the locales/<code>.toml file name
	Name string // name of the language in itself
	Dir  string // LTR or RTL
	// Plurals lists the CLDR plural categories of the language, in CLDR order. Plural messages must
	// have a form for each of them.
	Plurals []string
}

// Languages returns the nine languages of Min side, the source language first. It returns a fresh
// slice each time, so callers may keep or sort it.
func Languages() []Language {
	oneOther := []string{"one", "other"}
	return []Language{
		{Code: "nb", Name: "Norsk bokmål", Dir: LTR, Plurals: oneOther},
		{Code: "nn", Name: "Norsk nynorsk", Dir: LTR, Plurals: oneOther},
		{Code: "en", Name: "English", Dir: LTR, Plurals: oneOther},
		{Code: "se", Name: "Davvisámegiella", Dir: LTR, Plurals: []string{"one", "two", "other"}},
		{Code: "uk", Name: "Українська", Dir: LTR, Plurals: []string{"one", "few", "many", "other"}},
		{Code: "pl", Name: "Polski", Dir: LTR, Plurals: []string{"one", "few", "many", "other"}},
		{Code: "ar", Name: "العربية", Dir: RTL, Plurals: []string{"zero", "one", "two", "few", "many", "other"}},
		{Code: "so", Name: "Soomaali", Dir: LTR, Plurals: oneOther},
		{Code: "ur", Name: "اردو", Dir: RTL, Plurals: oneOther},
	}
}

// Chain returns the languages to try, in order, for a message or agency text wanted in lang. The
// Norwegian written standards and Northern Sami readers read bokmål before English; everyone else is
// better served by English first.
func Chain(lang string) []string {
	switch lang {
	case "nb":
		return []string{"nb", "en"}
	case "nn", "se":
		return []string{lang, "nb", "en"}
	case "en":
		return []string{"en", "nb"}
	default:
		return []string{lang, "en", "nb"}
	}
}

// languageByCode finds a language in a list; ok is false when it is not there.
func languageByCode(langs []Language, code string) (Language, bool) {
	for _, l := range langs {
		if l.Code == code {
			return l, true
		}
	}
	return Language{}, false
}
