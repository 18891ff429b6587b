package actions

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/textcheck"
	"minside/backend/internal/webhook"
)

// What a person can do with a suggestion. The last choice holds, on every device: a dismissed
// suggestion can still be marked done, a done one snoozed back.
const (
	ChoiceDismiss = "dismiss" // not relevant, with an optional reason
	ChoiceSnooze  = "snooze"  // hide it until a date
	ChoiceDone    = "done"    // already taken care of
	ChoiceAct     = "act"     // followed its action: done, and the agency is told
)

// Bounds of a choice's input.
const (
	MaxDismissReason = 500                  // characters
	MaxSnooze        = 366 * 24 * time.Hour // a year ahead, a leap year included
	MaxShown         = 100                  // ids in one "shown" report
)

// Choice is one choice about a suggestion; Reason is for dismiss, Until for snooze.
type Choice struct {
	Kind   string
	Reason string
	Until  *time.Time
}

// Chosen is a suggestion after a choice; Link is what to open after act.
type Chosen struct {
	ID           string     `json:"id"`
	State        string     `json:"state"`
	SnoozedUntil *time.Time `json:"snoozedUntil"`
	ActedAt      *time.Time `json:"actedAt"`
	Link         string     `json:"link,omitempty"`
}

var choiceActions = map[string]string{
	ChoiceDismiss: audit.ActionSuggestionDismiss, ChoiceSnooze: audit.ActionSuggestionSnooze,
	ChoiceDone: audit.ActionSuggestionDone, ChoiceAct: audit.ActionSuggestionAct,
}

// check validates c at now and returns it in canonical form.
func (c Choice) check(now time.Time) (Choice, error) {
	var fields apperr.Fields
	switch c.Kind {
	case ChoiceDismiss:
		reason, problem := textcheck.Check(c.Reason, textcheck.Text.Limit(MaxDismissReason))
		if problem != nil {
			fields.Add("/reason", problem.Key, problem.Data)
		}
		c.Reason = reason
	case ChoiceSnooze:
		switch {
		case c.Until == nil:
			fields.Add("/until", "field.required", nil)
		case !c.Until.After(now) || c.Until.After(now.Add(MaxSnooze)):
			fields.Add("/until", "field.out_of_range", nil) // from now to a year ahead
		default:
			u := store.UTC(*c.Until)
			c.Until = &u
		}
	case ChoiceDone, ChoiceAct:
	default:
		return c, fmt.Errorf("actions: unknown suggestion choice %q", c.Kind)
	}
	return c, fields.Err()
}

// chosenRow is a suggestion with what a choice needs of its rule.
type chosenRow struct {
	suggest.Row `bun:",extend"`
	Area        string         `bun:"area"`
	AgencyID    string         `bun:"agency_id"`
	RuleExt     string         `bun:"rule_ext"`
	Action      suggest.Action `bun:"action"`
}

