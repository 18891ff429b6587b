package web

import (
	"context"
	"fmt"
	"log/slog"

	"minside/backend/internal/pid"
)

// pidMaskingHandler masks every run of 11 or more digits in a record's message and string
// values before the next handler writes it. The access log masks the path itself; this is the
// net under everything else a request can put into a log line (a path in a refusal, a value
// quoted by an error).
type pidMaskingHandler struct{ next slog.Handler }

// maskPIDs wraps a logger so no line of the web layer carries a national identity number.
func maskPIDs(log *slog.Logger) *slog.Logger {
	if log == nil {
		return nil
	}
	if _, ok := log.Handler().(pidMaskingHandler); ok {
		return log
	}
	return slog.New(pidMaskingHandler{next: log.Handler()})
}

func (h pidMaskingHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h pidMaskingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, pid.MaskDigitRuns(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h pidMaskingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = maskAttr(a)
	}
	return pidMaskingHandler{next: h.next.WithAttrs(masked)}
}

func (h pidMaskingHandler) WithGroup(name string) slog.Handler {
	return pidMaskingHandler{next: h.next.WithGroup(name)}
}

// maskAttr masks strings, errors, Stringers and groups; numbers stay as they are (an int64 can
// hold 11 digits, but nothing the web layer logs as a number comes from a request).
func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, pid.MaskDigitRuns(v.String()))
	case slog.KindGroup:
		group := v.Group()
		masked := make([]any, len(group))
		for i, g := range group {
			masked[i] = maskAttr(g)
		}
		return slog.Group(a.Key, masked...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, pid.MaskDigitRuns(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, pid.MaskDigitRuns(x.String()))
		case []byte:
			return slog.String(a.Key, pid.MaskDigitRuns(string(x)))
		}
		return slog.String(a.Key, pid.MaskDigitRuns(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
