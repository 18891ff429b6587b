// Package links is the one policy for links that agencies hand the portal (case deep links,
// document URLs, tile links, notification and notice links) and that the PWA turns into href.
//
// A link is judged as a browser will read it (WHATWG URL), not as Go's url.Parse reads it: a
// browser drops tabs and newlines anywhere, trims leading and trailing control characters and
// spaces, and reads a backslash as a slash, so "/\t/evil.example" and "/\\evil.example" become
// "//evil.example", another site. Rather than repair such input, the policy refuses any link a
// browser would read differently from its plain text, and accepts only:
//
//   - an absolute https URL on an allowed host (any host name unless the policy lists hosts; no
//     IP address, no localhost), without user info, on a real port; or
//   - a path inside the portal: "/" followed by anything but a second "/" or "\".
//
// pwa/src/links.js applies the same rules before a link becomes an href.
package links

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"minside/backend/internal/egress"
)

// MaxLength bounds a link.
const MaxLength = 2000

// Reasons a link is refused.
var (
	ErrInvalid  = errors.New("links: not a link a browser reads as written")
	ErrNotHTTPS = errors.New("links: an absolute link must be https")
	ErrHost     = errors.New("links: host not allowed")
)

// Policy says which absolute links are allowed. The zero Policy allows any https host.
type Policy struct {
	// Hosts, when not empty, lists the hosts absolute links may name: "kommune.no" exactly, or
	// "*.kommune.no" for any subdomain.
	Hosts []string
}

// CheckLink accepts an https URL (see CheckHTTPS) or a path inside the portal.
func (p Policy) CheckLink(s string) error {
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, `\`) {
		return checkPath(s)
	}
	return p.CheckHTTPS(s)
}

// CheckHTTPS accepts only an absolute https URL on an allowed host.
func (p Policy) CheckHTTPS(s string) error {
	if !plain(s) {
		return ErrInvalid
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !validScheme(scheme) {
		return ErrInvalid // a relative link where an absolute one is needed, or garbage
	}
	if !strings.EqualFold(scheme, "https") {
		return ErrNotHTTPS
	}
	if !strings.HasPrefix(rest, "//") {
		return ErrInvalid // "https:evil.example" is read relative to the page by a browser
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return ErrInvalid
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || !egress.ValidPort(n) {
			return ErrInvalid
		}
	}
	host := strings.ToLower(u.Hostname())
	if !dnsName(host) {
		return ErrInvalid // IP literals, numeric hosts (0x7f000001) and non-ASCII hosts
	}
	if _, isIP, err := egress.HostAddr(host); isIP || err != nil {
		return ErrInvalid
	}
	if !p.allowsHost(host) {
		return ErrHost
	}
	return nil
}

// checkPath accepts a path-absolute link that stays on the portal's origin.
func checkPath(s string) error {
	if !plain(s) || len(s) < 1 || s[0] != '/' {
		return ErrInvalid
	}
	if len(s) > 1 && s[1] == '/' {
		return ErrInvalid // "//host": another site
	}
	return nil
}

// plain reports whether a browser reads s exactly as written: no control character, space or
// DEL anywhere (a browser trims them at the ends and drops tab and newline inside), no
// backslash (read as "/"), valid length.
func plain(s string) bool {
	if s == "" || len(s) > MaxLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// dnsName reports an ASCII host name (IDN hosts in their xn-- form), not "localhost": a link to
// the citizen's own machine could reach services running there.
func dnsName(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if host == "" || len(host) > 253 || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func (p Policy) allowsHost(host string) bool {
	if len(p.Hosts) == 0 {
		return true
	}
	host = strings.TrimSuffix(host, ".")
	for _, h := range p.Hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if suffix, ok := strings.CutPrefix(h, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
		} else if host == h {
			return true
		}
	}
	return false
}
