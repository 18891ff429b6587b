package i18n

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPseudoKeepsPlaceholders(t *testing.T) {
	texts := []string{
		"Hello, {{.Name}}",
		"{{.Count}} days left",
		"Offline – showing data from {{.Age}}",
		"Choose one of: {{.Supported}}. Max {{ .Max }}.",
		"No placeholders at all",
	}
	for _, text := range texts {
		for name, f := range map[string]func(string) string{"accent": PseudoAccentText, "rtl": PseudoRTLText} {
			got := f(text)
			if !slices.Equal(Placeholders(got), Placeholders(text)) {
				t.Errorf("%s(%q) = %q: placeholders %v, want %v", name, text, got, Placeholders(got), Placeholders(text))
			}
			for _, p := range placeholderRe.FindAllString(text, -1) {
				if !strings.Contains(got, p) {
					t.Errorf("%s(%q) changed %s: %q", name, text, p, got)
				}
			}
		}
	}
}

func TestPseudoAccentIsLongerAndAccented(t *testing.T) {
	text := "Mark all as read"
	got := PseudoAccentText(text)
	if utf8.RuneCountInString(got) < utf8.RuneCountInString(text)*14/10 {
		t.Errorf("%q is not 40 %% longer than %q", got, text)
	}
	if strings.ContainsAny(got, "aeiou") {
		t.Errorf("%q still has plain vowels", got)
	}
}

func TestPseudoRTLWrapsLiteralsOnly(t *testing.T) {
	got := PseudoRTLText("Hello, {{.Name}}!")
	want := "\u202eHello, \u202c{{.Name}}\u202e!\u202c"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPseudoLocalesInBundle(t *testing.T) {
	b := newFixtureBundle(t, Options{Pseudo: true})
	if !b.Has(PseudoAccent) || !b.Has(PseudoRTL) || len(b.Languages()) != 11 {
		t.Fatalf("languages: %v", b.Languages())
	}
	acc := b.Localizer(PseudoAccent)
	if got := acc.T("ui.greeting", map[string]any{"Name": "Kari"}); got != "⟦Ĥéļļö, Kari ···⟧" {
		t.Errorf("accent: %q", got)
	}
	// Derived from English, then bokmål where English lacks the message.
	if got := acc.T("ui.nb_only", nil); !strings.HasPrefix(got, "⟦Ɓářé ƀöķɱåļ") {
		t.Errorf("accent from bokmål: %q", got)
	}
	if got := acc.Plural("ui.days", 1, nil); !strings.HasPrefix(got, "⟦1 đáý ļéƒţ") {
		t.Errorf("accent plural: %q", got)
	}
	rtl := b.Localizer(PseudoRTL)
	if rtl.Dir() != RTL || acc.Dir() != LTR {
		t.Errorf("dirs %s %s", rtl.Dir(), acc.Dir())
	}
	if got := rtl.T("ui.greeting", map[string]any{"Name": "Kari"}); got != "\u202eHello, \u202cKari" {
		t.Errorf("rtl: %q", got)
	}
	if got := b.Negotiate(PseudoRTL, "nb"); got != PseudoRTL {
		t.Errorf("a saved pseudo-locale is kept in dev, got %q", got)
	}
	if err := b.SetOverrides(map[string]map[string]Message{PseudoAccent: {"ui.greeting": {Other: "x"}}}); err == nil {
		t.Error("overrides of a pseudo-locale accepted")
	}
}
