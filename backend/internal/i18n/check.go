package i18n

import (
	"fmt"
	"io"
	"io/fs"
	"sort"
	"text/tabwriter"
	"text/template"
)

// Coverage is how far one language has come.
type Coverage struct {
	Lang        string
	Total       int // messages in the source language
	Translated  int // of those, present in this language
	Missing     int
	Outdated    int // translated from an older source text (or without a hash)
	NeedsReview int // listed in review.toml
}

// Percent is the share of source messages translated.
func (c Coverage) Percent() float64 {
	if c.Total == 0 {
		return 100
	}
	return 100 * float64(c.Translated) / float64(c.Total)
}

// Report is the outcome of Check. Errors break the build (`minside locales check` exits non-zero);
// warnings are work for translators.
type Report struct {
	Errors   []string
	Warnings []string
	Coverage []Coverage // one per language, in Languages() order
}

// OK reports whether the locales have no errors.
func (r Report) OK() bool { return len(r.Errors) == 0 }

// required reports whether a language must be complete: the source's sister standard and the last resort.
func required(code string) bool { return code == "nn" || code == "en" }

// Check validates the message files in fsys: every source id exists in nn and en; no language has ids
// the source lacks; every form parses as a template and uses the source's placeholders (a zero, one
// or two form may leave out {{.Count}}, as the word itself says the number); plural messages have
// every CLDR category of their language. Translations made from an older source text are warnings.
// The error is for files that cannot be read or parsed at all.
func Check(fsys fs.FS) (Report, error) {
	langs := Languages()
	c, err := loadCatalog(fsys, langs)
	if err != nil {
		return Report{}, err
	}
	var r Report
	src := c.files[Source]
	ids := make([]string, 0, len(src.messages))
	for id := range src.messages {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, l := range langs {
		f, ok := c.files[l.Code]
		if !ok {
			if required(l.Code) {
				r.errorf("%s: %s.toml is missing", l.Code, l.Code)
			} else {
				r.warnf("%s: %s.toml is missing", l.Code, l.Code)
			}
			r.Coverage = append(r.Coverage, Coverage{Lang: l.Code, Total: len(ids), Missing: len(ids)})
			continue
		}
		r.Coverage = append(r.Coverage, r.checkLanguage(c, l, f, ids))
	}
	for lang, set := range c.review {
		if _, ok := languageByCode(langs, lang); !ok {
			r.errorf("%s: language %q is unknown", ReviewFile, lang)
			continue
		}
		for id := range set {
			if _, ok := src.messages[id]; !ok && id != "*" {
				r.warnf("%s: %s: unknown message %s", ReviewFile, lang, id)
			}
		}
	}
	sort.Strings(r.Warnings)
	return r, nil
}

func (r *Report) checkLanguage(c *catalog, l Language, f *localeFile, ids []string) Coverage {
	src := c.files[Source]
	cov := Coverage{Lang: l.Code, Total: len(ids)}
	for _, id := range ids {
		m, ok := f.messages[id]
		if !ok {
			cov.Missing++
			if required(l.Code) {
				r.errorf("%s: %s is missing", l.Code, id)
			}
			continue
		}
		cov.Translated++
		r.checkMessage(l, id, src.messages[id], m)
		if l.Code == Source {
			if f.descs[id] == "" {
				r.warnf("%s: %s has no description for translators", l.Code, id)
			}
			continue
		}
		if want := SourceHash(src.messages[id]); f.hashes[id] != want {
			cov.Outdated++
			if f.hashes[id] == "" {
				r.warnf("%s: %s has no hash of its source text", l.Code, id)
			} else {
				r.warnf("%s: %s is outdated (made from %s, source is now %s)", l.Code, id, f.hashes[id], want)
			}
		}
		if c.needsReview(l.Code, id) {
			cov.NeedsReview++
		}
	}
	extra := make([]string, 0)
	for id := range f.messages {
		if _, ok := src.messages[id]; !ok {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		r.errorf("%s: %s is not in the source language %s", l.Code, id, Source)
	}
	return cov
}

// checkMessage compares one translation (or the source itself) with its source message.
func (r *Report) checkMessage(l Language, id string, src, m Message) {
	forms := m.Forms()
	if len(forms) == 0 {
		r.errorf("%s: %s is empty", l.Code, id)
		return
	}
	if src.IsPlural() {
		for _, cat := range l.Plurals {
			if forms[cat] == "" {
				r.errorf("%s: %s lacks plural form %q", l.Code, id, cat)
			}
		}
		for cat := range forms {
			if !contains(l.Plurals, cat) {
				r.errorf("%s: %s has form %q, not a plural category of %s", l.Code, id, cat, l.Code)
			}
		}
	} else if m.IsPlural() {
		r.errorf("%s: %s has plural forms but the source message is not plural", l.Code, id)
	}
	srcForms := src.Forms()
	allowed := map[string]bool{}
	for _, text := range srcForms {
		for _, p := range Placeholders(text) {
			allowed[p] = true
		}
	}
	for _, cat := range pluralCategories {
		text, ok := forms[cat]
		if !ok {
			continue
		}
		if _, err := template.New(id).Parse(text); err != nil {
			r.errorf("%s: %s [%s] is not a valid template: %v", l.Code, id, cat, err)
			continue
		}
		if problem := formProblems(text, FormBudget(src)); problem != "" {
			r.errorf("%s: %s [%s] %s", l.Code, id, cat, problem)
			continue
		}
		ref, ok := srcForms[cat]
		if !ok {
			ref = src.Other
		}
		got := Placeholders(text)
		for _, p := range got {
			if !allowed[p] {
				r.errorf("%s: %s [%s] uses {{.%s}}, which the source does not have (source: %s)", l.Code, id, cat, p, joinSorted(Placeholders(ref)))
			}
		}
		for _, p := range Placeholders(ref) {
			if !contains(got, p) && !(p == "Count" && (cat == "zero" || cat == "one" || cat == "two")) {
				r.errorf("%s: %s [%s] lacks {{.%s}}", l.Code, id, cat, p)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (r *Report) errorf(format string, args ...any) {
	r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
}
func (r *Report) warnf(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// Write prints the coverage table, then errors and warnings, for a terminal or a CI log.
func (r Report) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lang\ttranslated\t%\tmissing\toutdated\tneeds review\t")
	for _, c := range r.Coverage {
		fmt.Fprintf(tw, "%s\t%d/%d\t%.1f\t%d\t%d\t%d\t\n", c.Lang, c.Translated, c.Total, c.Percent(), c.Missing, c.Outdated, c.NeedsReview)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("i18n: write report: %w", err)
	}
	for _, e := range r.Errors {
		fmt.Fprintln(w, "error:", e)
	}
	for _, e := range r.Warnings {
		fmt.Fprintln(w, "warning:", e)
	}
	_, err := fmt.Fprintf(w, "%d errors, %d warnings\n", len(r.Errors), len(r.Warnings))
	return err
}
