package push

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrAddressNotAllowed is returned (wrapped) when the client refuses to connect: the push host
// resolved to a private, loopback, link-local, multicast, CGNAT or otherwise non-public address,
// or a port other than 443, and the allow-list does not name that host:port explicitly.
var ErrAddressNotAllowed = errors.New("push: address not allowed")

// ClientOption adjusts NewHTTPClient.
type ClientOption func(*clientOptions)

type clientOptions struct {
	rootCAs *x509.CertPool
}

// WithRootCAs trusts only pool instead of the system store. Tests use it to reach the fake push
// service (pushtest); production leaves it out (SSL_CERT_FILE and SSL_CERT_DIR then apply).
func WithRootCAs(pool *x509.CertPool) ClientOption {
	return func(o *clientOptions) { o.rootCAs = pool }
}

// NewHTTPClient builds the one client every push send shares. It keeps connections alive (most
// sends go to a handful of hosts), never follows redirects, ignores proxy variables, verifies TLS,
// and refuses at dial time, after DNS resolution, any address that is not public unicast on port
// 443 unless allow names that host:port explicitly. That check on the resolved address is what
// stops DNS rebinding: a name on the allow-list cannot be made to point inside the network.
// timeout bounds a whole request, connecting to reading the answer.
func NewHTTPClient(allow AllowList, timeout time.Duration, opts ...ClientOption) *http.Client {
	var o clientOptions
	for _, opt := range opts {
		opt(&o)
	}
	guarded := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: refuseNonPublic}
	trusted := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("push: dial %q: %w", addr, err)
		}
		if allow.isExplicit(host, port) {
			return trusted.DialContext(ctx, network, addr)
		}
		return guarded.DialContext(ctx, network, addr)
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us and bypass the address check
		DialContext:           dial,
		ForceAttemptHTTP2:     true,
		DisableCompression:    true, // answers are a few bytes; skip gzip negotiation
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64, // nearly every send goes to fcm.googleapis.com
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.rootCAs},
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		// A push service never legitimately redirects; following one would leave the allow-list.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// refuseNonPublic is the dialer's Control hook: it sees the resolved address just before connect.
func refuseNonPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrAddressNotAllowed, address)
	}
	if ap.Port() != 443 || !isPublicAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrAddressNotAllowed, address)
	}
	return nil
}

// nonPublicPrefixes are ranges netip's predicates do not cover (RFC 6890 special-purpose space).
var nonPublicPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: could reach any IPv4, private included
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo, ORCHID, …)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds any IPv4
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
}

// isPublicAddr reports whether addr is global unicast outside every private or special range.
func isPublicAddr(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.Zone() != "" || !addr.IsGlobalUnicast() || addr.IsPrivate() ||
		addr.IsLoopback() || addr.IsLinkLocalUnicast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	for _, p := range nonPublicPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}
