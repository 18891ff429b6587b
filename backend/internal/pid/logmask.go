package pid

import (
	"context"
	"fmt"
	"log/slog"
)

// maskingHandler masks every run of 11 or more digits in a record's message and string values
// before the next handler writes it. The access log masks the path itself; this is the net under
// everything else a request or an agency record can put into a log line (a path in a refusal, a
// value quoted by an error, an external id in a failed delivery).
type maskingHandler struct{ next slog.Handler }

// MaskLogs wraps a logger so no line it writes carries a run of 11 digits (a national identity
// number). Wrapping twice is harmless.
func MaskLogs(log *slog.Logger) *slog.Logger {
	if log == nil {
		return nil
	}
	if _, ok := log.Handler().(maskingHandler); ok {
		return log
	}
	return slog.New(maskingHandler{next: log.Handler()})
}

func (h maskingHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h maskingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, MaskDigitRuns(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h maskingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = maskAttr(a)
	}
	return maskingHandler{next: h.next.WithAttrs(masked)}
}

func (h maskingHandler) WithGroup(name string) slog.Handler {
	return maskingHandler{next: h.next.WithGroup(name)}
}

// maskAttr masks strings, errors, Stringers and groups; numbers stay as they are (an int64 can
// hold 11 digits, but nothing the web layer logs as a number comes from a request).
func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, MaskDigitRuns(v.String()))
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
			return slog.String(a.Key, MaskDigitRuns(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, MaskDigitRuns(x.String()))
		case []byte:
			return slog.String(a.Key, MaskDigitRuns(string(x)))
		}
		return slog.String(a.Key, MaskDigitRuns(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
