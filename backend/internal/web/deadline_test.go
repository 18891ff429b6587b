package web

import "testing"

// The requests that wait for another system besides the database get that system's time too.
func TestCallsOutside(t *testing.T) {
	for path, want := range map[string]bool{
		"/auth/login":                    true,
		"/auth/callback":                 true,
		"/auth/logout":                   true,
		"/dev-idp/authorize":             true,
		"/api/v1/keys/0193f2a0/open":     true,
		"/api/v1/keys/0193f2a0/uses":     false,
		"/api/v1/me/overview":            false,
		"/api/agency/v1/cases/x":         false,
		"/api/v1/notifications/read-all": false,
	} {
		if got := callsOutside(path); got != want {
			t.Errorf("callsOutside(%q) = %v, want %v", path, got, want)
		}
	}
}
