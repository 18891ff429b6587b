package push

import (
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"minside/backend/internal/egress"
)

// defaultAllowedHosts are the push services of the browsers in common use. "*." marks a suffix
// entry: any proper subdomain matches (Windows and Apple use per-region hosts).
var defaultAllowedHosts = []string{
	"fcm.googleapis.com",
	"updates.push.services.mozilla.com",
	"*.notify.windows.com",
	"*.push.apple.com",
	"web.push.apple.com",
}

// AllowList says which push-service hosts a subscription endpoint may name and which hosts the
// HTTP client may reach on internal addresses. Matching is always on the parsed host, never on
// the raw URL, so "https://169.254.169.254/x/.apple.com/" cannot pass as an Apple host.
//
// Entry forms (MINSIDE_PUSH_ALLOWED_HOSTS is a comma list of them):
//
//	fcm.googleapis.com    exactly this host, https on port 443, public addresses only
//	*.push.apple.com      any proper subdomain (web.push.apple.com, …), https on 443, public only
//	default               all of the defaults above
//	push.kommune.no:443   explicit: exactly this host and port; the dialer may reach it on a
//	127.0.0.1:41234       private or loopback address, and an IP literal host is allowed. This
//	[::1]:8443            is for an operator's own push service and for the tests' fake one.
//
// Explicit entries lift only the port-443, IP-literal and private-address rules, and only for
// that exact host and port: the scheme stays https, userinfo stays forbidden.
type AllowList struct {
	exact    map[string]bool // host
	suffixes []string        // ".push.apple.com"
	explicit map[string]bool // canonical "host:port" (IPv6 in brackets)
}

// DefaultAllowList is the list used when MINSIDE_PUSH_ALLOWED_HOSTS is empty.
func DefaultAllowList() AllowList {
	a, err := ParseAllowList(strings.Join(defaultAllowedHosts, ","))
	if err != nil {
		panic("push: default allow-list does not parse: " + err.Error())
	}
	return a
}

// ParseAllowList parses a comma list of entries (see AllowList). An empty or blank list gives
// DefaultAllowList, so an unset variable keeps the browsers' push services working.
func ParseAllowList(list string) (AllowList, error) {
	if strings.TrimSpace(list) == "" {
		return DefaultAllowList(), nil
	}
	a := AllowList{exact: map[string]bool{}, explicit: map[string]bool{}}
	for _, raw := range strings.Split(list, ",") {
		entry := strings.ToLower(strings.TrimSpace(raw))
		switch {
		case entry == "":
			continue
		case entry == "default":
			a = a.merge(DefaultAllowList())
		case strings.HasPrefix(entry, "*."):
			name := entry[2:]
			if !isDNSName(name) || !strings.Contains(name, ".") {
				return AllowList{}, fmt.Errorf("push: allowed hosts: %q: a suffix entry needs a domain of two labels or more", raw)
			}
			a.suffixes = append(a.suffixes, "."+name)
		case strings.ContainsAny(entry, "*/@?#%"):
			return AllowList{}, fmt.Errorf("push: allowed hosts: %q: give a host name, *.domain or host:port", raw)
		case isDNSName(entry):
			a.exact[entry] = true
		default:
			host, port, err := net.SplitHostPort(entry)
			if err != nil {
				return AllowList{}, fmt.Errorf("push: allowed hosts: %q: %w", raw, err)
			}
			key, ok := canonicalHostPort(host, port)
			if !ok {
				return AllowList{}, fmt.Errorf("push: allowed hosts: %q: not a host:port", raw)
			}
			a.explicit[key] = true
		}
	}
	if len(a.exact)+len(a.suffixes)+len(a.explicit) == 0 {
		return AllowList{}, fmt.Errorf("push: allowed hosts: %q names no host", list)
	}
	return a, nil
}

// MustParseAllowList is ParseAllowList for tests and constants; it panics on a bad list.
func MustParseAllowList(list string) AllowList {
	a, err := ParseAllowList(list)
	if err != nil {
		panic(err)
	}
	return a
}

func (a AllowList) merge(b AllowList) AllowList {
	for h := range b.exact {
		a.exact[h] = true
	}
	for h := range b.explicit {
		a.explicit[h] = true
	}
	a.suffixes = append(a.suffixes, b.suffixes...)
	return a
}

// Entries lists the entries in canonical form, sorted, for logs and start-up messages.
func (a AllowList) Entries() []string {
	var out []string
	for h := range a.exact {
		out = append(out, h)
	}
	for _, s := range a.suffixes {
		out = append(out, "*"+s)
	}
	for h := range a.explicit {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

func (a AllowList) String() string { return strings.Join(a.Entries(), ",") }

// allowsEndpointHost reports whether an https endpoint at host (from url.Hostname) and port
// (from url.Port, "" when implied) is allowed.
func (a AllowList) allowsEndpointHost(host, port string) bool {
	if port == "" {
		port = "443"
	}
	if key, ok := canonicalHostPort(host, port); ok && a.explicit[key] {
		return true
	}
	host = strings.ToLower(host)
	if port != "443" || !isDNSName(host) {
		return false // IP literals and other ports only through an explicit entry
	}
	if egress.CheckURL("https://"+net.JoinHostPort(host, port)+"/", egress.URLPolicy{}) != nil {
		return false // the one egress guard: no address in disguise, no local name
	}
	if a.exact[host] {
		return true
	}
	for _, suffix := range a.suffixes {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}

// isExplicit reports whether the dialer may reach host:port on a non-public address.
func (a AllowList) isExplicit(host, port string) bool {
	key, ok := canonicalHostPort(host, port)
	return ok && a.explicit[key]
}

// canonicalHostPort lower-cases names, normalises IP literals (no zones) and validates the port.
func canonicalHostPort(host, port string) (string, bool) {
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
		return "", false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return "", false
		}
		return net.JoinHostPort(ip.Unmap().String(), port), true
	}
	host = strings.ToLower(host)
	if !isDNSName(host) {
		return "", false
	}
	return net.JoinHostPort(host, port), true
}
