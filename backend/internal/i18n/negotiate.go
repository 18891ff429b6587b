package i18n

import (
	"sort"
	"strings"

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
	if lang, ok := b.negotiated.Load(acceptLanguage); ok {
		return lang.(string)
	}
	lang := b.match(acceptLanguage)
	if b.negotiatedCount.Load() < negotiatedKept {
		// Cloned: Fiber's header values are views of a buffer that the next request reuses.
		if _, had := b.negotiated.LoadOrStore(strings.Clone(acceptLanguage), lang); !had {
			b.negotiatedCount.Add(1)
		}
	}
	return lang
}

// negotiatedKept bounds the headers whose match Negotiate remembers. Browsers send a few dozen
// distinct Accept-Language headers, and every request carries one; matching one costs about 2 µs
// and 19 allocations, remembering it a map read. The header is the client's to choose, so past
// the bound a new one is matched every time and nothing more is kept.
const negotiatedKept = 1024

// match is the bundle's language that best matches an Accept-Language header, else the source.
func (b *Bundle) match(acceptLanguage string) string {
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
