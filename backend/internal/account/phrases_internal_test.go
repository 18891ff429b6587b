package account

import (
	"strings"
	"testing"

	"minside/backend/internal/audit"
	"minside/backend/internal/i18n"
	"minside/locales"
)

// Every action the code can write (the one list, audit.Actions) has a phrase of its own for the
// people who can see it, and every phrase the access log uses is written in all nine languages.
func TestEveryAuditActionHasWords(t *testing.T) {
	t.Parallel()
	for _, action := range audit.Actions() {
		var own []string
		for _, actor := range []string{audit.ActorCitizen, audit.ActorRepresentative, audit.ActorAgency, audit.ActorSystem} {
			for _, p := range []perspective{aboutMe, byMe, myOwn} {
				if key, _ := phraseKey(action, actor, p); !strings.HasPrefix(key, "audit.generic.") {
					own = append(own, key)
				}
			}
		}
		if len(own) == 0 {
			t.Errorf("audit action %q has no phrase of its own in the access log", action)
		}
	}
	if key, _ := phraseKey("something.new", audit.ActorAgency, aboutMe); key != genericAboutMe {
		t.Errorf("an unknown action gets %q, want the generic phrase", key)
	}

	bundle, err := i18n.New(locales.FS, i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"nb", "nn", "en", "se", "uk", "pl", "ar", "so", "ur"} {
		entries, ok := bundle.FileEntries(lang)
		if !ok {
			t.Fatalf("no %s", lang)
		}
		has := map[string]bool{}
		for _, e := range entries {
			has[e.ID] = len(e.File.Forms()) > 0
		}
		for _, key := range PhraseKeys() {
			if !has[key] {
				t.Errorf("%s: no %s", lang, key)
			}
		}
	}
}