// ChooseSuggestion records a choice about one of the subject's suggestions in tx: the row, the
// changes feed (so the person's other devices follow), the audit log and, on the first act, the
// agency's suggestion.acted webhook. A suggestion the view does not see (another's, outside a
// representative's areas, withdrawn, or of a rule no longer shown) is not found.
func (s *Service) ChooseSuggestion(ctx context.Context, tx bun.IDB, v For, id string, c Choice, requestID string, now time.Time) (*Chosen, error) {
	now = store.UTC(now)
	c, err := c.check(now)
	if err != nil {
		return nil, err
	}
	row, err := loadSuggestion(ctx, tx, v, id, now)
	if err != nil {
		return nil, err
	}
	firstAct := c.Kind == ChoiceAct && row.ActedAt == nil
	q := tx.NewUpdate().Model((*suggest.Row)(nil)).Set("updated_at = ?", now).Where("id = ?", row.ID)
	switch c.Kind {
	case ChoiceDismiss:
		row.State, row.Reason, row.SnoozedUntil = suggest.StateDismissed, c.Reason, nil
	case ChoiceSnooze:
		row.State, row.SnoozedUntil = suggest.StateActive, c.Until
	case ChoiceDone:
		row.State, row.SnoozedUntil = suggest.StateDone, nil
	case ChoiceAct:
		row.State, row.SnoozedUntil = suggest.StateDone, nil
		if firstAct {
			row.ActedAt = &now
		}
	}
	if _, err := q.Set("state = ?", row.State).Set("reason = ?", row.Reason).Set("snoozed_until = ?", row.SnoozedUntil).
		Set("acted_at = ?", row.ActedAt).Exec(ctx); err != nil {
		return nil, fmt.Errorf("actions: suggestion %s: %w", c.Kind, err)
	}
	if firstAct {
		if err := s.deps.Webhooks(ctx, tx, row.AgencyID, webhook.EventSuggestionActed,
			webhook.SuggestionActed{Rule: row.RuleExt, Suggestion: row.ID, At: now, By: by(v)}, now); err != nil {
			return nil, fmt.Errorf("actions: suggestion acted: %w", err)
		}
	}
	if err := changes.Record(ctx, tx, &row.CitizenID, "suggestion", row.ID, changes.OpUpsert, now); err != nil {
		return nil, err
	}
	detail := map[string]any{"ruleId": row.RuleID}
	if c.Until != nil {
		detail["until"] = c.Until.Format(time.RFC3339)
	}
	actor, subject := actorOf(v), v.SubjectID
	kind := audit.ActorCitizen
	if v.ActingAs() {
		kind = audit.ActorRepresentative
	}
	if err := audit.Record(ctx, tx, audit.Entry{At: now, ActorKind: kind, ActorID: &actor, SubjectID: &subject,
		Action: choiceActions[c.Kind], ObjectKind: "suggestion", ObjectID: row.ID, Detail: detail, RequestID: requestID}); err != nil {
		return nil, err
	}
	out := &Chosen{ID: row.ID, State: row.State, SnoozedUntil: row.SnoozedUntil, ActedAt: row.ActedAt}
	if c.Kind == ChoiceAct {
		out.Link = suggest.LinkOf(row.Action, row.Facts)
	}
	return out, nil
}

// loadSuggestion returns the suggestion when the view may act on it, else not found.
func loadSuggestion(ctx context.Context, db bun.IDB, v For, id string, now time.Time) (*chosenRow, error) {
	return loadOwned(ctx, v, id, "suggestion", func(ctx context.Context, row *chosenRow) error {
		return db.NewSelect().Model(row).ModelTableExpr("suggestions AS s").
			ColumnExpr("s.*, r.area, r.agency_id, r.external_id AS rule_ext, r.action").
			Join("JOIN rules AS r ON r.id = s.rule_id").
			Where("s.id = ? AND s.state <> ?", id, suggest.StateWithdrawn).
			Where("r.status = ? AND (r.expires_at IS NULL OR r.expires_at > ?)", suggest.RulePublished, now).
			Scan(ctx)
	}, func(row *chosenRow) (string, string) { return row.CitizenID, row.Area })
}

// MarkSuggestionsShown records that the PWA showed the subject's suggestions ids: shown_at is set
// once, the first time; ids of suggestions the view does not see are passed over, as any id the
// client no longer holds. It answers how many were marked now.
func (s *Service) MarkSuggestionsShown(ctx context.Context, tx bun.IDB, v For, ids []string, now time.Time) (int, error) {
	var fields apperr.Fields
	switch {
	case len(ids) == 0:
		fields.Add("/ids", "field.required", nil)
	case len(ids) > MaxShown:
		fields.Add("/ids", "field.too_many", map[string]any{"Max": MaxShown})
	}
	for i, id := range ids {
		if !isID(id) {
			fields.Add(fmt.Sprintf("/ids/%d", i), "field.invalid", nil)
		}
	}
	if err := fields.Err(); err != nil {
		return 0, err
	}
	q := tx.NewUpdate().Model((*suggest.Row)(nil)).Set("shown_at = ?", store.UTC(now)).
		Where("id IN (?) AND citizen_id = ? AND shown_at IS NULL", bun.In(ids), v.SubjectID)
	if v.Areas != nil {
		q = q.Where("rule_id IN (SELECT id FROM rules WHERE area IN (?))", bun.In(v.Areas))
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("actions: suggestions shown: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
