package suggest

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestRuleHoldsPerChildWithItsWhyValues(t *testing.T) {
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	r, err := env.Compile(Definition{ID: "school", Subject: "child",
		Condition: `child.guardian && daysBetween(now, birthday(child.birthDate, 6)) <= 365 && !cases.exists(c, c.kind == "school_enrolment")`,
		Why:       map[string]string{"en": "because {child.name} turns 6 on {birthday(child.birthDate, 6)} and you are the guardian"}})
	if err != nil {
		t.Fatal(err)
	}
	f := &Facts{Now: day(2026, 9, 1), Person: Person{Name: "Kari"},
		Children: []Child{{ID: "jonas", Name: "Jonas", BirthDate: day(2021, 8, 14), Guardian: true},
			{ID: "lea", Name: "Lea", BirthDate: day(2024, 1, 2), Guardian: true}}}
	got, err := r.Holds(f, env.Activation(f))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Occurrence != "jonas" {
		t.Fatalf("matches = %+v; want Jonas only", got)
	}
	if v := got[0].Values["child.name"]; v.Text != "Jonas" {
		t.Errorf("name = %+v", v)
	}
	if v := got[0].Values["birthday(child.birthDate, 6)"]; v.Date == nil || !v.Date.Equal(day(2027, 8, 14)) {
		t.Errorf("birthday = %+v", v)
	}
	f.Cases = []Case{{ID: "c1", Kind: "school_enrolment"}}
	if got, err := r.Holds(f, env.Activation(f)); err != nil || len(got) != 0 {
		t.Fatalf("after enrolment: %+v, %v", got, err)
	}
}

func TestCompileRefusesWithThePosition(t *testing.T) {
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, field  string
		d            Definition
		line, column int
	}{
		{"unknown field", "condition", Definition{Subject: "person", Condition: "person.age >= 67 &&\n  person.shoeSize > 3"}, 2, 9},
		{"not a bool", "condition", Definition{Subject: "person", Condition: "person.age"}, 1, 1},
		{"child in a person rule", "condition", Definition{Subject: "person", Condition: "child.age > 3"}, 1, 1},
		{"bad placeholder", "why/nb", Definition{Subject: "person", Condition: "true", Why: map[string]string{"nb": "fordi {person.nope}"}}, 1, 14},
		{"unclosed brace", "why/nb", Definition{Subject: "person", Condition: "true", Why: map[string]string{"nb": "fordi {person.name"}}, 1, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := env.Compile(tc.d)
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v; want a CompileError", err)
			}
			if ce.Field != tc.field || ce.Problem.Line != tc.line || ce.Problem.Column != tc.column {
				t.Fatalf("got %s at %d:%d (%s); want %s at %d:%d", ce.Field, ce.Problem.Line, ce.Problem.Column, ce.Problem.Message, tc.field, tc.line, tc.column)
			}
		})
	}
}

// A rule that could run away on the largest facts is refused when it is published; one that
// walks the lists once or twice is not.
func TestCostLimitRefusesARunawayRule(t *testing.T) {
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.Compile(Definition{Subject: "person",
		Condition: `cases.all(a, cases.all(b, cases.all(c, a.kind + b.kind + c.kind != "x")))`})
	var ce *CompileError
	if !errors.As(err, &ce) || ce.Field != "condition" || !strings.Contains(ce.Problem.Message, "may cost up to") {
		t.Fatalf("a cubic rule over the case list: %v; want it refused for its cost", err)
	}
	for _, ok := range []string{
		`cases.exists(c, c.kind == "building_permit" && c.decided) && children.exists(k, k.age < 6)`,
		`cases.filter(c, !c.decided).size() >= 3 && keys.all(k, k.status == "active")`,
	} {
		if _, err := env.Compile(Definition{Subject: "person", Condition: ok}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
