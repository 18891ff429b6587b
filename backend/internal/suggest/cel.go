package suggest

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/ext"
	"github.com/google/cel-go/interpreter"
)

// CostLimit bounds one evaluation of one expression in CEL's cost units (roughly the operations
// it performs), so no rule can run away however it is written. It is checked when a rule is
// published, on CEL's worst-case estimate with every fact list at its bound (maxListFacts) and
// every text at maxTextFacts: a rule that could cost more is refused then, and evaluation pays
// nothing for tracking cost (tracking at run time made evaluating three times slower).
const CostLimit = 100_000

// maxTextFacts bounds the length of a text fact for the cost estimate (names, kinds, districts).
const maxTextFacts = 1000

// maxListFacts bounds each list of facts (cases, bookings, keys, children) a rule sees: the newest.
const maxListFacts = 100

// Env compiles conditions and why-text placeholders against the fact model. It is built once and
// safe for concurrent use.
type Env struct {
	base *cel.Env
	subj map[string]*cel.Env // per Subjects entry: base plus the subject's variable

	flipsMu sync.Mutex
	flips   map[string]*Program // by subject and source: the rules' flips (timing.go), shared
}

// Problem is a compile error with its place in the expression (line from 1, column from 1).
type Problem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func (p Problem) Error() string { return fmt.Sprintf("%d:%d: %s", p.Line, p.Column, p.Message) }

// NewEnv declares the fact model's variables and the date functions rules need.
func NewEnv() (*Env, error) {
	base, err := cel.NewEnv(
		ext.NativeTypes(ext.ParseStructTag("json"),
			reflect.TypeFor[Person](), reflect.TypeFor[Child](), reflect.TypeFor[Case](),
			reflect.TypeFor[Booking](), reflect.TypeFor[Key](), reflect.TypeFor[Relation](), reflect.TypeFor[Event]()),
		cel.Variable("person", cel.ObjectType("suggest.Person")),
		cel.Variable("children", cel.ListType(cel.ObjectType("suggest.Child"))),
		cel.Variable("cases", cel.ListType(cel.ObjectType("suggest.Case"))),
		cel.Variable("bookings", cel.ListType(cel.ObjectType("suggest.Booking"))),
		cel.Variable("keys", cel.ListType(cel.ObjectType("suggest.Key"))),
		cel.Variable("relations", cel.ListType(cel.ObjectType("suggest.Relation"))),
		cel.Variable("event", cel.ObjectType("suggest.Event")),
		cel.Variable("now", cel.TimestampType),
		ext.Strings(),
		dateFunctions(),
	)
	if err != nil {
		return nil, fmt.Errorf("suggest: cel environment: %w", err)
	}
	e := &Env{base: base, subj: map[string]*cel.Env{"person": base}}
	for subject, typ := range map[string]string{"child": "Child", "case": "Case", "booking": "Booking", "key": "Key"} {
		env, err := base.Extend(cel.Variable(subject, cel.ObjectType("suggest."+typ)))
		if err != nil {
			return nil, fmt.Errorf("suggest: cel environment for %s: %w", subject, err)
		}
		e.subj[subject] = env
	}
	return e, nil
}

// dateFunctions are what date rules are written with: birthday(birthDate, n) is the day someone
// turns n; daysBetween(a, b) the whole days from a to b (negative when b is earlier); addDays(t, n).
func dateFunctions() cel.EnvOption {
	return cel.Lib(dateLib{})
}

type dateLib struct{}

func (dateLib) CompileOptions() []cel.EnvOption {
	return []cel.EnvOption{
		cel.Function("birthday", cel.Overload("birthday_timestamp_int", []*cel.Type{cel.TimestampType, cel.IntType}, cel.TimestampType,
			cel.BinaryBinding(func(t, n ref.Val) ref.Val {
				b := t.(types.Timestamp).Time.UTC()
				return types.Timestamp{Time: Birthday(b, int(n.(types.Int)))}
			}))),
		cel.Function("daysBetween", cel.Overload("daysBetween_timestamp_timestamp", []*cel.Type{cel.TimestampType, cel.TimestampType}, cel.IntType,
			cel.BinaryBinding(func(a, b ref.Val) ref.Val {
				return types.Int(DaysBetween(a.(types.Timestamp).Time, b.(types.Timestamp).Time))
			}))),
		cel.Function("addDays", cel.Overload("addDays_timestamp_int", []*cel.Type{cel.TimestampType, cel.IntType}, cel.TimestampType,
			cel.BinaryBinding(func(t, n ref.Val) ref.Val {
				return types.Timestamp{Time: t.(types.Timestamp).Time.AddDate(0, 0, int(n.(types.Int)))}
			}))),
	}
}

