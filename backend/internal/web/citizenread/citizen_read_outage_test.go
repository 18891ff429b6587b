package citizenread_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/store/storetest"
)

// tcpProxy stands between the portal and PostgreSQL on loopback, so a test can take the database
// away (every connection cut, new ones refused) and bring it back, reliably and at once.
type tcpProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{addr: ln.Addr().String(), target: target}
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
			go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
		}
	}()
}

// down cuts every connection and refuses new ones.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// up accepts connections again on the same address.
func (p *tcpProxy) up(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(ln)
}

// TestDatabaseOutageIs503AndHeals: with PostgreSQL gone the citizen API answers 503 problem+json
// within a second and /readyz turns red; when it is back, both recover without a restart.
func TestDatabaseOutageIs503AndHeals(t *testing.T) {
	t.Parallel()
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		return // the outage is simulated on the network path to PostgreSQL; SQLite has none
	}
	dsn, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, dsn.Host)
	dsn.Host = proxy.addr
	p := apptest.Start(t, apptest.WithDatabaseURL(dsn.String()))
	r := loginReader(t, p, 1980, 30)
	r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK)
	anon := p.Anonymous(t)
	anon.Get(t, "/readyz").Status(t, http.StatusOK)

	proxy.down()
	for _, path := range []string{"/api/v1/me/overview", "/api/v1/cases", "/api/v1/changes?cursor=x"} {
		start := time.Now()
		pr := r.client.Get(t, path).Status(t, http.StatusServiceUnavailable).Problem(t)
		if took := time.Since(start); took > time.Second {
			t.Errorf("%s: 503 after %s, want within a second", path, took)
		}
		if pr.Code != "unavailable" {
			t.Errorf("%s: problem %+v", path, pr)
		}
	}
	anon.Get(t, "/readyz").Status(t, http.StatusServiceUnavailable)

	proxy.up(t)
	deadline := time.Now().Add(5 * time.Second)
	for {
		res := r.client.Get(t, "/api/v1/me/overview")
		if res.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d five seconds after the database came back", res.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	anon.Get(t, "/readyz").Status(t, http.StatusOK)
}
