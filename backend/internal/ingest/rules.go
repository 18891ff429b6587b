package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"minside/backend/internal/apperr"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/textcheck"
	"minside/backend/internal/texts"
)

// conditionText bounds a rule's CEL condition: a few lines an editor can read.
var conditionText = textcheck.Text.Limit(4000)

// maxPrefill bounds the query parameters a rule's link is prefilled with.
const maxPrefill = 10

// RuleRecord is a rule for proactive suggestions as an agency (or its editor in the console)
// publishes it: a CEL condition over one person's facts (suggest.Facts), texts that say why, and
// what following the suggestion does. Rules are for everyone the condition matches: no pid.
type RuleRecord struct {
	Status    string     `json:"status"`
	Category  string     `json:"category"`
	Area      string     `json:"area"`
	AppliesTo string     `json:"appliesTo"`
	Events    []string   `json:"events,omitempty"`
	Condition string     `json:"condition"`
	Texts     RuleTexts  `json:"texts"`
	Action    RuleAction `json:"action"`
	ExpiresAt string     `json:"expiresAt,omitempty"`
	Version   int64      `json:"version"`
}

// RuleTexts are a rule's texts by field, then language. Why is a template whose {expressions}
// are filled with the person's own facts.
type RuleTexts struct {
	Title       map[string]string `json:"title"`
	Body        map[string]string `json:"body,omitempty"`
	Why         map[string]string `json:"why"`
	LegalBasis  map[string]string `json:"legalBasis,omitempty"`
	ActionLabel map[string]string `json:"actionLabel,omitempty"`
}

// RuleAction is suggest.Action with strict JSON.
type RuleAction struct {
	Type    string            `json:"type"`
	Link    string            `json:"link,omitempty"`
	Prefill map[string]string `json:"prefill,omitempty"`
}

// ruleSpec parses rules against the app's fact model (env): a rule that does not compile is
// refused at write time, never found broken at evaluation.
type ruleSpec struct{ env *suggest.Env }

type parsedRule struct {
	rec  RuleRecord
	def  suggest.Definition
	spec ruleSpec
}

func (s ruleSpec) parse(body []byte, base string, _ pid.Options) (parsed, error) {
	p := &parsedRule{spec: s}
	c := &checker{base: base}
	if err := decodeStrict(body, &p.rec, c); err != nil {
		return nil, err
	}
	r := &p.rec
	c.oneOf("/status", r.Status, tileStatuses, true)
	c.text("/category", &r.Category, shortText.Need(true))
	c.oneOf("/area", r.Area, areas, true)
	c.oneOf("/appliesTo", r.AppliesTo, suggest.Subjects, true)
	c.count("/events", len(r.Events), maxListItems)
	for i, ev := range r.Events {
		c.oneOf("/events/"+strconv.Itoa(i), ev, suggest.Events, true)
	}
	c.text("/condition", &r.Condition, conditionText.Need(true))
	c.texts("/texts/title", r.Texts.Title, titleText, true)
	c.texts("/texts/body", r.Texts.Body, bodyText, false)
	c.texts("/texts/why", r.Texts.Why, bodyText, true)
	c.texts("/texts/legalBasis", r.Texts.LegalBasis, bodyText, false)
	c.texts("/texts/actionLabel", r.Texts.ActionLabel, titleText, false)
	// The citizen's language falls back to bokmål: the texts a citizen needs must be there.
	for _, f := range []struct {
		ptr string
		t   map[string]string
	}{{"/texts/title", r.Texts.Title}, {"/texts/why", r.Texts.Why}} {
		if len(f.t) > 0 && f.t["nb"] == "" {
			c.add(f.ptr+"/nb", "field.required", nil)
		}
	}
	c.action("/action", &r.Action)
	expires := c.time("/expiresAt", r.ExpiresAt, false)
	c.version(r.Version)
	if err := c.err(); err != nil {
		return nil, err
	}
	p.def = suggest.Definition{Subject: r.AppliesTo, Events: r.Events, Condition: r.Condition, Why: r.Texts.Why,
		Prefill: r.Action.Prefill, ExpiresAt: expires}
	if _, err := s.env.Compile(p.def); err != nil {
		var ce *suggest.CompileError
		if !errors.As(err, &ce) {
			return nil, err
		}
		c.expression(compilePointer(ce.Field), ce.Problem)
		return nil, c.err()
	}
	return p, nil
}

