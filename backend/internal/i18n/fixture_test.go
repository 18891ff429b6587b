package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

// Small hand-made locales that make each fallback step visible: ui.nb_en exists in nb and en only,
// ui.nb_only in nb only.
var fixtureFiles = map[string]string{
	"nb.toml": `
[ui.greeting]
description = "Greets the citizen."
other = "Hei, {{.Name}}"

[ui.nb_en]
description = "Exists in bokmål and English."
other = "Bokmål-tekst"

[ui.nb_only]
description = "Exists in bokmål only."
other = "Bare bokmål"

[ui.days]
description = "Days left."
one = "{{.Count}} dag igjen"
other = "{{.Count}} dager igjen"
`,
	"nn.toml": `
[ui.greeting]
other = "Hei på deg, {{.Name}}"

[ui.days]
one = "{{.Count}} dag att"
other = "{{.Count}} dagar att"
`,
	"en.toml": `
[ui.greeting]
other = "Hello, {{.Name}}"

[ui.nb_en]
other = "English text"

[ui.days]
one = "{{.Count}} day left"
other = "{{.Count}} days left"
`,
	"se.toml": `
[ui.greeting]
other = "Bures, {{.Name}}"
`,
	"uk.toml": `
[ui.greeting]
other = "Привіт, {{.Name}}"
`,
}

// fixtureFS returns the fixture with some files replaced (or removed, with an empty text).
func fixtureFS(replace map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range fixtureFiles {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	for name, text := range replace {
		if text == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// missingLog records OnMissing calls.
type missingLog struct{ calls []string }

func (m *missingLog) record(lang, id string) { m.calls = append(m.calls, lang+" "+id) }

func newFixtureBundle(t testing.TB, opts Options) *Bundle {
	t.Helper()
	b, err := New(fixtureFS(nil), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

func hasLine(lines []string, substr string) bool {
	for _, l := range lines {
		if strings.Contains(l, substr) {
			return true
		}
	}
	return false
}
