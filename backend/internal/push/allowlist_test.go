package push

import (
	"reflect"
	"testing"
)

func TestParseAllowList(t *testing.T) {
	tests := []struct {
		in      string
		entries []string // nil means refused
	}{
		{"", DefaultAllowList().Entries()},
		{"default", DefaultAllowList().Entries()},
		{" FCM.googleapis.com , *.Push.Apple.com ", []string{"*.push.apple.com", "fcm.googleapis.com"}},
		{"127.0.0.1:8443,[::1]:9000,push.kommune.no:443", []string{"127.0.0.1:8443", "[::1]:9000", "push.kommune.no:443"}},
		{"*", nil},
		{"*.com", nil},
		{"fcm.*.com", nil},
		{"https://fcm.googleapis.com", nil},
		{"127.0.0.1", nil}, // an IP literal needs an explicit port: it is never a plain entry
		{"host:99999", nil},
		{"[fe80::1%eth0]:443", nil},
		{",", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := ParseAllowList(tt.in)
			if tt.entries == nil {
				if err == nil {
					t.Fatalf("accepted: %v", a.Entries())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Entries(), tt.entries) {
				t.Fatalf("entries %v, want %v", a.Entries(), tt.entries)
			}
		})
	}
}

func TestAllowListExplicit(t *testing.T) {
	a := MustParseAllowList("fcm.googleapis.com,127.0.0.1:8443,[::1]:9000")
	tests := []struct {
		host, port string
		explicit   bool
	}{
		{"127.0.0.1", "8443", true},
		{"::1", "9000", true},
		{"::ffff:127.0.0.1", "8443", true}, // same address, other spelling
		{"127.0.0.1", "443", false},
		{"fcm.googleapis.com", "443", false}, // named, but not explicit: public addresses only
	}
	for _, tt := range tests {
		if got := a.isExplicit(tt.host, tt.port); got != tt.explicit {
			t.Errorf("isExplicit(%s, %s) = %v", tt.host, tt.port, got)
		}
	}
}

func TestAllowListRefusesAddressesInDisguise(t *testing.T) {
	a := MustParseAllowList("default,*.push.kommune.no,127.0.0.1:8443")
	tests := []struct {
		host, port string
		ok         bool
	}{
		{"fcm.googleapis.com", "", true},
		{"eu.push.kommune.no", "443", true},
		{"127.0.0.1", "8443", true}, // the explicit escape for tests and an own push service
		{"fcm.googleapis.com", "8443", false},
		{"fcm.googleapis.com", "99999", false},
		{"2130706433", "", false},
		{"0x7f000001", "", false},
		{"127.1", "", false},
		{"169.254.169.254", "", false},
		{"::ffff:127.0.0.1", "", false},
		{"localhost.push.kommune.no", "", true}, // a name: its address is checked when dialled
		{"x.localhost", "", false},
	}
	for _, tt := range tests {
		if got := a.allowsEndpointHost(tt.host, tt.port); got != tt.ok {
			t.Errorf("allowsEndpointHost(%q, %q) = %v, want %v", tt.host, tt.port, got, tt.ok)
		}
	}
}
