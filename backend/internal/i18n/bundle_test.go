package i18n

import (
	"context"
	"errors"
	"sync"
	"testing"
)

type fakeOverrides struct {
	o   map[string]map[string]Message
	err error
}

func (f *fakeOverrides) Overrides(context.Context) (map[string]map[string]Message, error) {
	return f.o, f.err
}

func TestOverridesTakeEffectWithoutRestart(t *testing.T) {
	src := &fakeOverrides{}
	b := newFixtureBundle(t, Options{Overrides: src})
	before := b.Localizer("nn")

	src.o = map[string]map[string]Message{"nn": {"ui.nb_en": {Other: "Nynorsk frå omsetjar"}}}
	if err := b.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := b.Localizer("nn").T("ui.nb_en", nil); got != "Nynorsk frå omsetjar" {
		t.Errorf("after reload: %q", got)
	}
	if got := before.T("ui.nb_en", nil); got != "Bokmål-tekst" {
		t.Errorf("a localizer made before the reload keeps its snapshot, got %q", got)
	}
	// The override of nn does not leak into se, whose chain skips nn.
	if got := b.Localizer("se").T("ui.nb_en", nil); got != "Bokmål-tekst" {
		t.Errorf("se: %q", got)
	}

	src.err = errors.New("database down")
	if err := b.Reload(context.Background()); err == nil {
		t.Error("Reload hid the source's error")
	}
	if got := b.Localizer("nn").T("ui.nb_en", nil); got != "Nynorsk frå omsetjar" {
		t.Errorf("a failed reload must keep the current messages, got %q", got)
	}

	// An emptied override falls back to the file again; overriding nb changes the fallback for nn.
	if err := b.SetOverrides(map[string]map[string]Message{"nn": {"ui.nb_en": {}}, "nb": {"ui.nb_en": {Other: "Ny bokmålstekst"}}}); err != nil {
		t.Fatal(err)
	}
	if got := b.Localizer("nn").T("ui.nb_en", nil); got != "Ny bokmålstekst" {
		t.Errorf("nn after nb override: %q", got)
	}
}

func TestSetOverridesRefusesUnknown(t *testing.T) {
	b := newFixtureBundle(t, Options{})
	tests := map[string]map[string]map[string]Message{
		"unknown language": {"fr": {"ui.greeting": {Other: "Salut"}}},
		"unknown id":       {"nn": {"ui.typo": {Other: "x"}}},
	}
	for name, o := range tests {
		if err := b.SetOverrides(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if got := b.Localizer("nn").T("ui.greeting", map[string]any{"Name": "Ola"}); got != "Hei på deg, Ola" {
		t.Errorf("a refused override changed messages: %q", got)
	}
}

// TestConcurrentReadsAndSwaps is meant for -race: readers never see a half-built snapshot.
func TestConcurrentReadsAndSwaps(t *testing.T) {
	b := newFixtureBundle(t, Options{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				got := b.Localizer("nn").T("ui.nb_en", nil)
				if got != "Bokmål-tekst" && got != "Omsett" {
					t.Errorf("unexpected %q", got)
					return
				}
			}
		}()
	}
	for j := 0; j < 50; j++ {
		o := map[string]map[string]Message{}
		if j%2 == 0 {
			o["nn"] = map[string]Message{"ui.nb_en": {Other: "Omsett"}}
		}
		if err := b.SetOverrides(o); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

func TestNewRejectsBadLocales(t *testing.T) {
	tests := map[string]map[string]string{
		"no source file":     {"nb.toml": ""},
		"unknown file name":  {"fr.toml": "[ui.greeting]\nother = \"Salut\"\n"},
		"broken toml":        {"nn.toml": "[ui.greeting\nother = 1"},
		"upper-case id":      {"nn.toml": "[ui.Greeting]\nother = \"x\"\n"},
		"unknown key in msg": {"nn.toml": "[ui.greeting]\nother = \"x\"\nreview = true\n"},
	}
	for name, files := range tests {
		if _, err := New(fixtureFS(files), Options{}); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestLanguagesOfBundle(t *testing.T) {
	plain := newFixtureBundle(t, Options{})
	if n := len(plain.Languages()); n != 9 {
		t.Errorf("%d languages, want 9", n)
	}
	if plain.Has(PseudoAccent) {
		t.Error("pseudo-locale without Pseudo")
	}
	langs := plain.Languages()
	langs[0].Name = "changed"
	if plain.Languages()[0].Name == "changed" {
		t.Error("Languages shares its slice")
	}
}

func TestValidateOverride(t *testing.T) {
	b := newFixtureBundle(t, Options{})
	tests := []struct {
		name, lang, id string
		m              Message
		want           string // substring of a problem; empty: valid
	}{
		{"valid", "nn", "ui.greeting", Message{Other: "Hallo, {{.Name}}"}, ""},
		{"valid plural", "pl", "ui.days", Message{One: "{{.Count}} dzień", Few: "{{.Count}} dni", Many: "{{.Count}} dni", Other: "{{.Count}} dnia"}, ""},
		{"lost placeholder", "nn", "ui.greeting", Message{Other: "Hallo"}, "lacks {{.Name}}"},
		{"missing plural form", "ar", "ui.days", Message{One: "يوم", Other: "{{.Count}} يوم"}, `lacks plural form "zero"`},
		{"empty", "nn", "ui.greeting", Message{}, "is empty"},
		{"unknown id", "nn", "ui.typo", Message{Other: "x"}, "not a message"},
		{"unknown language", "fr", "ui.greeting", Message{Other: "x"}, "not a language"},
	}
	for _, tt := range tests {
		got := b.ValidateOverride(tt.lang, tt.id, tt.m)
		if tt.want == "" && len(got) > 0 {
			t.Errorf("%s: unexpected %q", tt.name, got)
		}
		if tt.want != "" && !hasLine(got, tt.want) {
			t.Errorf("%s: %q lacks %q", tt.name, got, tt.want)
		}
	}
}
