package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestSeedCommand runs `minside seed` as an operator would: the demo set once, then synthetic citizens.
func TestSeedCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"MINSIDE_DATA_DIR":     dir,
		"MINSIDE_DATABASE_URL": "sqlite:" + filepath.Join(dir, "minside.db"),
		"MINSIDE_LOG_LEVEL":    "warn",
	}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		args    []string
		want    string
		wantErr bool
	}{
		{args: []string{"seed"}, want: "Seeded the demo municipality: 12 agencies, 24 citizens"},
		{args: []string{"seed"}, want: "already has agencies"},
		{args: []string{"seed", "--citizens", "50", "--batch", "20"}, want: "Added 50 citizens (16 guardianships, 150 cases, 100 bookings, 50 keys, 200 notifications"},
		{args: []string{"seed", "--citizens", "-3"}, wantErr: true},
		{args: []string{"seed", "extra"}, wantErr: true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tc.args, getenv, &out)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v; output:\n%s", err, tc.wantErr, out.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output %q does not contain %q", out.String(), tc.want)
			}
		})
	}
}
