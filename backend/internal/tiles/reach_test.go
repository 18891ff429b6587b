package tiles_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/tiles"
)

// TestReachCountsOnlyTrustedGuardians: a tile for parents of young children reaches a parent whose
// guardianship comes from the agency holding the guardian authority, not someone a relation from
// any other agency calls a guardian.
func TestReachCountsOnlyTrustedGuardians(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		newAgency := func(slug string) string {
			a := &agency.Agency{ID: store.NewID(), Slug: slug, Name: slug, CreatedAt: now, UpdatedAt: now}
			if _, err := db.NewInsert().Model(a).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		register, newcomer := newAgency("folkeregister"), newAgency("ny-etat")
		if err := agency.Grant(ctx, db, register, represent.KindGuardian, now); err != nil {
			t.Fatal(err)
		}
		person := func(born time.Time) string {
			b := make([]byte, 16)
			_, _ = rand.Read(b)
			c := &citizens.Citizen{ID: store.NewID(), PIDHash: hex.EncodeToString(b), PIDMasked: "010101*****", BirthDate: born, CreatedAt: now, UpdatedAt: now}
			if _, err := db.NewInsert().Model(c).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		parent, stranger := person(time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC)), person(time.Date(1986, 1, 1, 0, 0, 0, 0, time.UTC))
		child := person(time.Date(2022, 5, 1, 0, 0, 0, 0, time.UTC))
		for rep, from := range map[string]string{parent: register, stranger: newcomer} {
			r := &represent.Relation{ID: store.NewID(), AgencyID: from, ExternalID: store.NewID(), Version: 1, Kind: represent.KindGuardian,
				RepresentativeID: rep, SubjectID: child, ValidFrom: now.AddDate(-1, 0, 0), CreatedAt: now, UpdatedAt: now}
			if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		lo, hi := 0, 5
		got, err := tiles.Reached(ctx, db, tiles.Targeting{ChildAgeMin: &lo, ChildAgeMax: &hi}, now)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{parent}) {
			t.Fatalf("reached %v, want only the parent %s (not the stranger %s)", got, parent, stranger)
		}
	})
}
