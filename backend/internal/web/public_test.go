package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRuntimeConfigListsEveryLanguage(t *testing.T) {
	s := newTestServer(t, nil)
	resp := do(t, s, httptest.NewRequest("GET", "/api/v1/config", nil))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var cfg struct {
		Mode      string `json:"mode"`
		Languages []struct{ Code, Name, Dir string }
		LoginURL  string `json:"loginUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{}
	for _, l := range cfg.Languages {
		dirs[l.Code] = l.Dir
	}
	if len(cfg.Languages) < 9 || dirs["ar"] != "rtl" || dirs["ur"] != "rtl" || dirs["se"] != "ltr" || cfg.LoginURL != "/auth/login" || cfg.Mode != "dev" {
		t.Fatalf("config = %+v", cfg)
	}
}

func TestMessagesPerLanguageWithETag(t *testing.T) {
	s := newTestServer(t, nil)
	resp := do(t, s, httptest.NewRequest("GET", "/api/v1/i18n/ar", nil))
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("status %d cache %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	var body struct {
		Lang, Dir string
		Messages  map[string]any
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Lang != "ar" || body.Dir != "rtl" || body.Messages["ui.nav.overview"] == nil {
		t.Fatalf("body = %+v", body)
	}
	// Plural messages arrive with Arabic's six CLDR categories.
	if forms, ok := body.Messages["ui.count.unread_notifications"].(map[string]any); !ok || len(forms) != 6 {
		t.Fatalf("plural forms = %v", body.Messages["ui.count.unread_notifications"])
	}
	req := httptest.NewRequest("GET", "/api/v1/i18n/ar", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if got := do(t, s, req).StatusCode; got != 304 {
		t.Fatalf("revalidation = %d", got)
	}
	if got := do(t, s, httptest.NewRequest("GET", "/api/v1/i18n/xx", nil)).StatusCode; got != 404 {
		t.Fatalf("unknown language = %d", got)
	}
}

func TestMessagesAreCompressedForClientsThatAccept(t *testing.T) {
	s := newTestServer(t, nil)
	plain := do(t, s, httptest.NewRequest("GET", "/api/v1/i18n/nb", nil))
	want, err := io.ReadAll(plain.Body)
	if err != nil || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("plain: %v, encoding %q", err, plain.Header.Get("Content-Encoding"))
	}
	req := httptest.NewRequest("GET", "/api/v1/i18n/nb", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp := do(t, s, req)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("gunzipped body differs from the plain one (%v)", err)
	}
	if resp.Header.Get("ETag") != plain.Header.Get("ETag") || !strings.HasPrefix(resp.Header.Get("ETag"), "W/") {
		t.Errorf("ETag %q (plain %q), want the same weak tag", resp.Header.Get("ETag"), plain.Header.Get("ETag"))
	}
	t.Logf("messages: %d bytes, %d gzipped", len(want), resp.ContentLength)
}
