package pushtest

import (
	"bufio"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/push"
)

// sinkProcessEnv makes a test binary run as a loopback sink instead of running tests: benchmarks
// start it as a child so the sender's CPU can be measured without the fake's, as in production
// where the push service is another machine.
const sinkProcessEnv = "MINSIDE_PUSH_SINK_PROCESS"

// ServeSinkIfChild is for a test package's TestMain: in the child started by StartChildSink it
// serves the sink until its stdin closes and reports true (TestMain then exits); otherwise false.
func ServeSinkIfChild() (bool, int) {
	if os.Getenv(sinkProcessEnv) != "1" {
		return false, 0
	}
	srv, stop, err := StartSink()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return true, 1
	}
	defer stop()
	fmt.Printf("%s\n%s\n", srv.URL(), base64.StdEncoding.EncodeToString(srv.Certificate().Raw))
	_, _ = io.Copy(io.Discard, os.Stdin)
	return true, 0
}

// ChildSink is a sink in a child process (the test binary itself, see ServeSinkIfChild).
type ChildSink struct {
	Origin string
	Pool   *x509.CertPool
}

// StartChildSink starts the child and stops it when the test ends.
func StartChildSink(tb testing.TB) ChildSink {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), sinkProcessEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	var got []string
	for len(got) < 2 && lines.Scan() {
		got = append(got, strings.TrimSpace(lines.Text()))
	}
	if len(got) < 2 {
		tb.Fatalf("pushtest: sink process did not start: %v", lines.Err())
	}
	der, err := base64.StdEncoding.DecodeString(got[1])
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return ChildSink{Origin: got[0], Pool: pool}
}

// Subscriber makes a browser-like subscription at the child sink; the sink never decrypts.
func (c ChildSink) Subscriber(tb testing.TB) push.Subscription {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return push.Subscription{Endpoint: c.Origin + "/push/bench",
		P256dh: base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
		Auth:   base64.RawURLEncoding.EncodeToString(auth)}
}

// AllowList admits the child sink's origin.
func (c ChildSink) AllowList() push.AllowList {
	return push.MustParseAllowList(strings.TrimPrefix(c.Origin, "https://"))
}

// Client is the production push client, trusting the child sink's certificate.
func (c ChildSink) Client(timeout time.Duration) *http.Client {
	return push.NewHTTPClient(c.AllowList(), timeout, push.WithRootCAs(c.Pool))
}