// action checks what following the suggestion does: a link needs its https address; a prefill
// needs a link to fill.
func (c *checker) action(ptr string, a *RuleAction) {
	c.oneOf(ptr+"/type", a.Type, suggest.ActionTypes, true)
	c.httpsURL(ptr+"/link", a.Link, a.Type == "link")
	c.count(ptr+"/prefill", len(a.Prefill), maxPrefill)
	if len(a.Prefill) > 0 && a.Link == "" {
		c.add(ptr+"/prefill", "field.invalid", nil)
	}
	for _, name := range slices.Sorted(maps.Keys(a.Prefill)) {
		p := ptr + "/prefill/" + escapePointer(name)
		if !validExternalID.MatchString(name) {
			c.add(p, "field.invalid", nil)
			continue
		}
		v := a.Prefill[name]
		if c.text(p, &v, titleText.Need(true)) {
			a.Prefill[name] = v
		}
	}
}

// expression reports a rule expression that does not compile, with where in the field's text.
func (c *checker) expression(ptr string, p suggest.Problem) {
	c.fields = append(c.fields, apperr.FieldError{Pointer: c.base + ptr, Key: "field.expression",
		Data: map[string]any{"Line": p.Line, "Column": p.Column, "Message": p.Message}, Line: p.Line, Column: p.Column})
}

// compilePointer turns suggest.CompileError's field ("condition", "why/nb", "action/prefill/x")
// into the record's JSON pointer.
func compilePointer(field string) string {
	switch {
	case strings.HasPrefix(field, "why/"):
		return "/texts/why/" + escapePointer(strings.TrimPrefix(field, "why/"))
	case strings.HasPrefix(field, "action/prefill/"):
		return "/action/prefill/" + escapePointer(strings.TrimPrefix(field, "action/prefill/"))
	}
	return "/" + field
}

func (p *parsedRule) version() int64 { return p.rec.Version }

func (p *parsedRule) bodyParts() (any, map[string]string) { return p.rec, nil }

func (p *parsedRule) apply(ctx context.Context, w *writer, prev *record) (applied, error) {
	r := p.rec
	row := &suggest.RuleRow{ID: store.NewID(), CreatedAt: w.now}
	var before *RuleRecord // what the agency sent last time
	oldWhy := ""
	if prev != nil {
		row.ID, row.CreatedAt = prev.ObjectID, prev.CreatedAt
		before = new(RuleRecord)
		if err := json.Unmarshal(prev.Body, before); err != nil {
			return applied{}, fmt.Errorf("ingest: rule: stored body: %w", err)
		}
		var err error
		if oldWhy, err = suggest.RuleWhy(ctx, w.tx, row.ID); err != nil {
			return applied{}, err
		}
	}
	row.AgencyID, row.ExternalID, row.Version, row.Status = w.req.AgencyID, w.externalID, r.Version, r.Status
	row.Category, row.Area, row.AppliesTo, row.Condition = r.Category, r.Area, r.AppliesTo, r.Condition
	row.Events = r.Events
	if row.Events == nil {
		row.Events = []string{}
	}
	row.Action = suggest.Action{Type: r.Action.Type, Link: r.Action.Link, Prefill: r.Action.Prefill}
	row.ExpiresAt, row.UpdatedAt = p.def.ExpiresAt, w.now
	var err error
	if prev != nil {
		_, err = w.tx.NewUpdate().Model(row).ExcludeColumn("created_at").WherePK().Exec(ctx)
	} else {
		_, err = w.tx.NewInsert().Model(row).Exec(ctx)
	}
	if err != nil {
		return applied{}, fmt.Errorf("ingest: rule: %w", err)
	}
	if err := texts.Save(ctx, w.tx, "rule", row.ID, texts.Fields{"title": r.Texts.Title, "body": r.Texts.Body,
		"why": r.Texts.Why, "legal_basis": r.Texts.LegalBasis, "action_label": r.Texts.ActionLabel}); err != nil {
		return applied{}, err
	}
	if err := publishEffects(ctx, w, row, before, &r, oldWhy); err != nil {
		return applied{}, err
	}
	body, err := stripPIDs(r, row.ID, nil)
	return applied{objectID: row.ID, body: body}, err
}