func (dateLib) ProgramOptions() []cel.ProgramOption { return nil }

// Birthday is the day someone born on birth turns n (29 February becomes 1 March in other years).
func Birthday(birth time.Time, n int) time.Time {
	y, m, d := birth.Date()
	return time.Date(y+n, m, d, 0, 0, 0, 0, time.UTC)
}

// DaysBetween counts calendar days from a to b (UTC dates).
func DaysBetween(a, b time.Time) int64 {
	day := func(t time.Time) time.Time {
		y, m, d := t.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return int64(day(b).Sub(day(a)).Hours() / 24)
}

// Program is a compiled expression.
type Program struct {
	Source  string
	prg     cel.Program
	checked *cel.Ast // what timingOf reads
}

// Condition compiles a rule's condition for subject: it must be a bool.
func (e *Env) Condition(src, subject string) (*Program, *Problem) {
	return e.compile(src, subject, []*cel.Type{cel.BoolType})
}

// Placeholder compiles one {…} of a why-text: a string, a number or a date.
func (e *Env) Placeholder(src, subject string) (*Program, *Problem) {
	return e.compile(src, subject, []*cel.Type{cel.StringType, cel.IntType, cel.DoubleType, cel.TimestampType})
}

func (e *Env) compile(src, subject string, want []*cel.Type) (*Program, *Problem) {
	env, ok := e.subj[subject]
	if !ok {
		return nil, &Problem{Line: 1, Column: 1, Message: "unknown subject " + subject}
	}
	ast, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		first := iss.Errors()[0]
		return nil, &Problem{Line: max(first.Location.Line(), 1), Column: first.Location.Column() + 1, Message: first.Message}
	}
	if !slices.ContainsFunc(want, func(t *cel.Type) bool { return ast.OutputType().IsExactType(t) }) {
		return nil, &Problem{Line: 1, Column: 1, Message: fmt.Sprintf("the expression gives %s; it must give %s", ast.OutputType(), typeNames(want))}
	}
	cost, err := env.EstimateCost(ast, factSizes{})
	if err != nil {
		return nil, &Problem{Line: 1, Column: 1, Message: err.Error()}
	}
	if cost.Max > CostLimit {
		return nil, &Problem{Line: 1, Column: 1, Message: fmt.Sprintf("the expression may cost up to %d steps on the largest facts; the limit is %d", cost.Max, CostLimit)}
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, &Problem{Line: 1, Column: 1, Message: err.Error()}
	}
	return &Program{Source: src, prg: prg, checked: ast}, nil
}

// factSizes gives CEL's cost estimate the bounds of the facts: lists hold at most maxListFacts,
// texts at most maxTextFacts characters.
type factSizes struct{}

func (factSizes) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	if t := n.Type(); t != nil {
		switch t.Kind() {
		case types.ListKind:
			return &checker.SizeEstimate{Min: 0, Max: maxListFacts}
		case types.StringKind:
			return &checker.SizeEstimate{Min: 0, Max: maxTextFacts}
		}
	}
	return nil
}

func (factSizes) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

func typeNames(ts []*cel.Type) string {
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += " or "
		}
		s += t.String()
	}
	return s
}

// Eval runs p over vars (the activation built by Facts.vars).
func (p *Program) Eval(vars interpreter.Activation) (ref.Val, error) {
	out, _, err := p.prg.Eval(vars)
	if err != nil {
		return nil, fmt.Errorf("suggest: evaluate %q: %w", p.Source, err)
	}
	return out, nil
}
