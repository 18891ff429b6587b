package push

import (
	"errors"
	"testing"
)

func TestRefuseNonPublic(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"142.250.74.10:443", true},
		{"[2a00:1450:400f:80d::200a]:443", true},
		{"142.250.74.10:80", false},
		{"127.0.0.1:443", false},
		{"10.1.2.3:443", false},
		{"172.16.0.1:443", false},
		{"192.168.1.1:443", false},
		{"169.254.169.254:443", false},
		{"100.64.0.1:443", false},
		{"0.0.0.0:443", false},
		{"224.0.0.1:443", false},
		{"255.255.255.255:443", false},
		{"[::1]:443", false},
		{"[::]:443", false},
		{"[fe80::1]:443", false},
		{"[fd00::1]:443", false},
		{"[ff02::1]:443", false},
		{"[::ffff:127.0.0.1]:443", false},
		{"[::ffff:169.254.169.254]:443", false},
		{"[64:ff9b::a9fe:a9fe]:443", false},
		{"[2002:a9fe:a9fe::1]:443", false},
		{"[2001:0:4136:e378:8000:63bf:3fff:fdd2]:443", false}, // Teredo
		{"[2001:db8::1]:443", false},
		{"8.8.8.8:8443", false}, // push services listen on 443 only
	}
	for _, tt := range tests {
		err := refuseNonPublic("tcp", tt.addr, nil)
		if tt.ok && err != nil {
			t.Errorf("%s refused: %v", tt.addr, err)
		}
		if !tt.ok && !errors.Is(err, ErrAddressNotAllowed) {
			t.Errorf("%s allowed", tt.addr)
		}
	}
}
