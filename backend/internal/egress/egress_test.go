package egress

import (
	"errors"
	"net/netip"
	"testing"
)

func TestPublicAddr(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true},
		{"151.101.1.1", true},
		{"2a00:1450:4001:82a::200e", true},
		{"2606:4700::6810:85e5", true},
		{"::ffff:8.8.8.8", true}, // mapped: judged as the IPv4 it carries
		// IPv4 special purpose
		{"0.0.0.0", false}, {"0.1.2.3", false}, {"10.1.2.3", false}, {"100.64.0.1", false},
		{"127.0.0.1", false}, {"127.255.255.254", false}, {"169.254.169.254", false}, {"172.16.0.1", false},
		{"172.31.255.255", false}, {"192.0.0.8", false}, {"192.0.2.1", false}, {"192.88.99.1", false},
		{"192.168.1.1", false}, {"198.18.0.1", false}, {"198.51.100.7", false}, {"203.0.113.9", false},
		{"224.0.0.1", false}, {"239.255.255.250", false}, {"240.0.0.1", false}, {"255.255.255.255", false},
		// IPv6 special purpose and embeddings
		{"::", false}, {"::1", false}, {"::ffff:127.0.0.1", false}, {"::ffff:169.254.169.254", false},
		{"::127.0.0.1", false},      // IPv4-compatible (deprecated)
		{"64:ff9b::7f00:1", false},  // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", false}, // NAT64 even of a public address: the translator is inside
		{"64:ff9b:1::1", false},     // local-use NAT64
		{"100::1", false},           // discard
		{"2001::1", false},          // Teredo
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", false},
		{"2001:1::1", false},       // 2001::/23 protocol assignments
		{"2001:db8::1", false},     // documentation
		{"2002:7f00:1::1", false},  // 6to4 of 127.0.0.1
		{"2002:808:808::1", false}, // 6to4 of a public address: a relay
		{"3fff::1", false},         // documentation (RFC 9637)
		{"5f00::1", false},         // SRv6
		{"fc00::1", false}, {"fd12:3456::1", false}, {"fe80::1", false}, {"fec0::1", false}, {"ff02::1", false},
	}
	for _, tt := range tests {
		if got := PublicAddr(netip.MustParseAddr(tt.addr)); got != tt.public {
			t.Errorf("PublicAddr(%s) = %v, want %v", tt.addr, got, tt.public)
		}
	}
	if PublicAddr(netip.MustParseAddr("fe80::1%eth0")) || PublicAddr(netip.Addr{}) {
		t.Error("a zoned or invalid address counted as public")
	}
}

func TestCheckAddrPort(t *testing.T) {
	for _, tt := range []struct {
		ap string
		ok bool
	}{
		{"8.8.8.8:443", true}, {"[2a00:1450:4001:82a::200e]:8443", true},
		{"8.8.8.8:0", false}, {"127.0.0.1:443", false}, {"[::1]:443", false}, {"[2002:7f00:1::1]:443", false},
	} {
		err := CheckAddrPort(netip.MustParseAddrPort(tt.ap))
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrNotAllowed)) {
			t.Errorf("CheckAddrPort(%s) = %v, want ok=%v", tt.ap, err, tt.ok)
		}
	}
	if err := DialControl("tcp", "not an address", nil); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("DialControl on garbage = %v", err)
	}
}

func TestHostAddr(t *testing.T) {
	tests := []struct {
		host string
		want string // "" for a domain name, "error" when a browser refuses the host
	}{
		{"hooks.example.no", ""},
		{"1.example.no", ""},
		{"example.0x", "error"}, // "0x" alone is a number (0) in WHATWG terms: the host ends in a number
		{"127.0.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"0X7F000001", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0177.1", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"0xa9.0xfe.0xa9.0xfe", "169.254.169.254"},
		{"169.254.43518", "169.254.169.254"},
		{"8.8.8.8.", "8.8.8.8"},
		{"0", "0.0.0.0"},
		{"::1", "::1"},
		{"::ffff:7f00:1", "::ffff:127.0.0.1"},
		{"256.0.0.1", "error"},
		{"1.2.3.4.5", "error"},
		{"4294967296", "error"},
		{"99999999999999999999999", "error"},
		{"08.0.0.1", "error"}, // 0-prefixed: octal, and 8 is no octal digit
		{"example.123", "error"},
		{"fe80::1%25eth0", "error"},
	}
	for _, tt := range tests {
		addr, isIP, err := HostAddr(tt.host)
		var got string
		switch {
		case err != nil:
			got = "error"
		case isIP:
			got = addr.String()
		}
		if got != tt.want {
			t.Errorf("HostAddr(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url          string
		allowPrivate bool
		want         error // nil: accepted
	}{
		{"https://hooks.example.no/x", false, nil},
		{"https://hooks.example.no:8443/x", false, nil},
		{"https://8.8.8.8/x", false, nil},
		{"https://[2a00:1450:4001:82a::200e]/x", false, nil},
		{"http://hooks.example.no/x", false, ErrScheme},
		{"ftp://hooks.example.no/x", false, ErrScheme},
		{"https://169.254.169.254/latest/meta-data/", false, ErrNotAllowed},
		{"https://0x7f000001/", false, ErrNotAllowed},
		{"https://2130706433/", false, ErrNotAllowed},
		{"https://0177.1/", false, ErrNotAllowed},
		{"https://127.1/", false, ErrNotAllowed},
		{"https://[::1]/", false, ErrNotAllowed},
		{"https://[::ffff:127.0.0.1]/", false, ErrNotAllowed},
		{"https://[2002:7f00:1::1]/", false, ErrNotAllowed},
		{"https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", false, ErrNotAllowed},
		{"https://[64:ff9b::a9fe:a9fe]/", false, ErrNotAllowed},
		{"https://10.0.0.5/", false, ErrNotAllowed},
		{"https://localhost/", false, ErrNotAllowed},
		{"https://api.localhost/", false, ErrNotAllowed},
		{"https://hooks.example.no:99999/", false, ErrInvalidURL},
		{"https://hooks.example.no:0/", false, ErrInvalidURL},
		{"https://hooks.example.no:0443/", false, ErrInvalidURL},
		{"https://256.1.1.1/", false, ErrInvalidURL},
		{"https://user:pw@hooks.example.no/", false, ErrInvalidURL},
		{"https:///x", false, ErrInvalidURL},
		{"https://hooks.example.no\\@127.0.0.1/", false, ErrInvalidURL},
		{"hooks.example.no/x", false, ErrInvalidURL},
		// with private destinations allowed (tests, internal receivers)
		{"http://127.0.0.1:41234/hook", true, nil},
		{"http://localhost:41234/hook", true, nil},
		{"https://10.0.0.5/", true, nil},
		{"http://10.0.0.5/", true, ErrScheme},
		{"https://hooks.example.no:99999/", true, ErrInvalidURL},
	}
	for _, tt := range tests {
		err := CheckURL(tt.url, URLPolicy{AllowPrivate: tt.allowPrivate})
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("CheckURL(%q, private=%v) = %v, want %v", tt.url, tt.allowPrivate, err, tt.want)
		}
	}
}
