package suggest

import (
	"fmt"
	"slices"

	"github.com/google/cel-go/cel"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/cel-go/parser"
)

// A rule reads the clock only through `now`. Time changes its outcome for a person only on the
// days one of its comparisons with `now` flips, so the daily sweep need only evaluate a person on
// those days (and when their facts change, which their change events say). timing finds, from the
// checked expression, a "flip" for every comparison whose sides are linear in the day, such as
// daysBetween(now, birthday(child.birthDate, 6)) <= 90 (it flips on the child's sixth birthday
// less 90 days), as a CEL expression that gives that day for the person's own facts.
//
// The argument is sound only where every `now` sits inside such a comparison: what is built from
// comparisons that do not change between two days does not change either. A rule that uses the
// clock any other way (a date placeholder counting days, now.getDayOfWeek(), a duration) is
// "daily": everyone it could apply to is evaluated every day, as before. Ages are not the
// expression's business: they change on birthdays, which nextDue adds from the facts.

// timing is what a rule's expressions say about the clock.
type timing struct {
	daily bool   // some use of `now` is not a comparison linear in the day
	flips []flip // the days its comparisons flip on
}

// flip is a comparison's day: what prg gives (a day number, days since 1970-01-01, or nested
// lists of them, one per element of the comprehensions it sits in) plus offset. The literal
// numbers of a rule are offsets, so rules that differ only in them share one program, which is
// evaluated once per person.
type flip struct {
	prg    *Program
	offset int64
}

// epochDays is the CEL source of a timestamp's day number.
const epochDays = `daysBetween(timestamp("1970-01-01T00:00:00Z"), %s)`

// scope is a comprehension a node sits in: the flip is computed for every element of its range.
type scope struct {
	iterVar, accuVar string
	iterRange        celast.Expr
}

// analyser walks one checked expression.
type analyser struct {
	ast   *celast.AST
	daily bool
	flips []flipSource
}

// flipSource is a flip before it is compiled: CEL source, already mapped over its comprehensions.
type flipSource struct {
	src    string
	offset int64
}

// timingOf analyses the checked expressions of a rule about subject and compiles its flips.
func (e *Env) timingOf(subject string, checked []*cel.Ast) timing {
	var t timing
	var found []flipSource
	for _, c := range checked {
		a := &analyser{ast: c.NativeRep()}
		a.walk(a.ast.Expr(), nil)
		if a.daily {
			return timing{daily: true}
		}
		found = append(found, a.flips...)
	}
	for _, f := range found {
		src := f.src
		if list, ok := subjectLists[subject]; ok {
			src = fmt.Sprintf("%s.map(%s, %s)", list, subject, src)
		}
		prg, err := e.flipProgram(src, subject)
		if err != nil {
			// A flip that names what only its place in the expression binds (a comprehension's
			// result reading its accumulator): the rule is daily rather than refused.
			return timing{daily: true}
		}
		if !slices.Contains(t.flips, flip{prg, f.offset}) {
			t.flips = append(t.flips, flip{prg, f.offset})
		}
	}
	return t
}

// subjectLists names the fact list a subject comes from.
var subjectLists = map[string]string{"child": "children", "case": "cases", "booking": "bookings", "key": "keys"}

// flipProgram compiles src once per Env: rules that differ only in their numbers share it.
func (e *Env) flipProgram(src, subject string) (*Program, error) {
	e.flipsMu.Lock()
	defer e.flipsMu.Unlock()
	if p, ok := e.flips[subject+"\x00"+src]; ok {
		return p, nil
	}
	env := e.subj[subject]
	checked, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return nil, iss.Err()
	}
	prg, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, err
	}
	p := &Program{Source: src, prg: prg}
	if e.flips == nil {
		e.flips = map[string]*Program{}
	}
	e.flips[subject+"\x00"+src] = p
	return p, nil
}

