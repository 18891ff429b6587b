package faults_test

import (
	"io"
	"net"
	"sync"
	"testing"
)

// stallingProxy forwards TCP between the portal and PostgreSQL on loopback and can be paused: while
// paused it keeps every connection open and accepts new ones, but passes no byte either way, as a
// database host that hangs (or a network that silently drops) looks to the portal. Unlike a cut
// connection, nothing fails fast: only a deadline ends a query.
type stallingProxy struct {
	addr, target string
	ln           net.Listener

	mu     sync.Mutex
	flow   chan struct{} // closed while bytes flow; a fresh open channel while paused
	conns  []net.Conn
	closed bool
}

func startStallingProxy(t *testing.T, target string) *stallingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	flow := make(chan struct{})
	close(flow)
	p := &stallingProxy{addr: ln.Addr().String(), target: target, ln: ln, flow: flow}
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *stallingProxy) accept() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = in.Close()
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			_ = in.Close()
			_ = out.Close()
			return
		}
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		go p.pipe(out, in)
		go p.pipe(in, out)
	}
}

// pipe copies src to dst, holding each chunk while the proxy is paused.
func (p *stallingProxy) pipe(dst, src net.Conn) {
	defer func() { _ = dst.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			flow := p.flow
			p.mu.Unlock()
			<-flow
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				_ = src.Close()
			}
			return
		}
	}
}

// pause stops every byte; connections stay open.
func (p *stallingProxy) pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.flow:
		p.flow = make(chan struct{})
	default: // already paused
	}
}

// resume lets the held bytes and everything after them through.
func (p *stallingProxy) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.flow:
	default:
		close(p.flow)
	}
}

func (p *stallingProxy) close() {
	p.resume()
	p.mu.Lock()
	p.closed = true
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	_ = p.ln.Close()
	for _, c := range conns {
		_ = c.Close()
	}
}
