package webhook

import (
	"net"
	"net/http"
	"time"

	"minside/backend/internal/egress"
)

// ErrForbiddenAddress is returned (wrapped) when a webhook URL resolves to an address inside the
// operator's network (loopback, private, link-local, …): an agency's URL must not be a way into
// it. It is the egress guard's error, shared with push.
var ErrForbiddenAddress = egress.ErrNotAllowed

// NewClient is the one HTTP client for webhooks. Unless allowPrivate (tests, or an operator whose
// agencies live on the internal network), it refuses non-public addresses after DNS resolution, in
// the dialer, so a name that resolves to 127.0.0.1 or 169.254.169.254 is refused too. It never
// follows redirects, ignores proxy variables (a proxy would hide the real destination), and bounds
// every phase of a request by timeout.
func NewClient(allowPrivate bool, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = egress.DialControl
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a 3xx is an answer, and a wrong one
		},
	}
}
