package pwa

import (
	"io/fs"
	"strings"
	"testing"
)

func TestDistServesAnIndex(t *testing.T) {
	fsys, built := Dist()
	index, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		t.Fatalf("index.html: %v", err)
	}
	page := string(index)
	if built {
		if !strings.Contains(page, `id="app"`) {
			t.Errorf("built index.html lacks the app root")
		}
		if _, err := fs.Stat(fsys, "sw.js"); err != nil {
			t.Errorf("built app lacks sw.js: %v", err)
		}
		return
	}
	for _, want := range []string{"npm ci", "npm run build", "-tags pwa", "make run"} {
		if !strings.Contains(page, want) {
			t.Errorf("placeholder does not mention %q", want)
		}
	}
}
