package web_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"minside/backend/internal/cases"
	"minside/backend/internal/ideas"
	"minside/backend/internal/reports"
)

var update = flag.Bool("update", false, "rewrite pwa/src/vocabularies.json from the server's lists")

const vocabulariesPath = "../../../pwa/src/vocabularies.json"

// TestPWAVocabularies: the PWA's status vocabularies (pwa/src/vocabularies.json, read by the
// pages and by the translators' list of messages) are the server's, generated from them:
// `go test ./backend/internal/web/ -run TestPWAVocabularies -update` writes the file anew. It
// lives beside the web layer because that is where the domains' words meet the PWA.
func TestPWAVocabularies(t *testing.T) {
	want, err := json.MarshalIndent(map[string][]string{
		"caseStatuses":   cases.Statuses(),
		"ideaStatuses":   ideas.Statuses,
		"reportStatuses": append([]string{reports.StatusSubmitted}, reports.AgencyStatuses...),
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *update {
		if err := os.WriteFile(vocabulariesPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(vocabulariesPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("pwa/src/vocabularies.json is out of date: run this test with -update\ngot:\n%s\nwant:\n%s", got, want)
	}
}
