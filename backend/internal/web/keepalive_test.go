package web_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
)

// TestIdleConnectionsCloseSilently: a connection that waits past the server's timeouts without a
// request is closed with nothing written. An answer there (it used to be a 400 problem) reaches a
// client that sent nothing, and Go's HTTP client logs "Unsolicited response received on idle HTTP
// channel" and drops a connection it counted on.
func TestIdleConnectionsCloseSilently(t *testing.T) {
	const timeout = 300 * time.Millisecond
	p := apptest.Start(t, apptest.WithConfig(func(c *config.Config) {
		c.HTTPReadTimeout, c.HTTPIdleTimeout = timeout, timeout
	}))
	addr := strings.TrimPrefix(p.URL, "http://")

	t.Run("keep-alive after a request", func(t *testing.T) {
		conn := dial(t, addr)
		r := bufio.NewReader(conn)
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Close {
			t.Fatalf("first request: status %d, close %v; want 200 on a kept-alive connection", res.StatusCode, res.Close)
		}
		expectCleanClose(t, conn, r, timeout)
	})
	t.Run("spare connection that never sent a request", func(t *testing.T) {
		conn := dial(t, addr)
		expectCleanClose(t, conn, bufio.NewReader(conn), timeout)
	})
	t.Run("a request cut short is still answered", func(t *testing.T) {
		conn := dial(t, addr)
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: "); err != nil {
			t.Fatal(err)
		}
		if err := conn.SetReadDeadline(time.Now().Add(timeout + 10*time.Second)); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer to a half-sent request: %v", err)
		}
		res.Body.Close()
		if res.StatusCode < 400 || !res.Close {
			t.Errorf("half-sent request: status %d, close %v; want an error and a close", res.StatusCode, res.Close)
		}
	})
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// expectCleanClose waits for the server to close the idle connection and fails on any byte it
// sends first. The wait is bounded well past the timeout, for a loaded machine.
func expectCleanClose(t *testing.T, conn net.Conn, r *bufio.Reader, timeout time.Duration) {
	t.Helper()
	start := time.Now()
	if err := conn.SetReadDeadline(start.Add(timeout + 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if len(got) > 0 {
		t.Fatalf("the server wrote %q on an idle connection; want a silent close", got)
	}
	if err != nil {
		t.Fatalf("no clean close: %v after %s", err, time.Since(start).Round(time.Millisecond))
	}
	if waited := time.Since(start); waited < timeout/2 {
		t.Errorf("closed after %s, before the idle timeout %s", waited, timeout)
	}
}
