package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"minside/backend/internal/config"
	"minside/backend/internal/push"
)

// TestLanguagePickerHasPseudoLocalesOnlyInDev: the runtime config the PWA builds its language
// picker from lists exactly the nine languages in production, and the pseudo-locales (for finding
// hard-coded and clipped text) only in dev; production does not serve their messages either.
func TestLanguagePickerHasPseudoLocalesOnlyInDev(t *testing.T) {
	nine := []string{"ar", "en", "nb", "nn", "pl", "se", "so", "uk", "ur"}
	keys, err := push.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.Repeat("s", 40)
	for _, tc := range []struct {
		env   string
		codes []string
	}{
		{config.ModeProduction, nine},
		{config.ModeDev, append(slices.Clone(nine), "x-accent", "x-rtl")},
	} {
		t.Run(tc.env, func(t *testing.T) {
			dir := t.TempDir()
			cfg := config.Default()
			cfg.Env, cfg.DataDir, cfg.SeedDemo = tc.env, dir, false
			cfg.DatabaseURL = "sqlite:" + filepath.Join(dir, "minside.db")
			if tc.env == config.ModeProduction {
				cfg.BaseURL, cfg.OIDCIssuer = "https://minside.kommune.example", "https://idporten.example"
				cfg.OIDCClientID, cfg.OIDCClientSecret, cfg.PIDKey, cfg.DoorTokenKey = "minside", secret, secret, secret
				cfg.VAPIDPublicKey, cfg.VAPIDPrivateKey = keys.PublicKey, keys.PrivateKey
			} else {
				cfg.OIDCIssuer = cfg.BaseURL + "/dev-idp"
				if err := cfg.FillDevSecrets(nil); err != nil {
					t.Fatal(err)
				}
			}
			if err := cfg.Validate(); err != nil {
				t.Fatalf("config: %v", err)
			}
			a, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			resp, err := a.Server.App().Test(httptest.NewRequest("GET", "/api/v1/config", nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Mode      string
				Languages []struct{ Code string }
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, l := range body.Languages {
				codes = append(codes, l.Code)
			}
			slices.Sort(codes)
			if body.Mode != tc.env || !slices.Equal(codes, tc.codes) {
				t.Errorf("mode %q lists %v; want %v", body.Mode, codes, tc.codes)
			}
			resp, err = a.Server.App().Test(httptest.NewRequest("GET", "/api/v1/i18n/x-accent", nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]int{config.ModeProduction: 404, config.ModeDev: 200}[tc.env]; resp.StatusCode != want {
				t.Errorf("messages of a pseudo-locale in %s: %d, want %d", tc.env, resp.StatusCode, want)
			}
		})
	}
}
