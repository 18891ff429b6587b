// Package egress is the one guard on connections the portal opens for someone outside it: an
// agency's webhook URL and a browser's push endpoint. Both are chosen by others, so both could
// point into the operator's network (SSRF). The guard decides on the parsed host when a URL is
// set, and again on the resolved address when a connection is dialled, which stops DNS rebinding.
package egress

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrNotAllowed is returned (wrapped) when a destination is refused.
var ErrNotAllowed = errors.New("egress: destination not allowed")

// specialIPv4 are the IANA IPv4 special-purpose ranges (RFC 6890 and successors) that are not
// ordinary public unicast, plus multicast and the limited broadcast address.
var specialIPv4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),          // "this network"
	netip.MustParsePrefix("10.0.0.0/8"),         // private
	netip.MustParsePrefix("100.64.0.0/10"),      // shared address space (CGNAT)
	netip.MustParsePrefix("127.0.0.0/8"),        // loopback
	netip.MustParsePrefix("169.254.0.0/16"),     // link local (cloud metadata services live here)
	netip.MustParsePrefix("172.16.0.0/12"),      // private
	netip.MustParsePrefix("192.0.0.0/24"),       // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),       // documentation (TEST-NET-1)
	netip.MustParsePrefix("192.88.99.0/24"),     // deprecated 6to4 relay anycast
	netip.MustParsePrefix("192.168.0.0/16"),     // private
	netip.MustParsePrefix("198.18.0.0/15"),      // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"),    // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),     // documentation (TEST-NET-3)
	netip.MustParsePrefix("224.0.0.0/4"),        // multicast
	netip.MustParsePrefix("240.0.0.0/4"),        // reserved
	netip.MustParsePrefix("255.255.255.255/32"), // limited broadcast
}

// globalIPv6 is the only IPv6 space handed out for public unicast. Everything outside it is
// special: loopback, unspecified, IPv4-compatible (::/96), discard (100::/64), NAT64
// (64:ff9b::/96, 64:ff9b:1::/48), SRv6 SIDs (5f00::/16), unique local (fc00::/7), link local,
// site local and multicast. IPv4-mapped addresses are judged as the IPv4 address they carry.
var globalIPv6 = netip.MustParsePrefix("2000::/3")

// specialIPv6 are the special-purpose ranges inside 2000::/3. 2001::/23 holds Teredo
// (2001::/32), which embeds an IPv4 address, and 2002::/16 is 6to4, which embeds any IPv4
// address: both could reach inside through a relay, so both are refused whole.
var specialIPv6 = []netip.Prefix{
	netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments, Teredo
	netip.MustParsePrefix("2001:db8::/32"), // documentation
	netip.MustParsePrefix("2002::/16"),     // 6to4
	netip.MustParsePrefix("3fff::/20"),     // documentation (RFC 9637)
}

// PublicAddr reports whether addr is an ordinary public unicast address, the only kind the portal
// connects to for others.
func PublicAddr(addr netip.Addr) bool {
	if !addr.IsValid() || addr.Zone() != "" {
		return false
	}
	addr = addr.Unmap()
	if addr.Is4() {
		for _, p := range specialIPv4 {
			if p.Contains(addr) {
				return false
			}
		}
		return true
	}
	if !globalIPv6.Contains(addr) {
		return false
	}
	for _, p := range specialIPv6 {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// ValidPort reports whether port is a TCP port a connection can go to (1–65535).
func ValidPort(port int) bool { return port >= 1 && port <= 65535 }

// CheckAddrPort refuses a resolved destination that is not public or has no valid port.
func CheckAddrPort(ap netip.AddrPort) error {
	if !ValidPort(int(ap.Port())) || !PublicAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrNotAllowed, ap)
	}
	return nil
}

// DialControl is a net.Dialer Control hook: it sees the resolved address just before connect and
// refuses anything CheckAddrPort refuses.
func DialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrNotAllowed, address)
	}
	return CheckAddrPort(ap)
}
