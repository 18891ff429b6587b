package translate

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/i18n"
)

// Message statuses in one language, most urgent first.
const (
	StatusMissing    = "missing"    // neither the file nor an override has it
	StatusOutdated   = "outdated"   // made from an older source text
	StatusReview     = "review"     // awaits a native speaker
	StatusTranslated = "translated" // up to date
)

// Console is the translator console's service: progress, messages with their status, publishing
// overrides (validated, then live on every replica), export and history.
type Console struct {
	store    *Store
	bundle   *i18n.Bundle
	reloader *Reloader
	now      func() time.Time
}

// NewConsole returns the console over the store; publishing reloads through reloader at once.
func NewConsole(s *Store, b *i18n.Bundle, r *Reloader, now func() time.Time) *Console {
	return &Console{store: s, bundle: b, reloader: r, now: now}
}

// Permitted returns the languages a person may translate.
func (c *Console) Permitted(ctx context.Context, citizenID string) ([]string, error) {
	return c.store.Languages(ctx, citizenID)
}

// Progress counts one language's messages by status.
type Progress struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Dir         string   `json:"dir"`
	Plurals     []string `json:"plurals"`
	Total       int      `json:"total"`
	Translated  int      `json:"translated"`
	Missing     int      `json:"missing"`
	Outdated    int      `json:"outdated"`
	NeedsReview int      `json:"needsReview"`
	Permitted   bool     `json:"permitted"`
}

// MessageView is one message in one language as the console shows it.
type MessageView struct {
	ID           string            `json:"id"`
	Description  string            `json:"description"`
	Context      string            `json:"context"`
	Source       map[string]string `json:"source"`
	SourceHash   string            `json:"sourceHash"`
	Plurals      []string          `json:"plurals"` // the forms to fill: the language's CLDR categories, or just "other"
	Placeholders []string          `json:"placeholders"`
	Forms        map[string]string `json:"forms"`
	Origin       string            `json:"origin"` // "file", "override" or "" when missing
	Hash         string            `json:"hash"`   // the source hash the current forms were made from
	NeedsReview  bool              `json:"needsReview"`
	Status       string            `json:"status"`
	UpdatedAt    *time.Time        `json:"updatedAt,omitempty"`
}

// language finds a translatable language: one of Min side's, not the source and not a pseudo-locale.
func (c *Console) language(lang string) (i18n.Language, []i18n.FileEntry, error) {
	if lang == i18n.Source {
		return i18n.Language{}, nil, apperr.NotFound()
	}
	entries, ok := c.bundle.FileEntries(lang)
	if !ok {
		return i18n.Language{}, nil, apperr.NotFound()
	}
	for _, l := range c.bundle.Languages() {
		if l.Code == lang {
			return l, entries, nil
		}
	}
	return i18n.Language{}, nil, apperr.NotFound()
}

// Messages returns lang's messages whose status matches filter ("missing", "outdated", "review"
// or "" / "all").
func (c *Console) Messages(ctx context.Context, lang, filter string) ([]MessageView, error) {
	switch filter {
	case "", "all", StatusMissing, StatusOutdated, StatusReview:
	default:
		return nil, apperr.Invalid(apperr.Field("/filter", "field.invalid_enum", nil))
	}
	l, entries, err := c.language(lang)
	if err != nil {
		return nil, err
	}
	overrides, err := c.store.Language(ctx, lang)
	if err != nil {
		return nil, err
	}
	out := []MessageView{}
	for _, e := range entries {
		v := view(l, e, overrides)
		if filter == "" || filter == "all" || v.Status == filter || (filter == StatusReview && v.NeedsReview) {
			out = append(out, v)
		}
	}
	return out, nil
}

func view(l i18n.Language, e i18n.FileEntry, overrides map[string]Override) MessageView {
	v := MessageView{ID: e.ID, Description: e.Description, Context: contextNote(e.ID), Source: e.Source.Forms(),
		SourceHash: e.SourceHash, Plurals: []string{"other"}, Forms: e.File.Forms(), Hash: e.FileHash, NeedsReview: e.NeedsReview}
	if e.Source.IsPlural() {
		v.Plurals = l.Plurals
	}
	seen := map[string]bool{}
	for _, text := range v.Source {
		for _, p := range i18n.Placeholders(text) {
			if !seen[p] {
				seen[p] = true
				v.Placeholders = append(v.Placeholders, p)
			}
		}
	}
	sort.Strings(v.Placeholders)
	if len(v.Forms) > 0 {
		v.Origin = "file"
	}
	if o, ok := overrides[e.ID]; ok && len(o.Forms) > 0 {
		at := o.UpdatedAt
		v.Forms, v.Origin, v.Hash, v.NeedsReview, v.UpdatedAt = o.Forms, "override", o.SourceHash, o.NeedsReview, &at
	}
	switch {
	case len(v.Forms) == 0:
		v.Status, v.NeedsReview = StatusMissing, false
	case v.Hash != e.SourceHash:
		v.Status = StatusOutdated
	case v.NeedsReview:
		v.Status = StatusReview
	default:
		v.Status = StatusTranslated
	}
	return v
}

