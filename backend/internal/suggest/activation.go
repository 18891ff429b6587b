package suggest

import (
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
)

// Activation is one person's facts as CEL values, converted once for every rule evaluated over
// them: each list's items too (a list adapted lazily converts an item again on every access, in
// every rule), so a rule's subject is an item already converted. It is what conditions and
// why-text placeholders resolve their variables in, without a map built per evaluation.
type Activation struct {
	vars    map[string]ref.Val
	items   map[string][]ref.Val // list name → its items, for subjects
	subject string               // the rule's subject variable while one is tried ("" for person rules)
	value   ref.Val
}

var _ interpreter.Activation = (*Activation)(nil)

// Activation converts f's facts.
func (e *Env) Activation(f *Facts) *Activation {
	adapter := e.base.CELTypeAdapter()
	a := &Activation{items: map[string][]ref.Val{
		"children": converted(adapter, f.Children), "cases": converted(adapter, f.Cases),
		"bookings": converted(adapter, f.Bookings), "keys": converted(adapter, f.Keys), "relations": converted(adapter, f.Relations),
	}}
	a.vars = map[string]ref.Val{"person": adapter.NativeToValue(f.Person), "event": adapter.NativeToValue(f.Event), "now": adapter.NativeToValue(f.Now)}
	for name, items := range a.items {
		a.vars[name] = types.NewRefValList(adapter, items)
	}
	return a
}

func converted[T any](adapter types.Adapter, items []T) []ref.Val {
	out := make([]ref.Val, len(items))
	for i, it := range items {
		out[i] = adapter.NativeToValue(it)
	}
	return out
}

// SetEvent makes ev the event the rules see.
func (e *Env) SetEvent(a *Activation, ev Event) {
	a.vars["event"] = e.base.CELTypeAdapter().NativeToValue(ev)
}

// ResolveName implements interpreter.Activation.
func (a *Activation) ResolveName(name string) (any, bool) {
	if a.subject != "" && name == a.subject {
		return a.value, true
	}
	v, ok := a.vars[name]
	return v, ok
}

// Parent implements interpreter.Activation: there is none.
func (a *Activation) Parent() interpreter.Activation { return nil }
