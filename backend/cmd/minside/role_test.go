package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/pid"
)

// TestRoleCommand grants, lists and revokes a translator role the way an operator would, with the
// number in a file so it stays out of shell history and out of every output.
func TestRoleCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"MINSIDE_DATA_DIR":     dir,
		"MINSIDE_DATABASE_URL": "sqlite:" + filepath.Join(dir, "minside.db"),
		"MINSIDE_LOG_LEVEL":    "warn",
	}
	getenv := func(k string) string { return env[k] }
	number, err := pid.Synthetic(time.Date(1985, 3, 4, 0, 0, 0, 0, time.UTC), 7)
	if err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "pid.txt")
	if err := os.WriteFile(pidFile, []byte(number+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Spaces inside the number (as people write it on paper) make it no number: refused, not guessed.
	spaced := filepath.Join(dir, "spaced.txt")
	if err := os.WriteFile(spaced, []byte(number[:6]+" "+number[6:]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args    []string
		want    string
		wantErr string
	}{
		{args: []string{"role", "grant", "--pid-file", pidFile, "--role", "translator", "--scope", "se"}, want: "Granted translator:se"},
		{args: []string{"role", "grant", "--pid-file", pidFile, "--role", "agency_editor", "--scope", "bygg"}, want: "Granted agency_editor:bygg"},
		{args: []string{"role", "grant", "--pid", number, "--role", "translator", "--scope", "uk"}, want: "shell history"},
		{args: []string{"role", "list", "--role", "translator"}, want: "2 role(s)"},
		{args: []string{"role", "revoke", "--pid-file", pidFile, "--role", "translator", "--scope", "uk"}, want: "Revoked translator:uk"},
		{args: []string{"role", "list"}, want: "2 role(s)"},
		{args: []string{"role", "revoke", "--pid-file", pidFile, "--role", "translator", "--scope", "uk"}, wantErr: "does not have translator:uk"},
		{args: []string{"role", "grant", "--pid-file", pidFile, "--role", "translator", "--scope", "nb"}, wantErr: "must be a language"},
		{args: []string{"role", "grant", "--pid-file", pidFile, "--role", "translator", "--scope", "xx"}, wantErr: "must be a language"},
		{args: []string{"role", "grant", "--pid-file", pidFile, "--role", "admin", "--scope", "x"}, wantErr: "unknown role"},
		{args: []string{"role", "grant", "--role", "translator", "--scope", "se"}, wantErr: "number is needed"},
		{args: []string{"role", "grant", "--pid-file", spaced, "--role", "translator", "--scope", "se"}, wantErr: "not a valid national identity number"},
		{args: []string{"role", "grant", "--pid", number[:6] + " " + number[6:], "--role", "translator", "--scope", "se"}, wantErr: "not a valid national identity number"},
		{args: []string{"role", "bogus"}, wantErr: "Usage"},
	} {
		t.Run(strings.Join(tc.args[:2], " "), func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tc.args, getenv, &out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), number[6:]) {
					t.Errorf("error shows the national identity number: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err %v; output:\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output %q lacks %q", out.String(), tc.want)
			}
			if strings.Contains(out.String(), number) {
				t.Errorf("output shows the national identity number: %q", out.String())
			}
		})
	}
}
