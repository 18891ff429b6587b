package i18n

import (
	"fmt"
	"slices"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"minside/locales"
)

func TestFallbackChain(t *testing.T) {
	tests := []struct {
		lang, id    string
		want        string
		wantMissing bool
	}{
		{"nn", "ui.greeting", "Hei på deg, Kari", false},
		{"nn", "ui.nb_en", "Bokmål-tekst", true},   // nn → nb, not English
		{"se", "ui.nb_en", "Bokmål-tekst", true},   // se → nb
		{"uk", "ui.nb_en", "English text", true},   // others → en
		{"uk", "ui.nb_only", "Bare bokmål", true},  // … → nb
		{"pl", "ui.greeting", "Hello, Kari", true}, // no pl.toml at all
		{"nb", "ui.nb_only", "Bare bokmål", false},
		{"en", "ui.nb_only", "Bare bokmål", true}, // en → nb
		{"nb", "ui.nb_en", "Bokmål-tekst", false},
		{"nn", "ui.does_not_exist", "ui.does_not_exist", true},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.id, func(t *testing.T) {
			var log missingLog
			b := newFixtureBundle(t, Options{OnMissing: log.record})
			got := b.Localizer(tt.lang).T(tt.id, map[string]any{"Name": "Kari"})
			if got != tt.want {
				t.Errorf("T = %q, want %q", got, tt.want)
			}
			wantCalls := []string(nil)
			if tt.wantMissing {
				wantCalls = []string{tt.lang + " " + tt.id}
			}
			if !slices.Equal(log.calls, wantCalls) {
				t.Errorf("OnMissing calls = %q, want %q", log.calls, wantCalls)
			}
		})
	}
}

// TestPlainGoI18nFallsBackToDefault documents why the chain is ours: go-i18n alone gives a nynorsk
// reader English for a message missing in nn, although bokmål is right there.
func TestPlainGoI18nFallsBackToDefault(t *testing.T) {
	gb := goi18n.NewBundle(language.English)
	gb.MustAddMessages(language.English, &goi18n.Message{ID: "ui.nb_en", Other: "English text"})
	gb.MustAddMessages(language.MustParse("nb"), &goi18n.Message{ID: "ui.nb_en", Other: "Bokmål-tekst"})
	gb.MustAddMessages(language.MustParse("nn"), &goi18n.Message{ID: "ui.greeting", Other: "Hei"})
	plain, err := goi18n.NewLocalizer(gb, "nn").Localize(&goi18n.LocalizeConfig{MessageID: "ui.nb_en"})
	if plain != "English text" || err == nil {
		t.Fatalf("plain go-i18n gave %q, %v; expected English and an error", plain, err)
	}
	ours := newFixtureBundle(t, Options{}).Localizer("nn").T("ui.nb_en", nil)
	if ours != "Bokmål-tekst" {
		t.Fatalf("our chain gave %q, want bokmål", ours)
	}
}

func TestMissingKeyNeverPanics(t *testing.T) {
	b := newFixtureBundle(t, Options{}) // no OnMissing set
	loc := b.Localizer("ar")
	if got := loc.T("nope", nil); got != "nope" {
		t.Errorf("T = %q", got)
	}
	if got := loc.Plural("nope", 3, nil); got != "nope" {
		t.Errorf("Plural = %q", got)
	}
	if got := loc.T("ui.greeting", nil); got != "Hello, <no value>" {
		t.Errorf("missing data: %q", got)
	}
}

