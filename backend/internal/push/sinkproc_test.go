package push_test

import (
	"bufio"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
)

// sinkProcessEnv makes the test binary run as a loopback sink instead of running tests: the
// benchmarks start it as a child so the sender's CPU can be measured without the fake's.
const sinkProcessEnv = "MINSIDE_PUSH_SINK_PROCESS"

func TestMain(m *testing.M) {
	if os.Getenv(sinkProcessEnv) == "1" {
		os.Exit(runSinkProcess())
	}
	os.Exit(m.Run())
}

// runSinkProcess prints the sink's origin and certificate, then serves until stdin closes.
func runSinkProcess() int {
	srv, stop, err := pushtest.StartSink()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stop()
	fmt.Printf("%s\n%s\n", srv.URL(), base64.StdEncoding.EncodeToString(srv.Certificate().Raw))
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// childSink is a sink in a child process.
type childSink struct {
	origin string
	pool   *x509.CertPool
}

func startChildSink(b *testing.B) childSink {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), sinkProcessEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	var got []string
	for len(got) < 2 && lines.Scan() {
		got = append(got, strings.TrimSpace(lines.Text()))
	}
	if len(got) < 2 {
		b.Fatalf("sink process did not start: %v", lines.Err())
	}
	der, err := base64.StdEncoding.DecodeString(got[1])
	if err != nil {
		b.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return childSink{origin: got[0], pool: pool}
}

// subscriber makes a browser-like subscription at the child sink; the sink never decrypts.
func (c childSink) subscriber(b *testing.B) push.Subscription {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return push.Subscription{Endpoint: c.origin + "/push/bench",
		P256dh: base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
		Auth:   base64.RawURLEncoding.EncodeToString(auth)}
}

func (c childSink) allowList() push.AllowList {
	return push.MustParseAllowList(strings.TrimPrefix(c.origin, "https://"))
}

// processCPU is this process's user+system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
