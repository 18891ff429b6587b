package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"minside/backend/internal/push"
)

func TestVAPIDKeysPrintsAUsablePair(t *testing.T) {
	seen := map[string]bool{}
	for range 2 {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"vapid-keys"}, func(string) string { return "" }, &out); err != nil {
			t.Fatal(err)
		}
		vars := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			name, value, _ := strings.Cut(line, "=")
			vars[name] = value
		}
		if _, err := push.ParseVAPIDKeys(vars["MINSIDE_VAPID_PUBLIC_KEY"], vars["MINSIDE_VAPID_PRIVATE_KEY"]); err != nil {
			t.Fatalf("printed pair does not parse: %v\n%s", err, out.String())
		}
		if seen[vars["MINSIDE_VAPID_PUBLIC_KEY"]] {
			t.Fatal("the same pair printed twice")
		}
		seen[vars["MINSIDE_VAPID_PUBLIC_KEY"]] = true
	}
}
