package suggest

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Stats is what became of a rule's suggestions: how many were made, shown, followed, dismissed
// (and why), and how many are active or withdrawn now. A suggestion counts once in its state.
type Stats struct {
	Made      int      `json:"made"`
	Shown     int      `json:"shown"` // read by the person at least once
	Acted     int      `json:"acted"` // the person followed its action
	Active    int      `json:"active"`
	Withdrawn int      `json:"withdrawn"`
	Dismissed int      `json:"dismissed"`
	Done      int      `json:"done"`
	Reasons   []Reason `json:"reasons"` // of the dismissed, most given first
}

// Reason is one reason people gave for dismissing, with how many gave it ("" when none).
type Reason struct {
	Reason string `json:"reason" bun:"reason"`
	Count  int    `json:"count" bun:"n"`
}

// RuleStats counts the suggestions of the rule ruleID in two statements.
func RuleStats(ctx context.Context, db bun.IDB, ruleID string) (Stats, error) {
	var s Stats
	if err := db.NewSelect().Table("suggestions").
		ColumnExpr("count(*) AS made").
		ColumnExpr("count(shown_at) AS shown").
		ColumnExpr("count(acted_at) AS acted").
		ColumnExpr("coalesce(sum(CASE WHEN state = ? THEN 1 ELSE 0 END), 0) AS active", StateActive).
		ColumnExpr("coalesce(sum(CASE WHEN state = ? THEN 1 ELSE 0 END), 0) AS withdrawn", StateWithdrawn).
		ColumnExpr("coalesce(sum(CASE WHEN state = ? THEN 1 ELSE 0 END), 0) AS dismissed", StateDismissed).
		ColumnExpr("coalesce(sum(CASE WHEN state = ? THEN 1 ELSE 0 END), 0) AS done", StateDone).
		Where("rule_id = ?", ruleID).Scan(ctx, &s.Made, &s.Shown, &s.Acted, &s.Active, &s.Withdrawn, &s.Dismissed, &s.Done); err != nil {
		return Stats{}, fmt.Errorf("suggest: stats of rule %s: %w", ruleID, err)
	}
	s.Reasons = []Reason{}
	if err := db.NewSelect().Table("suggestions").ColumnExpr("reason, count(*) AS n").
		Where("rule_id = ? AND state = ?", ruleID, StateDismissed).GroupExpr("reason").
		OrderExpr("n DESC, reason").Scan(ctx, &s.Reasons); err != nil {
		return Stats{}, fmt.Errorf("suggest: dismissal reasons of rule %s: %w", ruleID, err)
	}
	return s, nil
}