// walk looks for `now` under x: inside a comparison linear in the day it records a flip;
// anywhere else it makes the rule daily.
func (a *analyser) walk(x celast.Expr, scopes []scope) {
	if a.daily || !a.readsNow(x, scopes) {
		return
	}
	switch x.Kind() {
	case celast.IdentKind:
		a.daily = true // `now` itself, not compared
	case celast.SelectKind:
		a.walk(x.AsSelect().Operand(), scopes)
	case celast.CallKind:
		call := x.AsCall()
		if a.comparison(x, scopes) {
			return
		}
		if call.IsMemberFunction() {
			a.walk(call.Target(), scopes)
		}
		for _, arg := range call.Args() {
			a.walk(arg, scopes)
		}
	case celast.ListKind:
		for _, el := range x.AsList().Elements() {
			a.walk(el, scopes)
		}
	case celast.MapKind:
		for _, en := range x.AsMap().Entries() {
			a.walk(en.AsMapEntry().Key(), scopes)
			a.walk(en.AsMapEntry().Value(), scopes)
		}
	case celast.StructKind:
		for _, f := range x.AsStruct().Fields() {
			a.walk(f.AsStructField().Value(), scopes)
		}
	case celast.ComprehensionKind:
		c := x.AsComprehension()
		a.walk(c.IterRange(), scopes)
		a.walk(c.AccuInit(), scopes)
		if c.HasIterVar2() || a.readsNow(c.IterRange(), scopes) {
			// The flips inside would be computed over the range as it is today, not over every
			// element the range may hold on another day.
			if a.readsNow(c.LoopCondition(), scopes) || a.readsNow(c.LoopStep(), scopes) || a.readsNow(c.Result(), scopes) {
				a.daily = true
			}
			return
		}
		inner := append(slices.Clip(scopes), scope{iterVar: c.IterVar(), accuVar: c.AccuVar(), iterRange: c.IterRange()})
		a.walk(c.LoopCondition(), inner)
		a.walk(c.LoopStep(), inner)
		a.walk(c.Result(), scopes)
	default:
		a.daily = true // a literal cannot read now; anything new in CEL is daily until understood
	}
}

// comparison records the flip of x when it is a comparison whose sides are linear in the day.
func (a *analyser) comparison(x celast.Expr, scopes []scope) bool {
	call := x.AsCall()
	switch call.FunctionName() {
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals, operators.Equals, operators.NotEquals:
	default:
		return false
	}
	args := call.Args()
	if len(args) != 2 {
		return false
	}
	l, okL := a.linear(args[0], scopes)
	r, okR := a.linear(args[1], scopes)
	if !okL || !okR {
		return false
	}
	d := l.plus(r, -1)
	switch d.coef {
	case 0: // the day cancels out: the comparison does not change with time
		return true
	case 1: // day + src + k crosses 0 on day -src - k
		d = lin{src: negate(d.src), k: -d.k}
	case -1: // src + k - day crosses 0 on day src + k
	default:
		return false
	}
	if a.readsLoopOrEvent(args, scopes) {
		return false
	}
	src := d.src
	if src == "" {
		src = "0"
	}
	for i := len(scopes) - 1; i >= 0; i-- {
		rng, err := a.source(scopes[i].iterRange)
		if err != nil {
			return false
		}
		src = fmt.Sprintf("(%s).map(%s, %s)", rng, scopes[i].iterVar, src)
	}
	a.flips = append(a.flips, flipSource{src: src, offset: d.k})
	return true
}

// lin is coef × day + src + k, in days; src is CEL source that does not read now ("" for 0),
// k the literal numbers added up.
type lin struct {
	coef int
	src  string
	k    int64
}

// plus is l + sign × r.
func (l lin) plus(r lin, sign int) lin {
	out := lin{coef: l.coef + sign*r.coef, k: l.k + int64(sign)*r.k, src: l.src}
	switch {
	case r.src == "":
	case l.src == "" && sign < 0:
		out.src = negate(r.src)
	case l.src == "":
		out.src = r.src
	case sign < 0:
		out.src = "(" + l.src + ") - (" + r.src + ")"
	default:
		out.src = "(" + l.src + ") + (" + r.src + ")"
	}
	return out
}

func negate(src string) string {
	if src == "" {
		return ""
	}
	return "-(" + src + ")"
}

