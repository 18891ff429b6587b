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

	"minside/backend/internal/egress"
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
// Push services listen on 443; the address must pass the one egress guard.
func refuseNonPublic(network, address string, raw syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || ap.Port() != 443 {
		return fmt.Errorf("%w: %s", ErrAddressNotAllowed, address)
	}
	if err := egress.DialControl(network, address, raw); err != nil {
		return fmt.Errorf("%w: %w", ErrAddressNotAllowed, err)
	}
	return nil
}
