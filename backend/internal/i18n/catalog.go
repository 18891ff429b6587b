package i18n

import "sort"

// FileEntry is one source message as the translator console sees it in one language: the source
// text and its description, and what the embedded locales/<lang>.toml holds for it (overrides from
// the database are the translate package's business).
type FileEntry struct {
	ID          string
	Description string
	Source      Message
	SourceHash  string  // SourceHash(Source): what a translation made now must carry
	File        Message // the file's translation; empty when the file lacks the message
	FileHash    string  // the hash the file's translation was made from ("" when none)
	NeedsReview bool    // review.toml lists the translation as awaiting a native speaker
}

// FileEntries returns every source message with lang's file translation, sorted by id. ok is false
// for a language the bundle does not serve or a pseudo-locale (nothing to translate there).
func (b *Bundle) FileEntries(lang string) (entries []FileEntry, ok bool) {
	if _, known := languageByCode(b.langs, lang); !known || isPseudo(lang) {
		return nil, false
	}
	src := b.files.files[Source]
	f := b.files.files[lang]
	ids := make([]string, 0, len(src.messages))
	for id := range src.messages {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	entries = make([]FileEntry, 0, len(ids))
	for _, id := range ids {
		e := FileEntry{ID: id, Description: src.descs[id], Source: src.messages[id], SourceHash: SourceHash(src.messages[id])}
		if f != nil {
			e.File, e.FileHash = f.messages[id], f.hashes[id]
		}
		if lang == Source {
			e.FileHash = e.SourceHash
		}
		e.NeedsReview = len(e.File.Forms()) > 0 && b.files.needsReview(lang, id)
		entries = append(entries, e)
	}
	return entries, true
}

// HasSource reports whether id is a message of the source language, so stale overrides (for an id
// a release removed) can be skipped instead of failing a whole reload.
func (b *Bundle) HasSource(id string) bool {
	_, ok := b.files.files[Source].messages[id]
	return ok
}