// linear writes x, an int or a timestamp (as its day number), as a lin: literal numbers go into
// k, the day into coef, and what neither reads is kept as source.
func (a *analyser) linear(x celast.Expr, scopes []scope) (lin, bool) {
	typ := a.ast.GetType(x.ID())
	isInt, isTime := typ.IsExactType(types.IntType), typ.IsExactType(types.TimestampType)
	if !isInt && !isTime {
		return lin{}, false
	}
	switch x.Kind() {
	case celast.LiteralKind:
		if n, ok := x.AsLiteral().(types.Int); ok {
			return lin{k: int64(n)}, true
		}
	case celast.IdentKind:
		if x.AsIdent() == "now" && a.readsNow(x, scopes) {
			return lin{coef: 1}, true
		}
	case celast.CallKind:
		if l, ok, known := a.linearCall(x.AsCall(), isInt, isTime, scopes); known {
			return l, ok
		}
	}
	if a.readsNow(x, scopes) {
		return lin{}, false
	}
	src, err := a.source(x)
	if err != nil {
		return lin{}, false
	}
	if isTime {
		src = fmt.Sprintf(epochDays, src)
	}
	return lin{src: src}, true
}

// linearCall is linear for the calls it can take apart (known): differences of days, days added,
// sums, differences and negations of ints.
func (a *analyser) linearCall(call celast.CallExpr, isInt, isTime bool, scopes []scope) (out lin, ok, known bool) {
	args := call.Args()
	if call.IsMemberFunction() {
		return lin{}, false, false
	}
	combine := func(x, y celast.Expr, sign int) (lin, bool, bool) {
		l, okL := a.linear(x, scopes)
		r, okR := a.linear(y, scopes)
		return l.plus(r, sign), okL && okR, true
	}
	switch {
	case call.FunctionName() == "daysBetween" && len(args) == 2: // to − from
		return combine(args[1], args[0], -1)
	case call.FunctionName() == "addDays" && len(args) == 2 && isTime:
		return combine(args[0], args[1], 1)
	case call.FunctionName() == operators.Add && len(args) == 2 && isInt:
		return combine(args[0], args[1], 1)
	case call.FunctionName() == operators.Subtract && len(args) == 2 && isInt:
		return combine(args[0], args[1], -1)
	case call.FunctionName() == operators.Negate && len(args) == 1 && isInt:
		v, ok := a.linear(args[0], scopes)
		return lin{}.plus(v, -1), ok, true
	}
	return lin{}, false, false
}

// readsNow says whether x reads the variable now (not a comprehension variable of that name).
func (a *analyser) readsNow(x celast.Expr, scopes []scope) bool {
	if slices.ContainsFunc(scopes, func(s scope) bool { return s.iterVar == "now" || s.accuVar == "now" }) {
		return false
	}
	return reads(x, func(name string) bool { return name == "now" })
}

// readsLoopOrEvent says whether any of xs reads a comprehension's accumulator (its value depends
// on the elements before: the flip cannot be computed for one element alone) or the event (an
// event rule's condition is re-checked on a stored event, not today's).
func (a *analyser) readsLoopOrEvent(xs []celast.Expr, scopes []scope) bool {
	return slices.ContainsFunc(xs, func(x celast.Expr) bool {
		return reads(x, func(name string) bool {
			return name == "event" || slices.ContainsFunc(scopes, func(s scope) bool { return s.accuVar == name })
		})
	})
}

// reads says whether an identifier under x matches.
func reads(x celast.Expr, match func(string) bool) bool {
	found := false
	celast.PreOrderVisit(x, celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.IdentKind && match(e.AsIdent()) {
			found = true
		}
	}))
	return found
}

// source is x as CEL source.
func (a *analyser) source(x celast.Expr) (string, error) {
	return parser.Unparse(x, a.ast.SourceInfo())
}

// flipDays adds to days every day number v holds (an int, or lists of them, nested).
func flipDays(v ref.Val, days []int64) []int64 {
	switch v := v.(type) {
	case types.Int:
		return append(days, int64(v))
	case traits.Lister:
		for it := v.Iterator(); it.HasNext() == types.True; {
			days = flipDays(it.Next(), days)
		}
	}
	return days
}
