package web

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
)

// API keys must never reach a log line. The access log leaves out the query string and never
// logs a body, but a key can still arrive inside an error's text (a client that sends its key
// where an id belongs, a backend error quoting a parameter). secretsHandler is the net under
// that: it redacts agency API keys ("ms_<prefix>_<secret>": the prefix, which names the key in
// listings, stays) and the value of any api_key parameter (Open311 clients send their key so)
// in every message and string value before the next handler writes it.
type secretsHandler struct{ next slog.Handler }

var (
	agencyKeyPattern   = regexp.MustCompile(`\bms_([0-9a-f]{8})_[A-Za-z0-9_-]+`)
	apiKeyParamPattern = regexp.MustCompile(`(?i)(api_key=)[^&\s"']+`)
)

// redactSecrets returns s with every API key and api_key parameter value replaced.
func redactSecrets(s string) string {
	s = agencyKeyPattern.ReplaceAllString(s, "ms_${1}_[redacted]")
	return apiKeyParamPattern.ReplaceAllString(s, "${1}[redacted]")
}

// withoutSecrets wraps a logger so no line it writes carries an API key. Wrapping twice is harmless.
func withoutSecrets(log *slog.Logger) *slog.Logger {
	if log == nil {
		return nil
	}
	if _, ok := log.Handler().(secretsHandler); ok {
		return log
	}
	return slog.New(secretsHandler{next: log.Handler()})
}

func (h secretsHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h secretsHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redactSecrets(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h secretsHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	redacted := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		redacted[i] = redactAttr(a)
	}
	return secretsHandler{next: h.next.WithAttrs(redacted)}
}

func (h secretsHandler) WithGroup(name string) slog.Handler {
	return secretsHandler{next: h.next.WithGroup(name)}
}

// redactAttr redacts strings, errors, Stringers and groups; other kinds (numbers, times) cannot
// hold a key.
func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redactSecrets(v.String()))
	case slog.KindGroup:
		group := v.Group()
		redacted := make([]any, len(group))
		for i, g := range group {
			redacted[i] = redactAttr(g)
		}
		return slog.Group(a.Key, redacted...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, redactSecrets(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, redactSecrets(x.String()))
		case []byte:
			return slog.String(a.Key, redactSecrets(string(x)))
		}
		return slog.String(a.Key, redactSecrets(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
