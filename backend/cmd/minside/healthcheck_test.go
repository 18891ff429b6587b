package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHealthcheckFollowsReadyz(t *testing.T) {
	var ready atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" || !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	env := func(name string) string {
		if name == "MINSIDE_ADDR" {
			return addr
		}
		return ""
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"healthcheck"}, env, &out); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("not ready: err = %v, want one naming 503", err)
	}
	ready.Store(true)
	if err := run(context.Background(), []string{"healthcheck"}, env, &out); err != nil {
		t.Fatalf("ready: %v", err)
	}
	if !strings.Contains(out.String(), "ready") {
		t.Errorf("output %q", out.String())
	}
	if err := run(context.Background(), []string{"healthcheck", "--path", "/metrics"}, env, &out); err == nil {
		t.Error("a path other than /readyz or /healthz was accepted")
	}
}

func TestLoopbackURL(t *testing.T) {
	for addr, want := range map[string]string{
		"":               "http://127.0.0.1:8080",
		":8080":          "http://127.0.0.1:8080",
		"0.0.0.0:9000":   "http://127.0.0.1:9000",
		"[::]:8080":      "http://[::1]:8080",
		"127.0.0.1:8081": "http://127.0.0.1:8081",
	} {
		if got, err := loopbackURL(addr); err != nil || got != want {
			t.Errorf("loopbackURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if _, err := loopbackURL("8080"); err == nil {
		t.Error("a bare port was accepted")
	}
}
