package links

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// linkCase is one row of testdata/links.json, the table pwa/test/links.test.js reads too.
type linkCase struct {
	Link string `json:"link"`
	Want string `json:"want"` // path, https, invalid, not_https
}

func TestCheckLinkSharedTable(t *testing.T) {
	raw, err := os.ReadFile("testdata/links.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct{ Cases []linkCase }
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Cases) < 30 {
		t.Fatalf("only %d cases", len(table.Cases))
	}
	want := map[string]error{"path": nil, "https": nil, "invalid": ErrInvalid, "not_https": ErrNotHTTPS}
	for _, tc := range table.Cases {
		w, ok := want[tc.Want]
		if !ok {
			t.Fatalf("%q: unknown want %q", tc.Link, tc.Want)
		}
		err := (Policy{}).CheckLink(tc.Link)
		if (w == nil) != (err == nil) || (w != nil && !errors.Is(err, w)) {
			t.Errorf("CheckLink(%q) = %v, want %s", tc.Link, err, tc.Want)
		}
		if tc.Want == "https" && (Policy{}).CheckHTTPS(tc.Link) != nil {
			t.Errorf("CheckHTTPS(%q) refused", tc.Link)
		}
		if tc.Want == "path" && (Policy{}).CheckHTTPS(tc.Link) == nil {
			t.Errorf("CheckHTTPS(%q) accepted a path", tc.Link)
		}
	}
	if (Policy{}).CheckLink("/"+strings.Repeat("a", MaxLength)) == nil {
		t.Error("an over-long link accepted")
	}
}

func TestCheckHTTPSRefusesPaths(t *testing.T) {
	for _, s := range []string{"/cases/abc", "//evil.example", "ok.example/x"} {
		if err := (Policy{}).CheckHTTPS(s); err == nil {
			t.Errorf("CheckHTTPS(%q) accepted", s)
		}
	}
}

func TestPolicyHosts(t *testing.T) {
	p := Policy{Hosts: []string{"kommune.no", "*.kommune.no"}}
	for link, ok := range map[string]bool{
		"https://kommune.no/x":             true,
		"https://bibliotek.kommune.no/x":   true,
		"https://evilkommune.no/x":         false,
		"https://kommune.no.evil.example/": false,
		"/cases/1":                         true,
	} {
		if err := p.CheckLink(link); (err == nil) != ok {
			t.Errorf("CheckLink(%q) = %v, want ok=%v", link, err, ok)
		}
	}
}
