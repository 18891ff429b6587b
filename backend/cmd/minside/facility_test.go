package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/doors"
	"minside/backend/internal/lockadapter"
)

func TestFacilityLockSetListUnset(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := map[string]string{
		"MINSIDE_DATABASE_URL": "sqlite:" + filepath.Join(dir, "minside.db"),
		"MINSIDE_DATA_DIR":     dir,
		"MINSIDE_SEED_DEMO":    "false",
	}
	getenv := func(k string) string { return env[k] }
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, getenv, &out)
		return out.String(), err
	}
	if _, err := cli("seed"); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	key := doors.EncodePublicKey(pub)

	if _, err := cli("facility", "lock", "set", "--agency", "bibliotek", "--facility", "deichman-toyen",
		"--url", "http://lock.example.no", "--public-key", key); err == nil || !strings.Contains(err.Error(), "--url") {
		t.Fatalf("http URL: %v", err)
	}
	if _, err := cli("facility", "lock", "set", "--agency", "bibliotek", "--facility", "deichman-toyen",
		"--url", "https://lock.example.no", "--public-key", "not-a-key"); err == nil || !strings.Contains(err.Error(), "--public-key") {
		t.Fatalf("bad key: %v", err)
	}
	if _, err := cli("facility", "lock", "set", "--agency", "bibliotek", "--facility", "nowhere",
		"--url", "https://lock.example.no", "--public-key", key); err == nil || !strings.Contains(err.Error(), "no such") {
		t.Fatalf("unknown facility: %v", err)
	}
	if out, err := cli("facility", "lock", "list"); err != nil || strings.Contains(out, "deichman") {
		t.Fatalf("a refused set was stored: %q %v", out, err)
	}
	if _, err := cli("facility", "lock", "set", "--agency", "bibliotek", "--facility", "deichman-toyen",
		"--url", "https://lock.example.no/oslo/", "--public-key", key); err != nil {
		t.Fatal(err)
	}
	out, err := cli("facility", "lock", "list")
	if err != nil || !strings.Contains(out, "deichman-toyen") || !strings.Contains(out, "https://lock.example.no/oslo ") || !strings.Contains(out, "unknown") {
		t.Fatalf("list: %q %v", out, err)
	}
	if _, err := cli("facility", "lock", "unset", "--agency", "bibliotek", "--facility", "deichman-toyen"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli("facility", "lock", "unset", "--agency", "bibliotek", "--facility", "deichman-toyen"); err == nil {
		t.Fatal("unset twice succeeded")
	}
	jwks, err := cli("facility", "lock", "portal-key")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := lockadapter.ParseJWKS([]byte(jwks))
	if err != nil || len(keys) != 1 {
		t.Fatalf("portal-key printed %q: %v", jwks, err)
	}
}

// syncBuffer is a bytes.Buffer the adapter's goroutines may write to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a pool trusting it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(priv)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestLockAdapterCommandOpensOverTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	issuer, err := doors.NewIssuer(bytes.Repeat([]byte("p"), 32), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := issuer.JWKS()
	jwksFile := filepath.Join(dir, "portal.jwks")
	_ = os.WriteFile(jwksFile, jwks, 0o600)

	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"lock-adapter", "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile,
			"--key", filepath.Join(dir, "adapter.key"), "--portal-jwks", jwksFile, "--doors", "main,side"}, func(string) string { return "" }, out)
	}()
	started := regexp.MustCompile(`lock adapter on (https://\S+) for main, side\npublic key: (\S+)\n`)
	var m []string
	for deadline := time.Now().Add(5 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		m = started.FindStringSubmatch(out.String())
	}
	if m == nil {
		cancel()
		t.Fatalf("the adapter did not start: %q", out.String())
	}
	adapterKey, err := doors.ParsePublicKey(m[2])
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	locks := doors.NewHTTPLock(client, m[1], adapterKey)
	door := doors.Door{AccessPointID: "0190a0a0-0000-7000-8000-000000000001", ExternalID: "main"}
	token, _, _ := issuer.Issue("key-1", door, time.Now())
	if err := locks.Open(ctx, door, token); err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := locks.Open(ctx, door, token); err == nil || !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("replay: %v", err)
	}
	if !strings.Contains(out.String(), "open main\n") {
		t.Fatalf("the log output did not drive the door: %q", out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("the adapter stopped with %v", err)
	}
}
