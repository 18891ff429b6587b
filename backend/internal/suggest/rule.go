package suggest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
)

// Rule is a published rule ready to evaluate: its condition and why-text placeholders compiled.
type Rule struct {
	ID        string
	AgencyID  string
	Agency    string // slug, what a person's per-agency opt-out names
	Category  string
	Area      string
	Subject   string   // one of Subjects
	Events    []string // empty: a state rule, shown while the condition holds
	ExpiresAt *time.Time

	condition    *Program
	placeholders map[string]*Program // by source, over every language of the why-text
	timing       timing              // on which days time alone can change what the rule decides
}

// Definition is what Compile needs of a rule.
type Definition struct {
	ID, AgencyID, Agency, Category, Area, Subject string
	Events                                        []string
	Condition                                     string
	Why                                           map[string]string // lang → template with {expression} placeholders
	Prefill                                       map[string]string // link query parameter → template, e.g. "child": "{child.name}"
	ExpiresAt                                     *time.Time
}

// CompileError says which part of a definition is wrong: "condition" or "why/<lang>", and where.
type CompileError struct {
	Field   string
	Problem Problem
}

func (e *CompileError) Error() string { return e.Field + ": " + e.Problem.Error() }

// Compile type-checks d against the fact model. A state rule cannot look at the event (it is
// re-evaluated by the daily sweep, where there is none to speak of).
func (e *Env) Compile(d Definition) (*Rule, error) {
	cond, p := e.Condition(d.Condition, d.Subject)
	if p != nil {
		return nil, &CompileError{Field: "condition", Problem: *p}
	}
	r := &Rule{ID: d.ID, AgencyID: d.AgencyID, Agency: d.Agency, Category: d.Category, Area: d.Area, Subject: d.Subject,
		Events: d.Events, ExpiresAt: d.ExpiresAt, condition: cond, placeholders: map[string]*Program{}}
	for _, lang := range slices.Sorted(maps.Keys(d.Why)) {
		if err := e.placeholdersOf(r, "why/"+lang, d.Why[lang]); err != nil {
			return nil, err
		}
	}
	for _, param := range slices.Sorted(maps.Keys(d.Prefill)) {
		if err := e.placeholdersOf(r, "action/prefill/"+param, d.Prefill[param]); err != nil {
			return nil, err
		}
	}
	checked := []*cel.Ast{cond.checked}
	for _, src := range slices.Sorted(maps.Keys(r.placeholders)) {
		checked = append(checked, r.placeholders[src].checked)
	}
	r.timing = e.timingOf(r.Subject, checked)
	return r, nil
}

// placeholdersOf compiles the placeholders of one template into r.
func (e *Env) placeholdersOf(r *Rule, field, template string) error {
	parts, err := ParseTemplate(template)
	if err != nil {
		return &CompileError{Field: field, Problem: *err}
	}
	for _, part := range parts {
		if !part.Expr || r.placeholders[part.Text] != nil {
			continue
		}
		prg, p := e.Placeholder(part.Text, r.Subject)
		if p != nil {
			p.Column += part.Offset // where the placeholder sits in the template
			return &CompileError{Field: field, Problem: *p}
		}
		r.placeholders[part.Text] = prg
	}
	return nil
}

// Part is a piece of a why-text: literal text, or the source of a {placeholder}.
type Part struct {
	Text   string
	Expr   bool
	Offset int // column of the expression's first character in the template, from 0
}

