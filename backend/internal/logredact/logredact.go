// Package logredact is the one net under every log line: a slog handler that passes each
// record's message and string values through a list of rewrites before the next handler writes
// it. The callers that build the portal's logger choose the rewrites (national identity numbers,
// API keys); the handler does not know what it hides.
package logredact

import (
	"context"
	"fmt"
	"log/slog"
)

// Rewrite returns s with whatever must not be logged replaced. It must leave a string with
// nothing to hide as it is, and rewriting twice must change nothing more.
type Rewrite func(s string) string

type handler struct {
	next     slog.Handler
	rewrites []Rewrite
}

// New wraps log so every line it writes passes rewrites. Wrapping a logger New already wrapped
// adds the rewrites to the same layer rather than a second one.
func New(log *slog.Logger, rewrites ...Rewrite) *slog.Logger {
	if log == nil {
		return nil
	}
	if h, ok := log.Handler().(handler); ok {
		if len(rewrites) == 0 {
			return log
		}
		return slog.New(handler{next: h.next, rewrites: append(h.rewrites[:len(h.rewrites):len(h.rewrites)], rewrites...)})
	}
	return slog.New(handler{next: log.Handler(), rewrites: rewrites})
}

func (h handler) rewrite(s string) string {
	for _, r := range h.rewrites {
		s = r(s)
	}
	return s
}

func (h handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.rewrite(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	rewritten := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		rewritten[i] = h.attr(a)
	}
	return handler{next: h.next.WithAttrs(rewritten), rewrites: h.rewrites}
}

func (h handler) WithGroup(name string) slog.Handler {
	return handler{next: h.next.WithGroup(name), rewrites: h.rewrites}
}

// attr rewrites strings, errors, Stringers, byte slices and groups; numbers, times and bools
// stay as they are (an int64 can hold 11 digits, but nothing logged as a number comes from a
// request).
func (h handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.rewrite(v.String()))
	case slog.KindGroup:
		group := v.Group()
		rewritten := make([]any, len(group))
		for i, g := range group {
			rewritten[i] = h.attr(g)
		}
		return slog.Group(a.Key, rewritten...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, h.rewrite(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, h.rewrite(x.String()))
		case []byte:
			return slog.String(a.Key, h.rewrite(string(x)))
		}
		return slog.String(a.Key, h.rewrite(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
