package reports_test

import (
	"os"
	"strings"
	"testing"

	"minside/backend/internal/reports"
	"minside/locales"
)

// The status words live in one place, the message files (ui.reports.status.<status>), read by the
// PWA as by the server. A status added here without its words, or without the PWA knowing it
// (pwa/src/messages-used.txt, kept current by `npm run messages` and its unit test), fails.
func TestEveryStatusHasItsWords(t *testing.T) {
	nb, err := locales.FS.ReadFile("nb.toml")
	if err != nil {
		t.Fatal(err)
	}
	used, err := os.ReadFile("../../../pwa/src/messages-used.txt")
	if err != nil {
		t.Fatal(err)
	}
	usedIDs := map[string]bool{}
	for _, line := range strings.Split(string(used), "\n") {
		usedIDs[strings.TrimSpace(line)] = true
	}
	for _, status := range append([]string{reports.StatusSubmitted}, reports.AgencyStatuses...) {
		id := "ui.reports.status." + status
		if !strings.Contains(string(nb), "\n["+id+"]\n") {
			t.Errorf("locales/nb.toml has no [%s]", id)
		}
		if !usedIDs[id] {
			t.Errorf("the PWA does not show %s (pwa/scripts/messages.mjs TEMPLATES)", id)
		}
	}
}
