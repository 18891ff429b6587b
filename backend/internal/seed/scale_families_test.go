package seed

import (
	"context"
	"testing"
	"time"

	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// TestScaleCitizensHaveGuardians: the synthetic city has parents. Each guardianship is the
// population register's, of a minor by an adult 18 to 55 years older, from birth to 18, at most two
// a child; and representation finds a parent's child through them.
func TestScaleCitizensHaveGuardians(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newSeeder(t, db)
		sum, err := s.Citizens(ctx, 400, ScaleOptions{Batch: 50, Seed: 4}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		type pair struct {
			Kind        string    `bun:"kind"`
			Agency      string    `bun:"agency"`
			Parent      string    `bun:"parent"`
			ParentBorn  time.Time `bun:"parent_born"`
			ChildBorn   time.Time `bun:"child_born"`
			ValidFrom   time.Time `bun:"valid_from"`
			ValidUntil  time.Time `bun:"valid_until"`
			ChildID     string    `bun:"child_id"`
			ChildsCount int       `bun:"n"`
		}
		var pairs []pair
		if err := db.NewRaw(`SELECT r.kind, a.slug AS agency, p.id AS parent, p.birth_date AS parent_born, c.birth_date AS child_born,
			r.valid_from, r.valid_until, c.id AS child_id,
			(SELECT COUNT(*) FROM relations o WHERE o.subject_id = r.subject_id) AS n
			FROM relations r JOIN citizens p ON p.id = r.representative_id JOIN citizens c ON c.id = r.subject_id
			JOIN agencies a ON a.id = r.agency_id`).Scan(ctx, &pairs); err != nil {
			t.Fatal(err)
		}
		if len(pairs) != sum.Relations || len(pairs) < 400/10 {
			t.Fatalf("%d guardianships (summary %d) among 400 citizens, want one for most minors", len(pairs), sum.Relations)
		}
		for _, p := range pairs {
			born := store.UTC(p.ChildBorn)
			if p.Kind != represent.KindGuardian || p.Agency != AgencyRegister || p.ChildsCount > 2 ||
				!born.AddDate(18, 0, 0).After(testNow) || born.Before(p.ParentBorn.AddDate(18, 0, 0)) || born.After(p.ParentBorn.AddDate(55, 0, 0)) ||
				!p.ValidFrom.Equal(born) || !p.ValidUntil.Equal(born.AddDate(18, 0, 0)) {
				t.Errorf("guardianship %+v: not a register's guardianship of a minor by a parent 18 to 55 years older", p)
			}
		}

		// The parent sees the child as representation reads it.
		got, err := represent.Access{}.Represents(ctx, db, pairs[0].Parent, testNow)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range got {
			found = found || r.Subject.ID == pairs[0].ChildID && r.Relation == represent.KindGuardian
		}
		if !found {
			t.Errorf("Represents(parent) = %+v, want their child %s", got, pairs[0].ChildID)
		}
	})
}