// publishEffects keeps the rule's suggestions true to the rule, in the write's transaction: a rule
// no longer published, or published with a different meaning, has its active suggestions
// withdrawn; a published rule whose meaning is new is evaluated for everyone at once; one whose
// wording alone changed has its suggestions fetched again by offline copies.
func publishEffects(ctx context.Context, w *writer, row *suggest.RuleRow, before, after *RuleRecord, oldWhy string) error {
	wasPublished := before != nil && before.Status == suggest.RulePublished
	isPublished := after.Status == suggest.RulePublished
	changed := before == nil || !sameMeaning(before, after)
	if wasPublished && (!isPublished || changed) {
		if _, err := suggest.WithdrawRule(ctx, w.tx, row.ID, row.AgencyID, oldWhy, w.now); err != nil {
			return err
		}
	}
	if isPublished && (!wasPublished || changed) {
		return suggest.SweepRule(ctx, w.tx, row.ID, row.Version, w.now)
	}
	if wasPublished && isPublished && !sameWording(before, after) {
		_, err := suggest.TouchRule(ctx, w.tx, row.ID, w.now)
		return err
	}
	return nil
}

// sameMeaning reports whether two versions of a rule make the same suggestions with the same
// why-texts: only titles, bodies, legal basis, action label, category or link differ, which the
// citizen's page reads from the rule itself.
func sameMeaning(a, b *RuleRecord) bool {
	return a.Condition == b.Condition && a.AppliesTo == b.AppliesTo && slices.Equal(a.Events, b.Events) &&
		a.ExpiresAt == b.ExpiresAt && a.Area == b.Area && maps.Equal(a.Texts.Why, b.Texts.Why) &&
		maps.Equal(a.Action.Prefill, b.Action.Prefill)
}

// sameWording reports whether two versions of a rule show their suggestions alike: the texts
// beside the why-text, the action and the category.
func sameWording(a, b *RuleRecord) bool {
	return maps.Equal(a.Texts.Title, b.Texts.Title) && maps.Equal(a.Texts.Body, b.Texts.Body) &&
		maps.Equal(a.Texts.LegalBasis, b.Texts.LegalBasis) && maps.Equal(a.Texts.ActionLabel, b.Texts.ActionLabel) &&
		a.Action.Type == b.Action.Type && a.Action.Link == b.Action.Link && a.Category == b.Category
}

// deleteRule withdraws the rule's active suggestions (audited, on the changes feed) and removes
// the rule, its texts and its other suggestions.
func deleteRule(ctx context.Context, w *writer, r *record) error {
	why, err := suggest.RuleWhy(ctx, w.tx, r.ObjectID)
	if err != nil {
		return err
	}
	if _, err := suggest.WithdrawRule(ctx, w.tx, r.ObjectID, r.AgencyID, why, w.now); err != nil {
		return err
	}
	if err := texts.Delete(ctx, w.tx, "rule", r.ObjectID); err != nil {
		return err
	}
	if _, err := w.tx.NewDelete().Model((*suggest.RuleRow)(nil)).Where("id = ?", r.ObjectID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete rule: %w", err)
	}
	return nil
}

// RuleExpressions are the parts of a rule that are expressions, for the console's live check
// and preview: what the editor has typed so far.
type RuleExpressions struct {
	AppliesTo string            `json:"appliesTo"`
	Events    []string          `json:"events,omitempty"`
	Condition string            `json:"condition"`
	Why       map[string]string `json:"why,omitempty"`
	Prefill   map[string]string `json:"prefill,omitempty"`
}

// CheckRuleExpressions compiles each expression of e on its own, so the editor sees every problem
// at once, as field errors with positions under the rule record's pointers (field.expression).
// What is not an expression (appliesTo, events) is checked as PUT does, and refused as invalid.
func (s *Service) CheckRuleExpressions(e RuleExpressions) ([]apperr.FieldError, error) {
	if s.rules == nil {
		return nil, apperr.NotFound()
	}
	c := &checker{}
	c.oneOf("/appliesTo", e.AppliesTo, suggest.Subjects, true)
	for i, ev := range e.Events {
		c.oneOf("/events/"+strconv.Itoa(i), ev, suggest.Events, true)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	compile := func(d suggest.Definition) {
		d.Subject = e.AppliesTo
		var ce *suggest.CompileError
		if _, err := s.rules.Compile(d); errors.As(err, &ce) {
			c.expression(compilePointer(ce.Field), ce.Problem)
		}
	}
	compile(suggest.Definition{Condition: e.Condition})
	for _, lang := range slices.Sorted(maps.Keys(e.Why)) {
		compile(suggest.Definition{Condition: "true", Why: map[string]string{lang: e.Why[lang]}})
	}
	for _, name := range slices.Sorted(maps.Keys(e.Prefill)) {
		compile(suggest.Definition{Condition: "true", Prefill: map[string]string{name: e.Prefill[name]}})
	}
	return c.fields, nil
}
