package i18n

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// ReviewFile lists, per language, the message ids whose translation awaits a native speaker's review.
// It lives beside the message files because go-i18n rejects unknown keys inside a message table;
// "*" marks a whole language as machine- or non-native-translated.
const ReviewFile = "review.toml"

// localeFile is one parsed locales/<lang>.toml.
type localeFile struct {
	lang     string
	messages map[string]Message
	hashes   map[string]string // id → hash of the source text the translation was made from
	descs    map[string]string // id → description (source language only)
}

// catalog is everything read from a locales directory.
type catalog struct {
	files  map[string]*localeFile
	review map[string]map[string]bool // lang → id → needs review ("*" for all)
}

// loadCatalog reads every *.toml at the root of fsys. A file name that is not a known language
// (nor the review list) is an error, so a misnamed file cannot go unnoticed.
func loadCatalog(fsys fs.FS, langs []Language) (*catalog, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("i18n: list locales: %w", err)
	}
	sort.Strings(names)
	c := &catalog{files: map[string]*localeFile{}, review: map[string]map[string]bool{}}
	for _, name := range names {
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", name, err)
		}
		if name == ReviewFile {
			if err := c.parseReview(buf); err != nil {
				return nil, err
			}
			continue
		}
		lang := strings.TrimSuffix(path.Base(name), ".toml")
		if _, ok := languageByCode(langs, lang); !ok {
			return nil, fmt.Errorf("i18n: %s: %q is not a language of Min side", name, lang)
		}
		f, err := parseLocaleFile(lang, buf)
		if err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", name, err)
		}
		c.files[lang] = f
	}
	if _, ok := c.files[Source]; !ok {
		return nil, fmt.Errorf("i18n: the source language file %s.toml is missing", Source)
	}
	return c, nil
}

func parseLocaleFile(lang string, buf []byte) (*localeFile, error) {
	msgs, err := goi18n.ParseMessageBytes(buf, toml.Unmarshal)
	if err != nil {
		return nil, err
	}
	f := &localeFile{lang: lang, messages: map[string]Message{}, hashes: map[string]string{}, descs: map[string]string{}}
	for _, m := range msgs {
		if !ValidID(m.ID) {
			return nil, fmt.Errorf("message id %q must be dotted segments of letters, digits and underscores, each starting lowercase", m.ID)
		}
		f.messages[m.ID] = fromGoI18n(m)
		if m.Hash != "" {
			f.hashes[m.ID] = m.Hash
		}
		if m.Description != "" {
			f.descs[m.ID] = m.Description
		}
	}
	return f, nil
}

func (c *catalog) parseReview(buf []byte) error {
	var raw map[string][]string
	if err := toml.Unmarshal(buf, &raw); err != nil {
		return fmt.Errorf("i18n: parse %s: %w", ReviewFile, err)
	}
	for lang, ids := range raw {
		set := map[string]bool{}
		for _, id := range ids {
			set[id] = true
		}
		c.review[lang] = set
	}
	return nil
}

// needsReview reports whether the translation of id into lang awaits review.
func (c *catalog) needsReview(lang, id string) bool {
	set := c.review[lang]
	return set["*"] || set[id]
}

// idRe is the shape of a message id. A segment may be camelCase only because some ids are built from
// API values the PWA receives (ui.preferences.channel.inApp); everything else is lowercase by habit.
var idRe = regexp.MustCompile(`^[a-z][A-Za-z0-9_]*(\.[a-z][A-Za-z0-9_]*)*$`)

// ValidID reports whether id has the shape of a message id, so callers (the translator API) can refuse
// a malformed id before looking it up.
func ValidID(id string) bool { return idRe.MatchString(id) }
