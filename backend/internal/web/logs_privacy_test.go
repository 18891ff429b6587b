package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/pid"
)

// TestAccessLogMasksNationalIDs: a national identity number in a path segment or a query value,
// refused or accepted, leaves no run of 11 digits in any log line.
func TestAccessLogMasksNationalIDs(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		_, key, _, err := p.App.Agencies.Create(context.Background(), "logs", "Etat logs", "")
		if err != nil {
			t.Fatal(err)
		}
		number := apptest.PID(t, 1990, 7)
		target := "/api/agency/v1/cases/" + number + "?pid=" + number
		anon := p.Anonymous(t)
		if r := anon.Get(t, target); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("without a key: %d", r.StatusCode)
		}
		agencyClient := p.Anonymous(t)
		agencyClient.Header.Set("Authorization", "Bearer "+key.Key)
		if r := agencyClient.Get(t, target); r.StatusCode >= 500 || r.StatusCode == http.StatusUnauthorized {
			t.Fatalf("with a key: %d %s", r.StatusCode, r.Body)
		}
		anon.Get(t, "/healthz?pid="+number).Status(t, http.StatusOK)
		anon.Get(t, "/"+number+"?x="+number).Status(t, http.StatusOK) // a PWA deep link
		anon.Get(t, "/api/nowhere/"+number).Status(t, http.StatusNotFound)

		logs := p.Logs()
		if !strings.Contains(logs, "path=/api/agency/v1/cases/***********") {
			t.Fatalf("no masked access line for the agency path:\n%s", logs)
		}
		for _, line := range strings.Split(logs, "\n") {
			if pid.HasDigitRun(line) {
				t.Errorf("a run of 11 digits is in the log: %s", pid.MaskDigitRuns(line))
			}
		}
	})
}

// TestRequestIDTrustedOnlyFromProxies: X-Request-ID is kept only from a configured trusted proxy
// and only when well-formed; from anyone else it is replaced by our own id.
func TestRequestIDTrustedOnlyFromProxies(t *testing.T) {
	const planted = "proxy-id-0123456789"
	tests := []struct {
		name    string
		proxies []string
		header  string
		keep    bool
	}{
		{"no proxy configured", nil, planted, false},
		{"client is not a trusted proxy", []string{"10.9.9.9"}, planted, false},
		{"trusted proxy, well-formed", []string{"127.0.0.1"}, planted, true},
		{"trusted proxy, trusted range", []string{"127.0.0.0/8"}, planted, true},
		{"trusted proxy, a national id inside", []string{"127.0.0.1"}, "req-" + apptest.PID(t, 1980, 2), false},
		{"trusted proxy, bad characters", []string{"127.0.0.1"}, "id with spaces;", false},
		{"trusted proxy, too long", []string{"127.0.0.1"}, strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := apptest.Start(t, apptest.WithConfig(func(c *config.Config) { c.TrustedProxies = tt.proxies }))
			c := p.Anonymous(t)
			req := c.NewRequest(t, http.MethodGet, "/healthz", nil)
			req.Header.Set("X-Request-ID", tt.header)
			r := c.Do(t, req).Status(t, http.StatusOK)
			got := r.Header.Get("X-Request-ID")
			if kept := got == tt.header; kept != tt.keep {
				t.Fatalf("X-Request-ID %q answered %q, want kept=%v", tt.header, got, tt.keep)
			}
			if got == "" {
				t.Fatal("no request id")
			}
			if !strings.Contains(p.Logs(), "request_id="+got) {
				t.Fatalf("the log does not carry the id %q", got)
			}
			// The audit log keeps the id of a login: a planted one only from a trusted proxy.
			c.Header.Set("X-Request-ID", tt.header)
			c.Login(t, apptest.PID(t, 1977, 3), apptest.LoginOptions{})
			n, err := p.DB.NewSelect().TableExpr("audit_log").Where("request_id = ?", tt.header).Count(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if (n > 0) != tt.keep {
				t.Fatalf("audit_log rows with the planted id: %d, want kept=%v", n, tt.keep)
			}
		})
	}
}
