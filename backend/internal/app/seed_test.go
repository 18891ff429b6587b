package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"minside/backend/internal/agency"
	"minside/backend/internal/config"
	"minside/backend/internal/seed"
)

// TestNewSeedsTheDemoOnlyIntoAnEmptyDatabase starts the portal twice on one dev database: the
// first start seeds the demo municipality (its persons can be found by number), the second adds nothing.
func TestNewSeedsTheDemoOnlyIntoAnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.DatabaseURL = "sqlite:" + filepath.Join(dir, "minside.db")
	cfg.OIDCIssuer = cfg.BaseURL + "/dev-idp"
	if err := cfg.FillDevSecrets(nil); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	agencies := func(a *App) int {
		n, err := a.DB.NewSelect().Model((*agency.Agency)(nil)).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	counts := []int{}
	for range 2 {
		a, err := New(ctx, cfg, log)
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, agencies(a))
		if got := a.devLoginPeople(ctx); len(got) != len(seed.People()) || got[0].PID != seed.People()[0].PID {
			t.Errorf("dev login page offers %d persons, want the %d demo persons", len(got), len(seed.People()))
		}
		for _, p := range seed.People() {
			n, err := a.Citizens.Parse(p.PID)
			if err != nil {
				t.Fatal(err)
			}
			c, err := a.Citizens.Find(ctx, a.DB, n)
			if err != nil || c == nil || c.Name != p.Name {
				t.Errorf("demo person %s: %+v, %v", p.Name, c, err)
			}
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if counts[0] < 8 || counts[1] != counts[0] {
		t.Errorf("agencies after each start: %v", counts)
	}

	cfg.SeedDemo = false
	cfg.DatabaseURL = "sqlite:" + filepath.Join(dir, "other.db")
	a, err := New(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n := agencies(a); n != 0 {
		t.Errorf("SeedDemo false seeded %d agencies", n)
	}
}
