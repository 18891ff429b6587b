package suggest

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/changes"
	"minside/backend/internal/outbox"
)

// What publishing a rule does to its suggestions. A rule that is unpublished, deleted or changed
// so that its suggestions no longer say the truth has its active suggestions withdrawn in the
// same transaction as the change (audited, on the changes feed); a published rule, new or
// changed, is then evaluated for everyone at once through the outbox (SweepRule) instead of
// waiting for the day's sweep, which restores the suggestions that still hold.

// WithdrawRule withdraws every active suggestion of the rule ruleID (of agencyID) inside tx, as
// the engine withdraws one that stopped holding: each is audited (quoting why, the rule's
// why-text as it was) and goes on the changes feed. It returns how many it withdrew.
func WithdrawRule(ctx context.Context, tx bun.IDB, ruleID, agencyID, why string, now time.Time) (int, error) {
	var rows []Row
	if err := tx.NewSelect().Model(&rows).Where("rule_id = ? AND state = ?", ruleID, StateActive).
		OrderExpr("id").Scan(ctx); err != nil {
		return 0, fmt.Errorf("suggest: withdraw rule %s: %w", ruleID, err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	r := &compiledRule{Rule: &Rule{ID: ruleID, AgencyID: agencyID}, why: why}
	w := &writes{now: now}
	for _, row := range rows {
		w.withdraw(row, r)
	}
	return len(rows), w.flush(ctx, tx, false)
}

// TouchRule tells the changes feed that each active suggestion of the rule ruleID reads
// differently (a new title, body or action, which the citizen's page takes from the rule), so
// offline copies fetch them again. It returns how many it touched.
func TouchRule(ctx context.Context, tx bun.IDB, ruleID string, now time.Time) (int, error) {
	var rows []Row
	if err := tx.NewSelect().Model(&rows).Column("id", "citizen_id").Where("rule_id = ? AND state = ?", ruleID, StateActive).
		OrderExpr("id").Scan(ctx); err != nil {
		return 0, fmt.Errorf("suggest: touch rule %s: %w", ruleID, err)
	}
	feed := make([]changes.Change, 0, len(rows))
	for _, r := range rows {
		id := r.CitizenID
		feed = append(feed, changes.New(&id, "suggestion", r.ID, changes.OpUpsert, now))
	}
	return len(rows), changes.RecordAll(ctx, tx, feed)
}

// RuleWhy is the why-text the audit log quotes for a rule (nb, else en, else any), read inside
// tx: what WithdrawRule is given before the rule's texts are replaced.
func RuleWhy(ctx context.Context, tx bun.IDB, ruleID string) (string, error) {
	var texts []whyRow
	if err := tx.NewSelect().Table("texts").Column("owner_id", "lang", "value").
		Where("owner_kind = 'rule' AND field = 'why' AND owner_id = ?", ruleID).Scan(ctx, &texts); err != nil {
		return "", fmt.Errorf("suggest: why-text of rule %s: %w", ruleID, err)
	}
	by := map[string]string{}
	for _, t := range texts {
		by[t.Lang] = t.Value
	}
	return pickWhy(by), nil
}

// SweepRule enqueues, inside tx, the evaluation of one rule for everyone: the day's sweep
// restricted to that rule. Its dedupe key names the rule's version, so a repeated write of one
// version sweeps once.
func SweepRule(ctx context.Context, tx bun.IDB, ruleID string, version int64, now time.Time) error {
	day := now.UTC().Format(time.DateOnly)
	_, err := outbox.Enqueue(ctx, tx, TopicSweep, sweepMessage{Day: day, Rule: ruleID, Version: version}, now,
		outbox.Options{DedupeKey: fmt.Sprintf("suggest:rule:%s:%d", ruleID, version)})
	return err
}

// withdrawExpired withdraws the active suggestions of rules that expired: the engine no longer
// evaluates them, so nothing else would.
func withdrawExpired(ctx context.Context, tx bun.IDB, now time.Time) error {
	var expired []struct {
		ID       string `bun:"id"`
		AgencyID string `bun:"agency_id"`
	}
	if err := tx.NewSelect().TableExpr("rules AS r").ColumnExpr("r.id, r.agency_id").
		Where("r.expires_at <= ?", now).
		Where("EXISTS (SELECT 1 FROM suggestions AS s WHERE s.rule_id = r.id AND s.state = ?)", StateActive).
		OrderExpr("r.id").Scan(ctx, &expired); err != nil {
		return fmt.Errorf("suggest: expired rules: %w", err)
	}
	for _, r := range expired {
		why, err := RuleWhy(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if _, err := WithdrawRule(ctx, tx, r.ID, r.AgencyID, why, now); err != nil {
			return err
		}
	}
	return nil
}
