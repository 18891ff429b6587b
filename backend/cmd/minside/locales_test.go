package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyLocales copies the real locales/ into a temp folder and applies edit to one file.
func copyLocales(t *testing.T, file string, edit func(string) string) string {
	t.Helper()
	src := filepath.Join("..", "..", "..", "locales")
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".toml") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if e.Name() == file {
			edited := edit(text)
			if edited == text {
				t.Fatalf("the edit of %s changed nothing", file)
			}
			text = edited
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLocalesCheckCommand runs `minside locales check` on what lands (passes) and on copies with one
// seeded error each (fails with a message naming it).
func TestLocalesCheckCommand(t *testing.T) {
	cases := []struct {
		name    string
		file    string
		edit    func(string) string
		wantErr string // "" = must pass
	}{
		{name: "what lands", file: "nb.toml", edit: func(s string) string { return s + "\n" }},
		{name: "missing key in nn", file: "nn.toml", edit: func(s string) string {
			return strings.Replace(s, "[ui.nav.overview]\n", "[ui.nav.overview_gone]\n", 1)
		}, wantErr: "nn: ui.nav.overview is missing"},
		{name: "wrong placeholder in pl", file: "pl.toml", edit: func(s string) string {
			return strings.Replace(s, "Zapomnij {{.Name}}", "Zapomnij {{.Nazwa}}", 1)
		}, wantErr: "pl: ui.devices.forget [other] uses {{.Nazwa}}"},
		{name: "missing plural form in ar", file: "ar.toml", edit: func(s string) string {
			return strings.Replace(s, "two = \"نتيجتان\"\n", "", 1)
		}, wantErr: `ar: ui.services.results lacks plural form "two"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyLocales(t, tc.file, tc.edit)
			var out bytes.Buffer
			err := run(context.Background(), []string{"locales", "check", "--dir", dir}, func(string) string { return "" }, &out)
			if tc.wantErr == "" {
				if err != nil || !strings.Contains(out.String(), "0 errors, 0 warnings") {
					t.Fatalf("err %v; output:\n%s", err, out.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "error(s)") {
				t.Fatalf("err = %v, want a failing exit; output:\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), tc.wantErr) {
				t.Errorf("output lacks %q:\n%s", tc.wantErr, out.String())
			}
		})
	}
}