func TestPluralPolish(t *testing.T) {
	b, err := New(locales.FS, Options{})
	if err != nil {
		t.Fatal(err)
	}
	loc := b.Localizer("pl")
	tests := []struct {
		n    int
		want string
	}{
		{1, "1 nieprzeczytane powiadomienie"},
		{2, "2 nieprzeczytane powiadomienia"},
		{5, "5 nieprzeczytanych powiadomień"},
		{22, "22 nieprzeczytane powiadomienia"},
		{25, "25 nieprzeczytanych powiadomień"},
	}
	for _, tt := range tests {
		if got := loc.Plural("ui.count.unread_notifications", tt.n, nil); got != tt.want {
			t.Errorf("pl %d: %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestPluralArabic(t *testing.T) {
	b, err := New(locales.FS, Options{})
	if err != nil {
		t.Fatal(err)
	}
	loc := b.Localizer("ar")
	tests := []struct {
		n    int
		want string
	}{
		{0, "لم يتبقَّ أي يوم"}, // zero
		{1, "يتبقى يوم واحد"},   // one
		{2, "يتبقى يومان"},      // two
		{3, "تتبقى 3 أيام"},     // few
		{11, "يتبقى 11 يومًا"},  // many
		{100, "يتبقى 100 يوم"},  // other
	}
	for _, tt := range tests {
		if got := loc.Plural("ui.count.days_left", tt.n, nil); got != tt.want {
			t.Errorf("ar %d: %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestPluralCategoriesMatchCLDR proves the Plurals table (which Check enforces) agrees with
// go-i18n's CLDR rules: every category the rules produce for whole numbers is listed, and every
// listed category except "other" (fractions only, in some languages) is produced.
func TestPluralCategoriesMatchCLDR(t *testing.T) {
	for _, l := range Languages() {
		tag := language.MustParse(l.Code)
		gb := goi18n.NewBundle(tag)
		gb.MustAddMessages(tag, &goi18n.Message{ID: "cat", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"})
		loc := goi18n.NewLocalizer(gb, l.Code)
		seen := map[string]bool{}
		for n := 0; n <= 250; n++ {
			cat, err := loc.Localize(&goi18n.LocalizeConfig{MessageID: "cat", PluralCount: n})
			if err != nil {
				t.Fatalf("%s %d: %v", l.Code, n, err)
			}
			seen[cat] = true
		}
		for cat := range seen {
			if !slices.Contains(l.Plurals, cat) {
				t.Errorf("%s: CLDR gives %q, not in %v", l.Code, cat, l.Plurals)
			}
		}
		for _, cat := range l.Plurals {
			if !seen[cat] && cat != "other" {
				t.Errorf("%s: %q listed but never produced", l.Code, cat)
			}
		}
	}
}

func TestPluralSetsCountAndFallsBackByItsOwnRules(t *testing.T) {
	b := newFixtureBundle(t, Options{})
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"nn", 1, "1 dag att"},
		{"nn", 3, "3 dagar att"},
		{"se", 2, "2 dager igjen"}, // se lacks it: bokmål text, bokmål rules (no "two" form needed)
		{"uk", 1, "1 day left"},
	}
	for _, tt := range tests {
		if got := b.Localizer(tt.lang).Plural("ui.days", tt.n, nil); got != tt.want {
			t.Errorf("%s %d: %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestLocalizerLanguage(t *testing.T) {
	b := newFixtureBundle(t, Options{})
	tests := []struct{ in, lang, dir string }{
		{"nb", "nb", LTR}, {"ar", "ar", RTL}, {"ur", "ur", RTL}, {"nn-NO", "nn", LTR}, {"xx", "nb", LTR}, {"", "nb", LTR},
	}
	for _, tt := range tests {
		loc := b.Localizer(tt.in)
		if loc.Lang() != tt.lang || loc.Dir() != tt.dir {
			t.Errorf("Localizer(%q) = %s %s, want %s %s", tt.in, loc.Lang(), loc.Dir(), tt.lang, tt.dir)
		}
	}
}

func TestMessages(t *testing.T) {
	b := newFixtureBundle(t, Options{})
	got := b.Messages("se")
	want := map[string]any{
		"ui.greeting": "Bures, {{.Name}}",
		"ui.nb_en":    "Bokmål-tekst",
		"ui.nb_only":  "Bare bokmål",
		"ui.days":     map[string]string{"one": "{{.Count}} dag igjen", "other": "{{.Count}} dager igjen"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Messages(se) = %v\nwant %v", got, want)
	}
	// The real locales: every source id is there in every language, plurals as maps.
	real, err := New(locales.FS, Options{})
	if err != nil {
		t.Fatal(err)
	}
	nb := real.Messages("nb")
	for _, l := range Languages() {
		msgs := real.Messages(l.Code)
		if len(msgs) != len(nb) {
			t.Errorf("%s: %d messages, nb has %d", l.Code, len(msgs), len(nb))
		}
		if _, ok := msgs["ui.count.days_left"].(map[string]string); !ok {
			t.Errorf("%s: plural message is %T", l.Code, msgs["ui.count.days_left"])
		}
	}
}
