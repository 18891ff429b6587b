package i18n

import (
	"fmt"
	"testing"
	"unsafe"
)

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

// BenchmarkNegotiate is what every request pays to pick its language from a browser's header.
func BenchmarkNegotiate(b *testing.B) {
	bundle := newFixtureBundle(b, Options{})
	for b.Loop() {
		bundle.Negotiate("", "nb-NO,nb;q=0.9,en;q=0.5")
	}
}

// TestNegotiateRemembersWhatItMatched: a header answered from memory gets the answer matching it
// would give, also when the caller's string was a view of a buffer that has since been reused (as
// Fiber's header values are), and past the bound of remembered headers.
func TestNegotiateRemembersWhatItMatched(t *testing.T) {
	b := newFixtureBundle(t, Options{})
	buf := []byte("nn-NO")
	if got := b.Negotiate("", unsafe.String(&buf[0], len(buf))); got != "nn" {
		t.Fatalf("first nn-NO = %q, want nn", got)
	}
	copy(buf, "ar-EG") // the next request's header, in the same buffer
	if got := b.Negotiate("", unsafe.String(&buf[0], len(buf))); got != "ar" {
		t.Errorf("ar-EG after nn-NO in the same buffer = %q, want ar", got)
	}
	if got := b.Negotiate("", "nn-NO"); got != "nn" {
		t.Errorf("nn-NO remembered = %q, want nn", got)
	}
	b.negotiated.Range(func(header, lang any) bool {
		if want := map[string]string{"nn-NO": "nn", "ar-EG": "ar"}[header.(string)]; want != lang {
			t.Errorf("remembered %q → %q, want %q: a key changed under the map", header, lang, want)
		}
		return true
	})

	for i := range negotiatedKept + 10 {
		b.Negotiate("", fmt.Sprintf("x-%d,pl;q=0.5", i))
	}
	if n := b.negotiatedCount.Load(); n > negotiatedKept {
		t.Errorf("%d headers remembered, want at most %d", n, negotiatedKept)
	}
	for _, tt := range []struct{ accept, want string }{{"uk-UA,ru;q=0.5", "uk"}, {"x-5,pl;q=0.5", "pl"}, {"nn-NO", "nn"}} {
		if got := b.Negotiate("", tt.accept); got != tt.want {
			t.Errorf("past the bound: Negotiate(%q) = %q, want %q", tt.accept, got, tt.want)
		}
	}
}
