package egress

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Reasons a URL is refused when it is set.
var (
	ErrInvalidURL = errors.New("egress: not a usable URL")
	ErrScheme     = errors.New("egress: scheme not allowed")
)

// URLPolicy says what CheckURL accepts.
type URLPolicy struct {
	// AllowPrivate lets the URL name a loopback or private host and use plain http to loopback:
	// for tests and for an operator whose receivers live on the internal network.
	AllowPrivate bool
}

// CheckURL judges a destination URL when it is set, before any connection: https only, a host,
// no userinfo, a port in 1–65535, and a host that is not an internal address in any spelling a
// resolver or browser accepts (127.0.0.1, [::1], 2130706433, 0x7f000001, 0177.1, localhost).
// A name is not resolved here (its address may change); the dialler checks the address again.
func CheckURL(raw string, policy URLPolicy) error {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" || u.User != nil || strings.ContainsAny(raw, " \t\r\n\\") {
		return ErrInvalidURL
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || !ValidPort(n) || p[0] == '0' {
			return ErrInvalidURL
		}
	}
	host := strings.ToLower(u.Hostname())
	addr, isIP, err := HostAddr(host)
	if err != nil {
		return ErrInvalidURL
	}
	internal := (isIP && !PublicAddr(addr)) || isLocalName(host)
	switch u.Scheme {
	case "https":
	case "http":
		loopback := (isIP && addr.Unmap().IsLoopback()) || isLocalName(host)
		if !(policy.AllowPrivate && loopback) {
			return ErrScheme
		}
	default:
		return ErrScheme
	}
	if internal && !policy.AllowPrivate {
		return fmt.Errorf("%w: %s", ErrNotAllowed, u.Host)
	}
	return nil
}

// isLocalName reports names that always mean this machine or its network.
func isLocalName(host string) bool {
	host = strings.TrimSuffix(host, ".")
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") ||
		strings.HasSuffix(host, ".internal") || strings.HasSuffix(host, ".home.arpa")
}

// HostAddr reads host (as url.Hostname gives it) the way a browser does (WHATWG URL): an IPv6
// literal, or, when its last label is a number, an IPv4 address in any of the forms the IPv4
// parser accepts (1 to 4 parts, each decimal, 0x-hex or 0-octal: 2130706433, 0x7f000001,
// 0177.0.0.1, 127.1). isIP is false for a domain name. err is set when the host ends in a
// number but is no valid address; a browser refuses such a host.
func HostAddr(host string) (addr netip.Addr, isIP bool, err error) {
	if strings.Contains(host, ":") {
		a, err := netip.ParseAddr(host)
		if err != nil || a.Zone() != "" {
			return netip.Addr{}, false, ErrInvalidURL
		}
		return a, true, nil
	}
	if !endsInNumber(host) {
		return netip.Addr{}, false, nil
	}
	a, ok := parseIPv4(host)
	if !ok {
		return netip.Addr{}, false, ErrInvalidURL
	}
	return a, true, nil
}

// endsInNumber is the WHATWG "ends in a number" check on a host.
func endsInNumber(host string) bool {
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := parseIPv4Number(last)
	return ok && (strings.HasPrefix(last, "0x") || strings.HasPrefix(last, "0X"))
}

// parseIPv4 is the WHATWG IPv4 parser.
func parseIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseIPv4Number reads one part: 0x-prefixed hex (empty after the prefix is 0), 0-prefixed
// octal, else decimal.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	if strings.ContainsAny(s, "+-_") {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		// Too large for 64 bits still means "a number", just not a valid address.
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return 1 << 40, true
		}
		return 0, false
	}
	return n, true
}
