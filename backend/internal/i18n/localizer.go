package i18n

import (
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// Localizer formats messages for one language through its fallback chain. It keeps the snapshot it
// was made from, so one request sees one consistent set of messages even across a reload.
type Localizer struct {
	snap      *snapshot
	lang      Language
	chain     []string
	onMissing func(lang, id string)
}

// Localizer returns a localizer for lang. A code that is not exactly one of the bundle's languages
// is negotiated as if it were an Accept-Language value ("nn-NO" → nn, unknown → nb).
func (b *Bundle) Localizer(lang string) *Localizer {
	l, ok := languageByCode(b.langs, lang)
	if !ok {
		l, _ = languageByCode(b.langs, b.Negotiate("", lang))
	}
	return &Localizer{snap: b.snap.Load(), lang: l, chain: Chain(l.Code), onMissing: b.opts.OnMissing}
}

// Lang returns the language code the localizer speaks.
func (l *Localizer) Lang() string { return l.lang.Code }

// Dir returns the text direction of the language, "ltr" or "rtl".
func (l *Localizer) Dir() string { return l.lang.Dir }

// T returns the message id filled in with data. It never fails: a message missing in the language is
// taken from the next language of the chain, and a message missing everywhere gives the id itself.
func (l *Localizer) T(id string, data map[string]any) string {
	return l.localize(id, data, nil)
}

// Plural returns the plural form of id for count, by the CLDR rules of the language the text is in.
// {{.Count}} is set to count unless data already has it.
func (l *Localizer) Plural(id string, count int, data map[string]any) string {
	withCount := make(map[string]any, len(data)+1)
	for k, v := range data {
		withCount[k] = v
	}
	if _, ok := withCount["Count"]; !ok {
		withCount["Count"] = count
	}
	return l.localize(id, withCount, count)
}

func (l *Localizer) localize(id string, data map[string]any, count any) string {
	best := ""
	for i, code := range l.chain {
		t := l.snap.langs[code]
		if t == nil {
			continue
		}
		if _, ok := t.messages[id]; !ok {
			continue
		}
		out, err := t.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
		if err == nil {
			if i > 0 {
				l.missing(id)
			}
			return out
		}
		// A translation lacking the plural form needed gives its "other" form and an error; keep it
		// in case no later language does better.
		if best == "" {
			best = out
		}
	}
	l.missing(id)
	if best != "" {
		return best
	}
	return id
}

func (l *Localizer) missing(id string) {
	if l.onMissing != nil {
		l.onMissing(l.lang.Code, id)
	}
}

// Messages returns every message for lang after fallback, for the PWA to download: id → template
// string, or id → map of plural category → template for plural messages. Templates are unfilled
// ({{.Name}} stays). A plural message taken from a fallback language carries that language's
// categories, so the client must use "other" when the category it computes is absent.
func (b *Bundle) Messages(lang string) map[string]any {
	loc := b.Localizer(lang)
	s := loc.snap
	src := s.langs[Source].messages
	out := make(map[string]any, len(s.sourceIDs))
	for _, id := range s.sourceIDs {
		m, ok := loc.raw(id)
		if !ok {
			continue
		}
		if !src[id].IsPlural() {
			out[id] = m.Other
			continue
		}
		out[id] = m.Forms()
	}
	return out
}

// raw returns the first text of id along the chain.
func (l *Localizer) raw(id string) (Message, bool) {
	for _, code := range l.chain {
		if t := l.snap.langs[code]; t != nil {
			if m, ok := t.messages[id]; ok && len(m.Forms()) > 0 {
				return m, true
			}
		}
	}
	return Message{}, false
}
