package account

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
	"time"

	"minside/backend/internal/i18n"
)

// The readable summary is one self-contained HTML page: no scripts, no external resources, one
// style element allowed by its hash (ExportHTMLPolicy), printable, in the person's language.

const exportStyle = `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:48rem;padding:1rem;color:#1a1a1a}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #999;margin-top:2rem}h3{font-size:1.05rem;margin:1rem 0 .25rem}
ul,ol{padding-inline-start:1.25rem}.meta{color:#444}dt{font-weight:600}dd{margin:0 0 .5rem}
@media print{body{max-width:none;font-size:11pt}h2{break-after:avoid}article,li{break-inside:avoid}}`

// ExportHTMLPolicy is the Content-Security-Policy of the readable summary: nothing runs or loads,
// only its own style element applies.
func ExportHTMLPolicy() string {
	sum := sha256.Sum256([]byte(exportStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

var exportPage = template.Must(template.New("export").Parse(`<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><style>{{.Style}}</style></head>
<body><main>
<h1>{{.Title}}</h1>
<p>{{.Intro}}</p>
{{range .Sections}}<section><h2>{{.Heading}}</h2>
{{if .Facts}}<dl>{{range .Facts}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>{{end}}
{{if .Items}}<ul>{{range .Items}}<li>{{if .Heading}}<h3 dir="auto">{{.Heading}}</h3>{{end}}{{range .Lines}}<p class="meta" dir="auto">{{.}}</p>{{end}}
{{if .List}}<ul>{{range .List}}<li dir="auto">{{.}}</li>{{end}}</ul>{{end}}</li>{{end}}</ul>
{{else if not .Facts}}<p>{{$.None}}</p>{{end}}
</section>
{{end}}</main></body></html>
`))

type htmlPage struct {
	Lang, Dir, Title, Intro, None string
	Style                         template.CSS
	Sections                      []htmlSection
}

type htmlSection struct {
	Heading string
	Facts   []htmlFact
	Items   []htmlItem
}

type htmlFact struct{ Label, Value string }

type htmlItem struct {
	Heading string
	Lines   []string
	List    []string
}

// RenderHTML writes d as the readable summary in d.Language: words and local dates, no ids.
func (s *Service) RenderHTML(d Data) ([]byte, error) {
	lang := d.Language
	tr := func(key string, data map[string]any) string { return s.tr.Translate(lang, key, data) }
	when := func(t time.Time) string { return localTime(lang, t, s.oslo) }
	day := func(t time.Time) string { return localDate(lang, t, s.oslo) }
	page := htmlPage{Lang: lang, Dir: i18n.LTR, Title: tr("export.title", nil), None: tr("export.none", nil),
		Intro: tr("export.intro", map[string]any{"Date": when(d.ExportedAt)}), Style: template.CSS(exportStyle)}
	if lang == "ar" || lang == "ur" {
		page.Dir = i18n.RTL
	}

	about := htmlSection{Heading: tr("export.about_you", nil), Facts: []htmlFact{{tr("export.name", nil), d.Person.Name}}}
	if d.Person.BirthDate != nil {
		about.Facts = append(about.Facts, htmlFact{tr("export.born", nil), day(*d.Person.BirthDate)})
	}
	if d.Person.District != "" {
		about.Facts = append(about.Facts, htmlFact{tr("export.district", nil), d.Person.District})
	}
	about.Facts = append(about.Facts, htmlFact{tr("export.account_since", nil), day(d.Person.CreatedAt)})

	prefs := htmlSection{Heading: tr("export.preferences", nil)}
	language := tr("export.language_auto", nil)
	if d.Preferences.Language != "" {
		language = languageName(d.Preferences.Language)
	}
	quiet := tr("export.quiet_off", nil)
	if q := d.Preferences.QuietHours; q.Enabled {
		quiet = q.Start + "–" + q.End
	}
	prefs.Facts = []htmlFact{{tr("export.language", nil), language}, {tr("ui.preferences.quiet_hours", nil), quiet}}

	cases := htmlSection{Heading: tr("ui.nav.cases", nil)}
	hidden := tr("ui.task.sensitive_hint", nil) // in place of what is withheld below the step-up level
	for _, c := range d.Cases {
		if c.Withheld {
			cases.Items = append(cases.Items, htmlItem{Heading: sensitiveFrom(tr, c.Agency),
				Lines: []string{join(c.Agency, tr("ui.cases.updated", nil)+" "+when(c.UpdatedAt)), hidden}})
			continue
		}
		it := htmlItem{Heading: c.Title, Lines: []string{join(c.Agency, tr("ui.cases.status."+c.Status, nil), tr("ui.cases.updated", nil)+" "+when(c.UpdatedAt))}}
		for _, e := range c.Events {
			it.List = append(it.List, join(when(e.OccurredAt), e.Title))
		}
		for _, doc := range c.Documents {
			name := doc.Name
			if doc.Withheld {
				name = hidden
			}
			it.List = append(it.List, join(tr("ui.cases.documents", nil), name))
		}
		cases.Items = append(cases.Items, it)
	}

	errands, messages, tasks, acknowledged := conversationSections(d, tr, when)
	reported, ideas := publicSections(d, tr, when)

	bookings := htmlSection{Heading: tr("ui.nav.bookings", nil)}
	for _, b := range d.Bookings {
		bookings.Items = append(bookings.Items, htmlItem{Heading: b.Title, Lines: []string{
			join(when(b.StartsAt)+" – "+when(b.EndsAt), b.Place, b.PlaceAddress),
			join(b.Agency, tr("ui.bookings.status."+b.Status, nil)),
		}})
	}

	keys := htmlSection{Heading: tr("ui.nav.keys", nil)}
	for _, k := range d.Keys {
		it := htmlItem{Heading: k.Facility, Lines: []string{join(k.Agency, tr("ui.keys.status."+k.Status, nil), when(k.ValidFrom)+" – "+when(k.ValidUntil))}}
		for _, w := range k.Windows {
			it.List = append(it.List, when(w.StartsAt)+" – "+when(w.EndsAt))
		}
		keys.Items = append(keys.Items, it)
	}

	notes := htmlSection{Heading: tr("ui.nav.notifications", nil)}
	for _, n := range d.Notifications {
		line := join(when(n.CreatedAt), n.Agency, tr("ui.notifications.category."+n.Category, nil))
		if n.ReadAt == nil {
			line = join(line, tr("ui.notifications.unread", nil))
		}
		notes.Items = append(notes.Items, htmlItem{Heading: n.Title, Lines: []string{line}})
	}

	relations := htmlSection{Heading: tr("export.relations", nil)}
	for _, r := range d.Relations {
		data := map[string]any{"Name": r.Person, "Kind": tr("ui.people.relation."+r.Kind, nil)}
		heading := tr("export.relation_for_me", data)
		if r.Direction == "by_me" {
			heading = tr("export.relation_by_me", data)
		}
		period := day(r.ValidFrom) + " –"
		if r.ValidUntil != nil {
			period += " " + day(*r.ValidUntil)
		}
		relations.Items = append(relations.Items, htmlItem{Heading: heading, Lines: []string{join(r.Agency, period)}})
	}

	devices := htmlSection{Heading: tr("ui.settings.devices", nil)}
	for _, dev := range d.Devices {
		devices.Items = append(devices.Items, htmlItem{Heading: dev.Label, Lines: []string{tr("export.device_added", map[string]any{"Date": day(dev.CreatedAt)})}})
	}

	log := htmlSection{Heading: tr("ui.data.access_log", nil)}
	for _, e := range d.AccessLog {
		log.Items = append(log.Items, htmlItem{Lines: []string{join(when(e.At), e.Text)}})
	}

	page.Sections = []htmlSection{about, prefs, cases, errands, messages, tasks, acknowledged, reported, ideas, bookings, keys, notes, relations, devices, log}
	var out bytes.Buffer
	if err := exportPage.Execute(&out, page); err != nil {
		return nil, fmt.Errorf("account: render export: %w", err)
	}
	return out.Bytes(), nil
}

func join(parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " · ")
}

// localDate and localTime write a moment in Oslo time the way the reader's language writes dates.
func localDate(lang string, t time.Time, oslo *time.Location) string {
	switch lang {
	case "en":
		return t.In(oslo).Format("2 January 2006")
	case "ar", "ur", "so":
		return t.In(oslo).Format("2006-01-02")
	}
	return t.In(oslo).Format("02.01.2006")
}

func localTime(lang string, t time.Time, oslo *time.Location) string {
	return localDate(lang, t, oslo) + " " + t.In(oslo).Format("15:04")
}

func languageName(code string) string {
	for _, l := range i18n.Languages() {
		if l.Code == code {
			return l.Name
		}
	}
	return code
}
