package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"minside/backend/internal/app"
	"minside/backend/internal/config"
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
