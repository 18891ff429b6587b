package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheck asks a running portal on this host whether it is ready (GET /readyz) and fails
// when it is not. Container images without a shell or curl use it as their HEALTHCHECK.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "", "the portal's listen address (default MINSIDE_ADDR, else :8080)")
	path := fs.String("path", "/readyz", "the path to ask: /readyz (database up and migrated) or /healthz (process up)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	if *path != "/readyz" && *path != "/healthz" {
		return fmt.Errorf("healthcheck: --path must be /readyz or /healthz")
	}
	if *addr == "" {
		*addr = strings.TrimSpace(getenv("MINSIDE_ADDR"))
	}
	target, err := loopbackURL(*addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target+*path, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %s: %w", target+*path, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d", target+*path, resp.StatusCode)
	}
	_, err = fmt.Fprintf(stdout, "%s: ready\n", target+*path)
	return err
}

// loopbackURL turns a listen address (":8080", "0.0.0.0:8080", "[::]:8080", "127.0.0.1:9000")
// into the URL a process on the same host reaches it at: a wildcard host becomes loopback.
func loopbackURL(addr string) (string, error) {
	if addr == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("healthcheck: %q is not a host:port listen address", addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}
