package ingest

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/i18n"
	"minside/backend/internal/links"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/textcheck"
)

// Bounds of what an agency may send. They keep one record small enough for a phone screen and a
// web push, and a bulk request bounded in memory.
const (
	maxTitle       = 200
	maxBody        = 4000
	maxName        = 200
	maxExternalID  = 200
	maxEvents      = 100
	maxDocuments   = 50
	maxWindows     = 50
	maxAccessPts   = 50
	maxListItems   = 50
	maxShortString = 100
)

// The text rules of the record fields (textcheck: no control characters, no bidi controls in
// one-line text, no invisible-only values, NFC). Links follow the link policy instead (links:
// refused when a browser would read them differently from what is written).
var (
	titleText = textcheck.Line.Limit(maxTitle)
	bodyText  = textcheck.Text.Limit(maxBody)
	// openingHoursText is a facility's opening hours: a few lines ("Mon–Fri 08–22\nSat 10–16").
	openingHoursText = textcheck.Text.Limit(500)
	nameText         = textcheck.Line.Limit(maxName)
	shortText        = textcheck.Line.Limit(maxShortString)
	tokenText        = textcheck.Line.Limit(maxExternalID)
)

// Areas a case, booking or scoped power of attorney belongs to.
var areas = []string{"building", "kindergarten", "school", "health", "care", "culture", "waste", "library", "tax", "other"}

var validExternalID = regexp.MustCompile(`^[A-Za-z0-9._:~-]{1,200}$`)

// checker collects every problem of one record; each method reports at a JSON pointer.
type checker struct {
	fields apperr.Fields
	base   string // prefix of every pointer ("" for PUT, "/record" in bulk)
	pids   pid.Options
}

func (c *checker) add(ptr, key string, data map[string]any) { c.fields.Add(c.base+ptr, key, data) }

func (c *checker) err() error { return c.fields.Err() }

// ExternalID checks an id that becomes part of a URL: a safe alphabet, and never something that
// looks like a national identity number.
func checkExternalID(c *checker, ptr, id string) {
	switch {
	case id == "":
		c.add(ptr, "field.required", nil)
	case !validExternalID.MatchString(id):
		c.add(ptr, "field.invalid", nil)
	case looksLikePID(id):
		c.add(ptr, "field.external_id_looks_like_pid", nil)
	}
}

// looksLikePID refuses 11-digit ids: they end up in URLs and logs, where a national id must never be.
func looksLikePID(s string) bool {
	if len(s) != 11 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (c *checker) version(v int64) {
	if v <= 0 {
		c.add("/version", "field.out_of_range", map[string]any{"Min": 1})
	}
}

func (c *checker) pid(ptr, s string) (pid.Number, bool) {
	if s == "" {
		c.add(ptr, "field.required", nil)
		return pid.Number{}, false
	}
	n, err := pid.Parse(s, c.pids)
	if err != nil || s != strings.TrimSpace(s) {
		// pid.Parse forgives spaces around a number a person typed; an agency system that sends
		// them has a bug worth hearing about.
		c.add(ptr, pid.FieldKey, nil)
		return pid.Number{}, false
	}
	return n, true
}

// text checks one free-text field by rule and replaces *s by its canonical form (NFC). It
// reports whether the value is acceptable, so a URL check can follow only for clean text.
func (c *checker) text(ptr string, s *string, rule textcheck.Rule) bool {
	v, problem := textcheck.Check(*s, rule)
	if problem != nil {
		c.add(ptr, problem.Key, problem.Data)
		return false
	}
	*s = v
	return true
}

func (c *checker) oneOf(ptr, s string, allowed []string, required bool) {
	if s == "" {
		if required {
			c.add(ptr, "field.required", nil)
		}
		return
	}
	if !slices.Contains(allowed, s) {
		c.add(ptr, "field.invalid_enum", map[string]any{"Allowed": strings.Join(allowed, ", ")})
	}
}

func (c *checker) count(ptr string, n, max int) {
	if n > max {
		c.add(ptr, "field.too_many", map[string]any{"Max": max})
	}
}

// texts checks a lang → text object: supported languages only, each text by rule (and never
// empty), and (when required) at least bokmål or English so every reader's fallback chain finds
// something. The texts are replaced by their canonical form.
func (c *checker) texts(ptr string, t map[string]string, rule textcheck.Rule, required bool) {
	if len(t) == 0 {
		if required {
			c.add(ptr, "field.required", nil)
		}
		return
	}
	supported := languageCodes()
	for _, lang := range slices.Sorted(maps.Keys(t)) {
		p := ptr + "/" + escapePointer(lang)
		if !slices.Contains(supported, lang) {
			c.add(p, "field.invalid_language", map[string]any{"Supported": strings.Join(supported, ", ")})
			continue
		}
		v := t[lang]
		if c.text(p, &v, rule.Need(true)) {
			t[lang] = v
		}
	}
	if required && t["nb"] == "" && t["en"] == "" {
		c.add(ptr+"/nb", "field.required", nil)
	}
}

// time parses an RFC 3339 time; empty is allowed unless required.
func (c *checker) time(ptr, s string, required bool) *time.Time {
	if s == "" {
		if required {
			c.add(ptr, "field.required", nil)
		}
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		c.add(ptr, "field.invalid_time", nil)
		return nil
	}
	t = store.UTC(t)
	return &t
}

// httpsURL checks an absolute https URL by the one link policy (package links).
func (c *checker) httpsURL(ptr, s string, required bool) {
	if s == "" {
		if required {
			c.add(ptr, "field.required", nil)
		}
		return
	}
	c.linkError(ptr, links.Policy{}.CheckHTTPS(s))
}

// link is an https URL or a path that stays inside the portal as a browser reads it ("/cases/…";
// never "//host", "/\host" or "/\t/host"), by the one link policy (package links).
func (c *checker) link(ptr, s string) {
	if s == "" {
		return
	}
	c.linkError(ptr, links.Policy{}.CheckLink(s))
}

func (c *checker) linkError(ptr string, err error) {
	switch {
	case err == nil:
	case errors.Is(err, links.ErrNotHTTPS):
		c.add(ptr, "field.must_be_https", nil)
	default:
		c.add(ptr, "field.invalid_url", nil)
	}
}

func languageCodes() []string {
	langs := i18n.Languages()
	out := make([]string, len(langs))
	for i, l := range langs {
		out[i] = l.Code
	}
	return out
}
