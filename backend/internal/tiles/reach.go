package tiles

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/cases"
	"minside/backend/internal/represent"
)

// reachBatch is how many citizens one query reads while counting an audience; it bounds memory
// however large the municipality is.
const reachBatch = 2000

// Reached lists the ids of every citizen the targeting selects at now, in id order. It reads the
// population in batches and decides each person with Matches (the same predicate the overview
// uses), loading children and open case kinds only when the targeting asks for them.
func Reached(ctx context.Context, db bun.IDB, t Targeting, now time.Time) ([]string, error) {
	needChildren := t.ChildAgeMin != nil || t.ChildAgeMax != nil
	needKinds := len(t.OpenCaseKinds) > 0
	var out []string
	after := ""
	for {
		var people []struct {
			ID        string    `bun:"id"`
			BirthDate time.Time `bun:"birth_date"`
			District  string    `bun:"district"`
		}
		q := db.NewSelect().Table("citizens").Column("id", "birth_date", "district").OrderExpr("id").Limit(reachBatch)
		if after != "" {
			q = q.Where("id > ?", after)
		}
		if err := q.Scan(ctx, &people); err != nil {
			return nil, fmt.Errorf("tiles: reach: citizens: %w", err)
		}
		if len(people) == 0 {
			return out, nil
		}
		ids := make([]string, len(people))
		for i, p := range people {
			ids[i] = p.ID
		}
		children := map[string][]time.Time{}
		if needChildren {
			var err error
			if children, err = (represent.Access{}).ChildrenOf(ctx, db, ids, now); err != nil {
				return nil, fmt.Errorf("tiles: reach: children: %w", err)
			}
		}
		kinds := map[string][]string{}
		if needKinds {
			var rows []struct {
				CitizenID string `bun:"citizen_id"`
				Kind      string `bun:"kind"`
			}
			if err := db.NewRaw(`SELECT DISTINCT citizen_id, kind FROM cases WHERE citizen_id IN (?) AND status NOT IN (?, ?)`,
				bun.In(ids), cases.StatusDecided, cases.StatusClosed).Scan(ctx, &rows); err != nil {
				return nil, fmt.Errorf("tiles: reach: open cases: %w", err)
			}
			for _, r := range rows {
				kinds[r.CitizenID] = append(kinds[r.CitizenID], r.Kind)
			}
		}
		for _, p := range people {
			id := p.ID
			ok, err := t.Matches(Audience{Birth: p.BirthDate, District: p.District, Children: children[id],
				OpenKinds: func() ([]string, error) { return kinds[id], nil }}, now)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, id)
			}
		}
		after = people[len(people)-1].ID
	}
}
