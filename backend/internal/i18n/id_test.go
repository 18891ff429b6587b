package i18n

import "testing"

// TestValidID pins the id shape: dotted segments starting lowercase; camelCase only inside a segment
// (ui.preferences.channel.inApp mirrors an API value).
func TestValidID(t *testing.T) {
	cases := []struct {
		id   string
		want bool
	}{
		{"ui.nav.overview", true},
		{"ui.preferences.channel.inApp", true},
		{"error.not_found", true},
		{"ui.count.days_left2", true},
		{"UI.nav", false},
		{"ui.Nav", false},
		{"ui..nav", false},
		{"ui.nav.", false},
		{"", false},
		{"ui.nav-overview", false},
		{"ui.nav overview", false},
	}
	for _, c := range cases {
		if got := ValidID(c.id); got != c.want {
			t.Errorf("ValidID(%q) = %v, want %v", c.id, got, c.want)
		}
	}
}
