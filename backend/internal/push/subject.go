package push

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"strings"
)

// Subject is the VAPID "sub" claim: how a push service reaches the operator (RFC 8292 §2.1).
// Push services refuse JWTs without one, and Apple refuses addresses at made-up domains such as
// localhost, so ParseSubject insists on a mailto: address or https: URL with a real-looking domain.
type Subject struct {
	uri string
}

// ParseSubject accepts "mailto:ops@example.no" or "https://kommune.no/kontakt".
func ParseSubject(s string) (Subject, error) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Subject{}, errors.New("push: vapid subject: must be a mailto: address or an https: URL")
	}
	switch strings.ToLower(scheme) {
	case "mailto":
		addr, err := mail.ParseAddress(rest)
		if err != nil || addr.Name != "" || addr.Address != rest {
			return Subject{}, fmt.Errorf("push: vapid subject %q: not a plain e-mail address", s)
		}
		_, domain, _ := strings.Cut(rest, "@")
		if !isPublicLookingDomain(domain) {
			return Subject{}, fmt.Errorf("push: vapid subject %q: the domain must be a real, public domain", s)
		}
		return Subject{uri: "mailto:" + rest}, nil
	case "https":
		u, err := url.Parse(s)
		if err != nil || u.User != nil || u.Opaque != "" || !isPublicLookingDomain(u.Hostname()) {
			return Subject{}, fmt.Errorf("push: vapid subject %q: must be an https URL at a real, public domain", s)
		}
		return Subject{uri: u.String()}, nil
	default:
		return Subject{}, fmt.Errorf("push: vapid subject %q: must be a mailto: address or an https: URL", s)
	}
}

// String is the exact "sub" claim push services see.
func (s Subject) String() string { return s.uri }

// IsZero reports whether the subject was never set.
func (s Subject) IsZero() bool { return s.uri == "" }

// isPublicLookingDomain wants at least two DNS labels, a letters-only top-level label, and no IP
// literal or single-label name such as localhost.
func isPublicLookingDomain(host string) bool {
	if _, err := netip.ParseAddr(host); err == nil {
		return false
	}
	host = strings.ToLower(host)
	if !isDNSName(host) {
		return false
	}
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	switch tld {
	case "localhost", "local", "internal", "invalid", "test", "example", "lan", "home", "corp":
		return false
	}
	return true
}

// isDNSName checks a lower-case host name: dot-separated LDH labels of 1–63 characters, not
// starting or ending with '-', at most 253 characters, no trailing dot, and a last label that is
// not all digits — so no IPv4 literal, and no "2130706433" that some resolvers read as one.
func isDNSName(host string) bool {
	if host == "" || len(host) > 253 {
		return false
	}
	last := host[strings.LastIndexByte(host, '.')+1:]
	if strings.Trim(last, "0123456789") == "" {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