// ParseTemplate splits a why-text into literal text and {expression} placeholders. Braces do not
// nest; a lone brace is an error.
func ParseTemplate(s string) ([]Part, *Problem) {
	var parts []Part
	for i := 0; i < len(s); {
		open := strings.IndexAny(s[i:], "{}")
		if open < 0 {
			parts = append(parts, Part{Text: s[i:]})
			break
		}
		if s[i+open] == '}' {
			return nil, &Problem{Line: 1, Column: i + open + 1, Message: "a } without its {"}
		}
		if open > 0 {
			parts = append(parts, Part{Text: s[i : i+open]})
		}
		start := i + open + 1
		end := strings.IndexAny(s[start:], "{}")
		if end < 0 || s[start+end] == '{' {
			return nil, &Problem{Line: 1, Column: start, Message: "a { without its }"}
		}
		expr := strings.TrimSpace(s[start : start+end])
		if expr == "" {
			return nil, &Problem{Line: 1, Column: start, Message: "an empty {}"}
		}
		parts = append(parts, Part{Text: expr, Expr: true, Offset: start})
		i = start + end + 1
	}
	return parts, nil
}

// Match is one occurrence of a rule that holds for a person, with the values its why-text shows.
type Match struct {
	Occurrence string           // "" for the person; else the child's, case's, booking's or key's id
	Values     map[string]Value // by placeholder source
}

// Value is a placeholder's value, kept typed so it is rendered in the reader's language.
type Value struct {
	Text string     `json:"s,omitempty"`
	Num  *float64   `json:"n,omitempty"`
	Date *time.Time `json:"d,omitempty"`
}

// Holds evaluates r for the person in f: one match per subject (child, case, …) the condition
// holds for. An event rule holds only on one of its events, for the event's object when the
// subject is not the person. f.Event.Kind is "" when only state rules are asked.
func (r *Rule) Holds(f *Facts, vars *Activation) ([]Match, error) {
	if r.ExpiresAt != nil && !f.Now.Before(*r.ExpiresAt) {
		return nil, nil
	}
	if len(r.Events) > 0 && !slices.Contains(r.Events, f.Event.Kind) {
		return nil, nil
	}
	var out []Match
	try := func(occurrence string, subject ref.Val) error {
		if subject != nil {
			vars.subject, vars.value = r.Subject, subject
			defer func() { vars.subject, vars.value = "", nil }()
		}
		ok, err := r.condition.Eval(vars)
		if err != nil {
			return err
		}
		if ok != types.True {
			return nil
		}
		m := Match{Occurrence: occurrence, Values: map[string]Value{}}
		for src, prg := range r.placeholders {
			v, err := prg.Eval(vars)
			if err != nil {
				return err
			}
			m.Values[src] = valueOf(v.Value())
		}
		out = append(out, m)
		return nil
	}
	event := len(r.Events) > 0
	var err error
	switch r.Subject {
	case "person":
		occurrence := ""
		if event {
			occurrence = f.Event.ObjectID
		}
		err = try(occurrence, nil)
	case "child":
		err = each(f.Children, vars.items["children"], func(c Child) string { return c.ID }, event, f.Event.ObjectID, try)
	case "case":
		err = each(f.Cases, vars.items["cases"], func(c Case) string { return c.ID }, event, f.Event.ObjectID, try)
	case "booking":
		err = each(f.Bookings, vars.items["bookings"], func(b Booking) string { return b.ID }, event, f.Event.ObjectID, try)
	case "key":
		err = each(f.Keys, vars.items["keys"], func(k Key) string { return k.ID }, event, f.Event.ObjectID, try)
	default:
		err = fmt.Errorf("suggest: rule %s applies to %q", r.ID, r.Subject)
	}
	return out, err
}

// each tries every item (or, for an event rule, only the event's object), as the CEL value
// converted already (values[i] is items[i]).
func each[T any](items []T, values []ref.Val, id func(T) string, event bool, objectID string, try func(string, ref.Val) error) error {
	for i, it := range items {
		if event && id(it) != objectID {
			continue
		}
		if err := try(id(it), values[i]); err != nil {
			return err
		}
	}
	return nil
}

func valueOf(v any) Value {
	switch x := v.(type) {
	case string:
		return Value{Text: x}
	case int64:
		f := float64(x)
		return Value{Num: &f}
	case float64:
		return Value{Num: &x}
	case time.Time:
		t := x.UTC()
		return Value{Date: &t}
	}
	return Value{Text: fmt.Sprint(v)}
}
