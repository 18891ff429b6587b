package i18n

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"sync"
	"sync/atomic"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// OverrideSource yields translator overrides (lang → id → message), e.g. from the database, so a
// translator can publish without a restart.
type OverrideSource interface {
	Overrides(ctx context.Context) (map[string]map[string]Message, error)
}

// Options configures a Bundle. The zero value is valid.
type Options struct {
	// Overrides is read by Reload. Nil means files only.
	Overrides OverrideSource
	// OnMissing is called with the wanted language and id whenever a message is not found in the
	// wanted language and a fallback (or the bare id) is used instead. It must be cheap and safe
	// for concurrent use (the server counts it in Prometheus).
	OnMissing func(lang, id string)
	// Pseudo adds the pseudo-locales PseudoAccent and PseudoRTL (development only), to find
	// hard-coded strings, truncation and direction bugs.
	Pseudo bool
}

// Bundle holds every message of every language. It is safe for concurrent use; overrides are
// swapped in as a whole new immutable snapshot, so a request never sees half an update.
type Bundle struct {
	langs     []Language
	files     *catalog
	opts      Options
	matcher   language.Matcher
	matchTags []string
	snap      atomic.Pointer[snapshot]

	negotiated      sync.Map // Accept-Language header → language (Negotiate)
	negotiatedCount atomic.Int64
}

// snapshot is an immutable view of all messages after overrides.
type snapshot struct {
	langs     map[string]*langTable
	sourceIDs []string // sorted ids of the source language
}

// langTable is one language's messages and the go-i18n localizer that formats them. Each language has
// its own go-i18n bundle whose default is itself, so go-i18n never falls back on its own: the chain is ours.
type langTable struct {
	lang     Language
	messages map[string]Message
	loc      *goi18n.Localizer
}

// New loads every *.toml in fsys (the server passes locales.FS). Overrides are not read here;
// call Reload once the database is open.
func New(fsys fs.FS, opts Options) (*Bundle, error) {
	langs := Languages()
	files, err := loadCatalog(fsys, langs)
	if err != nil {
		return nil, err
	}
	b := &Bundle{langs: langs, files: files, opts: opts}
	tags := make([]language.Tag, 0, len(langs))
	for _, l := range langs {
		tags = append(tags, language.MustParse(l.Code))
		b.matchTags = append(b.matchTags, l.Code)
	}
	b.matcher = language.NewMatcher(tags)
	if opts.Pseudo {
		b.langs = append(b.langs, pseudoLanguages()...)
	}
	if err := b.SetOverrides(nil); err != nil {
		return nil, err
	}
	return b, nil
}

// Languages returns the languages the bundle serves: the nine, plus the pseudo-locales in dev.
func (b *Bundle) Languages() []Language {
	out := make([]Language, len(b.langs))
	copy(out, b.langs)
	return out
}

// Has reports whether code is exactly one of the bundle's languages (as a saved preference must be).
func (b *Bundle) Has(code string) bool {
	_, ok := languageByCode(b.langs, code)
	return ok
}

// Reload reads the overrides source again and swaps in the result. On error the current messages stay.
func (b *Bundle) Reload(ctx context.Context) error {
	if b.opts.Overrides == nil {
		return nil
	}
	o, err := b.opts.Overrides.Overrides(ctx)
	if err != nil {
		return fmt.Errorf("i18n: reload overrides: %w", err)
	}
	return b.SetOverrides(o)
}

// SetOverrides replaces all overrides (lang → id → message) at once; they win over the files.
// An override for a language the bundle does not serve, or for an id the source language does not
// have, is refused, so a typo cannot silently add messages nobody asks for.
func (b *Bundle) SetOverrides(overrides map[string]map[string]Message) error {
	src := b.files.files[Source].messages
	for lang, msgs := range overrides {
		if _, ok := languageByCode(b.langs, lang); !ok || isPseudo(lang) {
			return fmt.Errorf("i18n: override for unknown language %q", lang)
		}
		for id := range msgs {
			if _, ok := src[id]; !ok {
				return fmt.Errorf("i18n: override for unknown message %q", id)
			}
		}
	}
	s := &snapshot{langs: map[string]*langTable{}}
	for id := range src {
		s.sourceIDs = append(s.sourceIDs, id)
	}
	sort.Strings(s.sourceIDs)
	for _, l := range b.langs {
		if isPseudo(l.Code) {
			continue
		}
		msgs := map[string]Message{}
		if f, ok := b.files.files[l.Code]; ok {
			for id, m := range f.messages {
				msgs[id] = m
			}
		}
		for id, m := range overrides[l.Code] {
			if len(m.Forms()) > 0 { // an emptied override means "use the file again"
				msgs[id] = m
			}
		}
		t, err := newLangTable(l, language.MustParse(l.Code), msgs)
		if err != nil {
			return err
		}
		s.langs[l.Code] = t
	}
	if b.opts.Pseudo {
		if err := addPseudoTables(s); err != nil {
			return err
		}
	}
	b.snap.Store(s)
	return nil
}

// newLangTable builds a language's go-i18n bundle. pluralTag picks the CLDR plural rules, which for
// a pseudo-locale are those of the language it is derived from.
func newLangTable(l Language, pluralTag language.Tag, msgs map[string]Message) (*langTable, error) {
	gb := goi18n.NewBundle(pluralTag)
	for id, m := range msgs {
		if err := gb.AddMessages(pluralTag, m.toGoI18n(id)); err != nil {
			return nil, fmt.Errorf("i18n: add %s %s: %w", l.Code, id, err)
		}
	}
	return &langTable{lang: l, messages: msgs, loc: goi18n.NewLocalizer(gb, pluralTag.String())}, nil
}

// ValidateOverride checks a translator's message before it is stored, by the rules of Check: a
// known language and source id, the source's placeholders, every plural category of the language.
// It returns the problems in plain English for the translator console; none means it may be saved.
func (b *Bundle) ValidateOverride(lang, id string, m Message) []string {
	l, ok := languageByCode(b.langs, lang)
	if !ok || isPseudo(lang) {
		return []string{fmt.Sprintf("%q is not a language of Min side", lang)}
	}
	src, ok := b.files.files[Source].messages[id]
	if !ok {
		return []string{fmt.Sprintf("%q is not a message of the source language %s", id, Source)}
	}
	var r Report
	r.checkMessage(l, id, src, m)
	return r.Errors
}
