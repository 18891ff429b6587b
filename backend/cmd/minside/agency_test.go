package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app"
	"minside/backend/internal/config"
	"minside/backend/internal/pid"
	"minside/backend/internal/store/storetest"
)

var printedKey = regexp.MustCompile(`ms_[0-9a-f]{8}_[A-Za-z0-9_-]{43}`)

func TestAgencyCreatePrintsAWorkingKeyOnce(t *testing.T) {
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

	out, err := cli("agency", "create", "--slug", "bibliotek", "--name", "Biblioteket", "--webhook-url", "https://bibliotek.example.no/hooks")
	if err != nil {
		t.Fatal(err)
	}
	keys := printedKey.FindAllString(out, -1)
	if len(keys) != 1 || !strings.Contains(out, "whsec_") {
		t.Fatalf("create printed %d keys / no webhook secret:\n%s", len(keys), out)
	}
	key := keys[0]

	list, err := cli("agency", "list")
	if err != nil {
		t.Fatal(err)
	}
	prefix := strings.Split(key, "_")[1]
	if strings.Contains(list, key) || strings.Contains(list, "whsec_") || !strings.Contains(list, prefix) {
		t.Fatalf("list shows a secret or misses the prefix:\n%s", list)
	}
	if _, err := cli("agency", "create", "--slug", "bibliotek", "--name", "Again"); err == nil || !strings.Contains(err.Error(), "--slug") {
		t.Fatalf("a taken slug: %v", err)
	}
	if _, err := cli("agency", "create", "--slug", "helse"); err == nil {
		t.Fatal("create without --name succeeded")
	}

	// The printed key works against the portal on the same database.
	cfg, err := loadConfig(getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	status := func(cfg config.Config, key string) int {
		a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		req := httptest.NewRequest(http.MethodGet, "/api/agency/v1/cases/nothing-here", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := a.Server.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	if got := status(cfg, key); got != http.StatusNotFound {
		t.Fatalf("the printed key is refused: %d", got)
	}

	out, err = cli("agency", "key", "rotate", "--slug", "bibliotek")
	if err != nil {
		t.Fatal(err)
	}
	rotated := printedKey.FindString(out)
	if rotated == "" || rotated == key || !strings.Contains(out, prefix) {
		t.Fatalf("rotate:\n%s", out)
	}
	if status(cfg, key) != http.StatusUnauthorized || status(cfg, rotated) != http.StatusNotFound {
		t.Fatal("rotation did not replace the key")
	}
	if _, err := cli("agency", "key", "revoke", "--slug", "bibliotek", "--prefix", strings.Split(rotated, "_")[1]); err != nil {
		t.Fatal(err)
	}
	if status(cfg, rotated) != http.StatusUnauthorized {
		t.Fatal("a revoked key works")
	}
	out, err = cli("agency", "webhook", "set", "--slug", "bibliotek", "--url", "http://hooks.example.no/")
	if err == nil {
		t.Fatalf("an http webhook URL was accepted: %s", out)
	}
	out, err = cli("agency", "webhook", "set", "--slug", "bibliotek", "--url", "https://hooks.example.no/v2")
	if err != nil || !strings.Contains(out, "whsec_") {
		t.Fatalf("webhook set: %v\n%s", err, out)
	}
}

// TestAgencyAuthorityGrantRevokeList: the operator decides which agency may write which kind of
// relation, at creation (--authority, repeated or a comma list) or later (authority grant|revoke);
// agency list shows it, and the agency API follows it at once. On every configured engine.
func TestAgencyAuthorityGrantRevokeList(t *testing.T) {
	for kind, databaseURL := range storetest.URLs(t) {
		t.Run(string(kind), func(t *testing.T) { agencyAuthorityCLI(t, databaseURL) })
	}
}

func agencyAuthorityCLI(t *testing.T, databaseURL string) {
	ctx := context.Background()
	dir := t.TempDir()
	env := map[string]string{
		"MINSIDE_DATABASE_URL": databaseURL,
		"MINSIDE_DATA_DIR":     dir,
		"MINSIDE_SEED_DEMO":    "false",
	}
	getenv := func(k string) string { return env[k] }
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, getenv, &out)
		return out.String(), err
	}
	authorityOf := func(slug string) string { // the AUTHORITY column of agency list
		t.Helper()
		out, err := cli("agency", "list")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(out, "\n")
		col := strings.Index(lines[0], "AUTHORITY")
		if col < 0 {
			t.Fatalf("agency list has no AUTHORITY column:\n%s", out)
		}
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, slug+" ") {
				return strings.Fields(l[col:])[0]
			}
		}
		t.Fatalf("%s not listed:\n%s", slug, out)
		return ""
	}

	out, err := cli("agency", "create", "--slug", "folkeregister", "--name", "Folkeregisteret", "--authority", "guardian")
	if err != nil || !strings.Contains(out, "Authority: guardian") {
		t.Fatalf("create with an authority: %v\n%s", err, out)
	}
	if _, err := cli("agency", "create", "--slug", "fullmakt", "--name", "Fullmaktsregisteret", "--authority", "guardian,power_of_attorney", "--authority", "guardian"); err != nil {
		t.Fatal(err)
	}
	out, err = cli("agency", "create", "--slug", "sykehjem", "--name", "Sykehjemsetaten")
	if err != nil {
		t.Fatal(err)
	}
	key := printedKey.FindString(out)
	if _, err := cli("agency", "create", "--slug", "x", "--name", "X", "--authority", "everything"); err == nil || !strings.Contains(err.Error(), "--authority") {
		t.Fatalf("an unknown authority: %v", err)
	}
	for slug, want := range map[string]string{"folkeregister": "guardian", "fullmakt": "guardian,power_of_attorney", "sykehjem": "-"} {
		if got := authorityOf(slug); got != want {
			t.Errorf("%s: authority %q, want %q", slug, got, want)
		}
	}

	cfg, err := loadConfig(getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pid.Synthetic(time.Date(1970, 3, 1, 0, 0, 0, 0, time.UTC), 1)
	if err != nil {
		t.Fatal(err)
	}
	subject, err := pid.Synthetic(time.Date(1940, 3, 1, 0, 0, 0, 0, time.UTC), 2)
	if err != nil {
		t.Fatal(err)
	}
	version := 0
	putRelation := func() int { // a power of attorney from sykehjem, one version newer each time
		t.Helper()
		a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		version++
		body := fmt.Sprintf(`{"kind":"power_of_attorney","representativePid":%q,"subjectPid":%q,"scopes":["health"],"validFrom":"2026-01-01T00:00:00Z","version":%d}`, rep, subject, version)
		req := httptest.NewRequest(http.MethodPut, "/api/agency/v1/relations/r1", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := a.Server.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	if got := putRelation(); got != http.StatusForbidden {
		t.Fatalf("a relation from an agency without authority: %d", got)
	}
	if out, err := cli("agency", "authority", "grant", "--slug", "sykehjem", "--kind", "power_of_attorney"); err != nil || !strings.Contains(out, "power_of_attorney") {
		t.Fatalf("grant: %v\n%s", err, out)
	}
	if got := authorityOf("sykehjem"); got != "power_of_attorney" {
		t.Errorf("after grant: %q", got)
	}
	if got := putRelation(); got != http.StatusCreated {
		t.Fatalf("a relation after the grant: %d", got)
	}
	if _, err := cli("agency", "authority", "revoke", "--slug", "sykehjem", "--kind", "power_of_attorney"); err != nil {
		t.Fatal(err)
	}
	if got := authorityOf("sykehjem"); got != "-" {
		t.Errorf("after revoke: %q", got)
	}
	if got := putRelation(); got != http.StatusForbidden {
		t.Fatalf("a relation after the revoke: %d", got)
	}
	// The municipality names the moderator of ideas the same way.
	if out, err := cli("agency", "authority", "grant", "--slug", "sykehjem", "--kind", "ideas"); err != nil || !strings.Contains(out, "sykehjem now moderates ideas") {
		t.Fatalf("grant ideas: %v\n%s", err, out)
	}
	if got := authorityOf("sykehjem"); got != "ideas" {
		t.Errorf("after granting ideas: %q", got)
	}
	if out, err := cli("agency", "authority", "revoke", "--slug", "sykehjem", "--kind", "ideas"); err != nil || !strings.Contains(out, "no longer moderates ideas") {
		t.Fatalf("revoke ideas: %v\n%s", err, out)
	}
	for _, args := range [][]string{
		{"agency", "authority", "revoke", "--slug", "sykehjem", "--kind", "power_of_attorney"}, // not held
		{"agency", "authority", "grant", "--slug", "nobody", "--kind", "guardian"},
		{"agency", "authority", "grant", "--slug", "sykehjem", "--kind", "everything"},
		{"agency", "authority", "grant", "--slug", "sykehjem"},
	} {
		if out, err := cli(args...); err == nil {
			t.Errorf("%v succeeded:\n%s", args, out)
		}
	}
}
