package console

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/ingest"
	"minside/backend/internal/store"
	"minside/backend/internal/strictjson"
	"minside/backend/internal/suggest"
)

// Rules in the console: an editor writes the agency's rules for proactive suggestions through
// the agency API's validation and upsert (ingest), checks the expressions as they type, previews
// whom a rule would reach before publishing it, and sees what became of its suggestions after.

// Rule is one of the agency's rules as the editor sees it: every language, drafts included.
type Rule struct {
	ID         string `json:"id"`
	ExternalID string `json:"externalId"`
	ingest.RuleRecord
	UpdatedAt time.Time `json:"updatedAt"`
}

func (r recordRow) rule() (Rule, error) {
	out := Rule{ID: r.ObjectID, ExternalID: r.ExternalID, UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal(r.Body, &out.RuleRecord); err != nil {
		return Rule{}, fmt.Errorf("console: rule %s: %w", r.ObjectID, err)
	}
	out.Version = r.Version
	return out, nil
}

// Rules lists every rule of the agency, newest change first.
func (s *Service) Rules(ctx context.Context, ed Editor, slug string) ([]Rule, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return nil, err
	}
	var rows []recordRow
	if err := s.db.NewRaw(tileRecords+" ORDER BY updated_at DESC, external_id", a.ID, string(ingest.KindRules)).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("console: rules: %w", err)
	}
	out := make([]Rule, 0, len(rows))
	for _, r := range rows {
		rule, err := r.rule()
		if err != nil {
			return nil, err
		}
		out = append(out, rule)
	}
	return out, nil
}

// findRule finds one of the agency's rules by the portal id.
func (s *Service) findRule(ctx context.Context, a *agency.Agency, id string) (Rule, error) {
	if uuid.Validate(id) != nil {
		return Rule{}, apperr.NotFound()
	}
	var rows []recordRow
	if err := s.db.NewRaw(tileRecords+" AND object_id = ?", a.ID, string(ingest.KindRules), id).Scan(ctx, &rows); err != nil {
		return Rule{}, fmt.Errorf("console: rule: %w", err)
	}
	if len(rows) == 0 {
		return Rule{}, apperr.NotFound()
	}
	return rows[0].rule()
}

// CreateRule adds a draft rule; the body is a rule as the agency API takes it (status and
// version are the console's: a new rule is a draft at version 1).
func (s *Service) CreateRule(ctx context.Context, ed Editor, slug string, body []byte) (Rule, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return Rule{}, err
	}
	body, err = withFields(body, "", map[string]any{"status": suggest.RuleDraft, "version": 1})
	if err != nil {
		return Rule{}, err
	}
	return s.putRule(ctx, ed, a, "console-"+store.NewID(), body)
}

// UpdateRule replaces a rule's content; body.version must be the version the form was loaded
// from (else 409 with currentVersion). Its status stays as it is: editing a published rule
// re-evaluates it for everyone.
func (s *Service) UpdateRule(ctx context.Context, ed Editor, slug, id string, body []byte) (Rule, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return Rule{}, err
	}
	cur, err := s.findRule(ctx, a, id)
	if err != nil {
		return Rule{}, err
	}
	var base struct {
		Version *int64 `json:"version"`
	}
	if err := strictjson.Unmarshal(body, &base); err != nil {
		return Rule{}, err
	}
	if base.Version == nil {
		return Rule{}, apperr.Invalid(apperr.Field("/version", "field.required", nil))
	}
	body, err = withFields(body, "", map[string]any{"status": cur.Status, "version": *base.Version + 1})
	if err != nil {
		return Rule{}, err
	}
	return s.putRule(ctx, ed, a, cur.ExternalID, body)
}

// SetRuleStatus publishes ("published") or withdraws ("draft") a rule. version, when not zero,
// must be the version the editor saw.
func (s *Service) SetRuleStatus(ctx context.Context, ed Editor, slug, id, status string, version int64) (Rule, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return Rule{}, err
	}
	cur, err := s.findRule(ctx, a, id)
	if err != nil {
		return Rule{}, err
	}
	if version == 0 {
		version = cur.Version
	}
	rec := cur.RuleRecord
	rec.Status, rec.Version = status, version+1
	body, err := json.Marshal(rec)
	if err != nil {
		return Rule{}, fmt.Errorf("console: encode rule: %w", err)
	}
	return s.putRule(ctx, ed, a, cur.ExternalID, body)
}

