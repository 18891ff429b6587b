package push_test

import (
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/push"
)

// TestClientDialsOnlyPublicOrExplicit runs real dials to a loopback TLS server: the address check
// happens after DNS resolution, so an allowed *name* pointing at loopback is refused too.
func TestClientDialsOnlyPublicOrExplicit(t *testing.T) {
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "https://169.254.169.254/latest/meta-data/", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer ts.Close()
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	u, _ := url.Parse(ts.URL)
	port := u.Port()

	tests := []struct {
		name    string
		allow   string
		target  string
		status  int // 0: refused at dial
		refused bool
	}{
		{"loopback not listed", "fcm.googleapis.com", ts.URL + "/x", 0, true},
		{"loopback host listed without port", "default", ts.URL + "/x", 0, true},
		{"name resolving to loopback", "localhost", "https://localhost:" + port + "/x", 0, true},
		{"explicit host:port", "127.0.0.1:" + port, ts.URL + "/x", http.StatusCreated, false},
		{"explicit, other port", "127.0.0.1:1", ts.URL + "/x", 0, true},
		{"explicit, redirect not followed", "127.0.0.1:" + port, ts.URL + "/redirect", http.StatusFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := push.NewHTTPClient(push.MustParseAllowList(tt.allow), 2*time.Second, push.WithRootCAs(pool))
			resp, err := client.Post(tt.target, "application/octet-stream", strings.NewReader("x"))
			if tt.refused {
				if !errors.Is(err, push.ErrAddressNotAllowed) {
					t.Fatalf("want ErrAddressNotAllowed, got resp=%v err=%v", resp, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func TestClientVerifiesTLS(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the expected outcome
	ts.StartTLS()
	defer ts.Close()
	u, _ := url.Parse(ts.URL)
	client := push.NewHTTPClient(push.MustParseAllowList(u.Host), 2*time.Second) // system roots only
	_, err := client.Get(ts.URL)
	var certErr x509.UnknownAuthorityError
	if !errors.As(err, &certErr) {
		t.Fatalf("a self-signed certificate must fail verification, got %v", err)
	}
}