// Languages returns the progress of every translatable language, marking those in permitted.
func (c *Console) Languages(ctx context.Context, permitted []string) ([]Progress, error) {
	out := []Progress{}
	for _, l := range c.bundle.Languages() {
		if l.Code == i18n.Source {
			continue
		}
		msgs, err := c.Messages(ctx, l.Code, "all")
		if apperr.Is(err, apperr.CodeNotFound) {
			continue // a pseudo-locale
		} else if err != nil {
			return nil, err
		}
		p := Progress{Code: l.Code, Name: l.Name, Dir: l.Dir, Plurals: l.Plurals, Total: len(msgs)}
		for _, m := range msgs {
			switch m.Status {
			case StatusMissing:
				p.Missing++
			case StatusOutdated:
				p.Outdated++
			}
			if m.Status != StatusMissing {
				p.Translated++
			}
			if m.NeedsReview {
				p.NeedsReview++
			}
		}
		for _, code := range permitted {
			p.Permitted = p.Permitted || code == l.Code
		}
		out = append(out, p)
	}
	return out, nil
}

var formInProblem = regexp.MustCompile(`\[(zero|one|two|few|many|other)\]|form "(\w+)"`)

// Publish validates a translator's text, stores it as an override with the current source hash and
// a history row, and reloads the bundle so this replica serves it at once (the others within
// ReloadInterval). by is the translator's citizen id.
func (c *Console) Publish(ctx context.Context, lang, id string, forms map[string]string, needsReview bool, by string) (MessageView, error) {
	l, entries, err := c.language(lang)
	if err != nil {
		return MessageView{}, err
	}
	i := sort.Search(len(entries), func(i int) bool { return entries[i].ID >= id })
	if i == len(entries) || entries[i].ID != id {
		return MessageView{}, apperr.NotFound()
	}
	e := entries[i]
	if err := c.validate(l, e, forms); err != nil {
		return MessageView{}, err
	}
	clean := map[string]string{}
	for cat, text := range forms {
		if text != "" {
			clean[cat] = text
		}
	}
	o := Override{Lang: lang, MessageID: id, Forms: clean, SourceHash: e.SourceHash, NeedsReview: needsReview, UpdatedBy: by, UpdatedAt: c.now()}
	if _, err := c.store.Save(ctx, o); err != nil {
		return MessageView{}, err
	}
	if err := c.reloader.Load(ctx); err != nil {
		return MessageView{}, err
	}
	return view(l, e, map[string]Override{id: o}), nil
}

// validate answers every problem at once, each at the pointer of its form ("/forms/few").
func (c *Console) validate(l i18n.Language, e i18n.FileEntry, forms map[string]string) error {
	var fields apperr.Fields
	allowed := map[string]bool{"other": true}
	if e.Source.IsPlural() {
		for _, cat := range l.Plurals {
			allowed[cat] = true
		}
	}
	cats := make([]string, 0, len(forms))
	for cat := range forms {
		cats = append(cats, cat)
	}
	sort.Strings(cats)
	for _, cat := range cats {
		if !allowed[cat] {
			fields.Add("/forms/"+cat, "field.unknown", nil)
		}
	}
	if len(fields) > 0 {
		return fields.Err()
	}
	problems := c.bundle.ValidateOverride(l.Code, e.ID, messageOf(forms))
	for _, p := range problems {
		pointer := "/forms"
		if m := formInProblem.FindStringSubmatch(p); m != nil {
			pointer += "/" + m[1] + m[2]
		}
		key, data := "field.invalid", map[string]any(nil)
		switch {
		case strings.Contains(p, "lacks plural form") || strings.Contains(p, " is empty"):
			key = "field.required"
		case strings.Contains(p, "is longer than"):
			key, data = "field.too_long", map[string]any{"Max": i18n.FormBudget(e.Source)}
		}
		fields.Add(pointer, key, data)
	}
	if err := fields.Err(); err != nil {
		ae, _ := apperr.As(err)
		return ae.WithExtra("problems", problems)
	}
	return nil
}

// contextNote says where a message shows, from its id, for translators who cannot see the screen.
func contextNote(id string) string {
	parts := strings.Split(id, ".")
	switch parts[0] {
	case "error":
		if len(parts) > 1 && parts[1] == "detail" {
			return "The explanation under an error message's title."
		}
		return "The title of an error message the app shows above what went wrong."
	case "field":
		return "Shown next to a form field that was filled in wrongly."
	case "login":
		return "Shown on the welcome page when a login did not succeed."
	case "ui":
		if len(parts) > 2 {
			return "In the app, in the part about " + strings.ReplaceAll(parts[1], "_", " ") + " (" + strings.Join(parts[:2], ".") + ")."
		}
		return "In the app, everywhere (header, navigation)."
	}
	return "Text of Min side."
}

// HistoryLimit is how many changes the console shows per language.
const HistoryLimit = 200

// History returns lang's latest changes with the translators' names.
func (c *Console) History(ctx context.Context, lang string) ([]Change, error) {
	if _, _, err := c.language(lang); err != nil {
		return nil, err
	}
	return c.store.History(ctx, lang, HistoryLimit)
}