func (s *Service) putRule(ctx context.Context, ed Editor, a *agency.Agency, externalID string, body []byte) (Rule, error) {
	st, _, err := s.ingest.Put(ctx, s.request(ed, a), ingest.KindRules, externalID, body)
	if err != nil {
		return Rule{}, err
	}
	return s.findRule(ctx, a, st.ObjectID)
}

// Problem is one expression that does not compile, for the live check.
type Problem struct {
	Pointer string `json:"pointer"` // as in the rule record: /condition, /texts/why/nb, /action/prefill/x
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"` // the compiler's own words (English)
}

// CheckRule compiles what the editor has typed (ingest.RuleExpressions): every expression's
// problems, none when the rule would compile. Nothing is read or written.
func (s *Service) CheckRule(ctx context.Context, ed Editor, slug string, body []byte) ([]Problem, error) {
	if _, err := s.authorize(ctx, ed, slug); err != nil {
		return nil, err
	}
	var e ingest.RuleExpressions
	if err := strictjson.Unmarshal(body, &e); err != nil {
		return nil, err
	}
	fields, err := s.ingest.CheckRuleExpressions(e)
	if err != nil {
		return nil, err
	}
	out := make([]Problem, 0, len(fields))
	for _, f := range fields {
		msg, _ := f.Data["Message"].(string)
		out = append(out, Problem{Pointer: f.Pointer, Line: f.Line, Column: f.Column, Message: msg})
	}
	return out, nil
}

// PreviewRule says whom the rule the editor has typed would reach now (suggest.PreviewRule): a
// read of everyone's facts in aggregate, so it is audited as the editor's read.
func (s *Service) PreviewRule(ctx context.Context, ed Editor, slug string, body []byte) (suggest.Preview, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return suggest.Preview{}, err
	}
	var e ingest.RuleExpressions
	if err := strictjson.Unmarshal(body, &e); err != nil {
		return suggest.Preview{}, err
	}
	fields, err := s.ingest.CheckRuleExpressions(e)
	if err != nil {
		return suggest.Preview{}, err
	}
	if len(fields) > 0 {
		return suggest.Preview{}, apperr.Invalid(fields...)
	}
	now := store.UTC(s.now())
	p, err := suggest.PreviewRule(ctx, s.db, s.rules, suggest.Definition{Agency: a.Slug, Subject: e.AppliesTo, Events: e.Events,
		Condition: e.Condition, Why: e.Why, Prefill: e.Prefill}, now)
	if err != nil {
		return suggest.Preview{}, err
	}
	return p, s.auditRead(ctx, ed, a, "", map[string]any{"preview": true, "people": p.People})
}

// RuleStats says what became of a rule's suggestions.
func (s *Service) RuleStats(ctx context.Context, ed Editor, slug, id string) (suggest.Stats, error) {
	a, err := s.authorize(ctx, ed, slug)
	if err != nil {
		return suggest.Stats{}, err
	}
	if _, err := s.findRule(ctx, a, id); err != nil {
		return suggest.Stats{}, err
	}
	st, err := suggest.RuleStats(ctx, s.db, id)
	if err != nil {
		return suggest.Stats{}, err
	}
	return st, s.auditRead(ctx, ed, a, id, map[string]any{"stats": true})
}

// auditRead records an editor's read of citizens' data in aggregate (no one person's).
func (s *Service) auditRead(ctx context.Context, ed Editor, a *agency.Agency, ruleID string, detail map[string]any) error {
	detail["agencyId"], detail["role"] = a.ID, "agency_editor"
	return audit.Record(ctx, s.db, audit.Entry{At: store.UTC(s.now()), ActorKind: audit.ActorCitizen, ActorID: &ed.CitizenID,
		Action: audit.ConsoleAction("rule", audit.ActionRead), ObjectKind: "rule", ObjectID: ruleID, Detail: detail,
		RequestID: ed.RequestID})
}
