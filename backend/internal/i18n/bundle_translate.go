package i18n

// Translate renders one message id for lang; the web layer's error handler uses it to localize
// problem titles late, for the reader's language.
func (b *Bundle) Translate(lang, id string, data map[string]any) string {
	return b.Localizer(lang).T(id, data)
}
