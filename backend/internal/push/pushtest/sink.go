package pushtest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"testing"
	"time"
)

// The sink is a bare HTTP/1.1-over-TLS responder, not net/http: it reads each request's headers
// and body and answers 201, nothing else. Benchmarks share two cores between sender and fake
// service, so the fake must cost as little as possible to measure the sender rather than itself.

var sinkReply = []byte("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")

// startSink listens on 127.0.0.1 with a fresh self-signed certificate and serves until the test ends.
func (s *Server) startSink(t testing.TB) {
	stop, err := s.listenSink()
	if err != nil {
		t.Fatalf("pushtest: %v", err)
	}
	t.Cleanup(stop)
}

// StartSink starts a sink outside a test, e.g. in a child process so a benchmark can measure
// the sender's CPU without the fake's. Certificate gives the client something to trust.
func StartSink() (s *Server, stop func(), err error) {
	s = &Server{subs: map[string]*subscriber{}, changed: make(chan struct{}), sink: true}
	stop, err = s.listenSink()
	return s, stop, err
}

// Certificate is the server's self-signed TLS certificate.
func (s *Server) Certificate() *x509.Certificate { return s.cert }

func (s *Server) listenSink() (func(), error) {
	cert, leaf, err := selfSignedLoopbackCert()
	if err != nil {
		return nil, fmt.Errorf("sink certificate: %w", err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, fmt.Errorf("sink listen: %w", err)
	}
	s.origin = "https://" + ln.Addr().String()
	s.cert = leaf
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serveSinkConn(conn)
		}
	}()
	return func() { ln.Close(); <-done }, nil
}

func (s *Server) serveSinkConn(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReaderSize(conn, 4096)
	for {
		length := -1
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(line) <= 2 { // the blank line ending the headers
				break
			}
			if name, value, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(name, []byte("Content-Length")) {
				if n, err := strconv.Atoi(string(bytes.TrimSpace(value))); err == nil {
					length = n
				}
			}
		}
		if length < 0 || length > MaxBodyBytes {
			_, _ = conn.Write([]byte("HTTP/1.1 411 Length Required\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
			return
		}
		if _, err := br.Discard(length); err != nil {
			return
		}
		s.posts.Add(1)
		if _, err := conn.Write(sinkReply); err != nil {
			return
		}
	}
}

// selfSignedLoopbackCert makes a P-256 certificate for 127.0.0.1, its own issuer.
func selfSignedLoopbackCert() (tls.Certificate, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "pushtest sink"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, errors.Join(errors.New("parse own certificate"), err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf, nil
}
