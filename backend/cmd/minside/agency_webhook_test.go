package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestAgencyWebhookURLsPassTheEgressGuard: `agency webhook set` and `agency create --webhook-url`
// refuse a URL into the operator's network in any spelling, and an impossible port, before
// anything is stored; MINSIDE_WEBHOOK_ALLOW_PRIVATE lets a loopback receiver through.
func TestAgencyWebhookURLsPassTheEgressGuard(t *testing.T) {
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
	if out, err := cli("agency", "create", "--slug", "hooks", "--name", "Hooks"); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	refused := []string{
		"https://169.254.169.254/latest/meta-data/",
		"https://0x7f000001/hook",
		"https://2130706433/hook",
		"https://0177.1/hook",
		"https://[::ffff:127.0.0.1]/hook",
		"https://[2002:a9fe:a9fe::1]/hook",
		"https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
		"https://10.0.0.8/hook",
		"https://localhost/hook",
		"https://hooks.example.no:99999/hook",
		"http://127.0.0.1:8080/hook",
	}
	for i, u := range refused {
		if out, err := cli("agency", "webhook", "set", "--slug", "hooks", "--url", u); err == nil || strings.Contains(out, "whsec_") {
			t.Errorf("webhook set %s accepted: %s", u, out)
		}
		slug := "refused-" + string(rune('a'+i))
		if out, err := cli("agency", "create", "--slug", slug, "--name", "X", "--webhook-url", u); err == nil {
			t.Errorf("create --webhook-url %s accepted: %s", u, out)
		}
	}
	out, err := cli("agency", "list")
	if err != nil || strings.Contains(out, "refused-") || strings.Contains(out, "169.254") {
		t.Fatalf("a refused agency or URL was stored: %v\n%s", err, out)
	}
	if out, err := cli("agency", "webhook", "set", "--slug", "hooks", "--url", "https://hooks.example.no/v1"); err != nil {
		t.Fatalf("a public https URL was refused: %v\n%s", err, out)
	}

	env["MINSIDE_WEBHOOK_ALLOW_PRIVATE"] = "true"
	if out, err := cli("agency", "webhook", "set", "--slug", "hooks", "--url", "http://127.0.0.1:8080/hook"); err != nil {
		t.Fatalf("with private receivers allowed, loopback was refused: %v\n%s", err, out)
	}
	if out, err := cli("agency", "webhook", "set", "--slug", "hooks", "--url", "https://hooks.example.no:99999/"); err == nil {
		t.Fatalf("port 99999 accepted with private receivers allowed: %s", out)
	}
}
