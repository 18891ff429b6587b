package i18n

import (
	"sort"

	"golang.org/x/text/language"
)

// Negotiate picks the language to answer in: the citizen's saved preference when it is one of the
// bundle's languages, else the best match for the Accept-Language header ("no", "nb-NO" and "da" →
// nb, "nn-NO" → nn), else the source language nb.
func (b *Bundle) Negotiate(saved, acceptLanguage string) string {
	if saved != "" && b.Has(saved) {
		return saved
	}
	if acceptLanguage == "" {
		return Source
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Source
	}
	_, i, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return Source
	}
	return b.matchTags[i]
}

// Pick chooses the text of agency content (a case title, a tile, a notification) for lang, through
// the same chain as messages and then any language present (in code order, for a stable answer).
// It returns the text and the language it is in, so the client can set lang and dir on it; both are
// empty when texts has no non-empty text.
func Pick(texts map[string]string, lang string) (text, usedLang string) {
	for _, code := range Chain(lang) {
		if t := texts[code]; t != "" {
			return t, code
		}
	}
	codes := make([]string, 0, len(texts))
	for code, t := range texts {
		if t != "" {
			codes = append(codes, code)
		}
	}
	if len(codes) == 0 {
		return "", ""
	}
	sort.Strings(codes)
	return texts[codes[0]], codes[0]
}
