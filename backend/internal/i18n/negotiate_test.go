package i18n

import "testing"

func TestNegotiate(t *testing.T) {
	b := newFixtureBundle(t, Options{})
	tests := []struct {
		saved, accept, want string
	}{
		{"", "", "nb"},
		{"", "no", "nb"},
		{"", "nb-NO,nb;q=0.9,en;q=0.5", "nb"},
		{"", "da", "nb"},
		{"", "nn-NO", "nn"},
		{"", "nn", "nn"},
		{"", "se", "se"},
		{"", "se-NO,nb;q=0.5", "se"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "fr-FR,en;q=0.5", "en"},
		{"", "ar-EG", "ar"},
		{"", "ur-PK", "ur"},
		{"", "uk-UA,ru;q=0.5", "uk"},
		{"", "pl", "pl"},
		{"", "so-SO", "so"},
		{"", "zh-CN", "nb"},
		{"", "*", "nb"},
		{"", ";;;garbage", "nb"},
		{"pl", "en-US", "pl"}, // saved preference wins
		{"fr", "en-US", "en"}, // a saved language we do not have is ignored
		{"nb-NO", "ar", "ar"}, // a saved value must be exact
		{PseudoRTL, "", "nb"}, // no pseudo-locales without Pseudo
	}
	for _, tt := range tests {
		if got := b.Negotiate(tt.saved, tt.accept); got != tt.want {
			t.Errorf("Negotiate(%q, %q) = %q, want %q", tt.saved, tt.accept, got, tt.want)
		}
	}
}

func TestPick(t *testing.T) {
	tests := []struct {
		name     string
		texts    map[string]string
		lang     string
		text, in string
	}{
		{"own language", map[string]string{"nb": "Søknad", "nn": "Søknad nn", "en": "Application"}, "nn", "Søknad nn", "nn"},
		{"nn → nb", map[string]string{"nb": "Søknad", "en": "Application"}, "nn", "Søknad", "nb"},
		{"se → nb", map[string]string{"nb": "Søknad", "en": "Application"}, "se", "Søknad", "nb"},
		{"pl → en", map[string]string{"nb": "Søknad", "en": "Application"}, "pl", "Application", "en"},
		{"ar → en → nb", map[string]string{"nb": "Søknad"}, "ar", "Søknad", "nb"},
		{"nb → en", map[string]string{"en": "Application", "uk": "Заява"}, "nb", "Application", "en"},
		{"then any language", map[string]string{"uk": "Заява", "pl": "Wniosek"}, "so", "Wniosek", "pl"},
		{"empty texts skipped", map[string]string{"nn": "", "nb": "Søknad"}, "nn", "Søknad", "nb"},
		{"nothing", map[string]string{}, "nb", "", ""},
		{"nil", nil, "nb", "", ""},
	}
	for _, tt := range tests {
		text, in := Pick(tt.texts, tt.lang)
		if text != tt.text || in != tt.in {
			t.Errorf("%s: Pick = %q, %q; want %q, %q", tt.name, text, in, tt.text, tt.in)
		}
	}
}
