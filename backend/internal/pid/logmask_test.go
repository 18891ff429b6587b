package pid

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestMaskLogs(t *testing.T) {
	const number = "01019012480"
	var buf bytes.Buffer
	log := MaskLogs(slog.New(slog.NewJSONHandler(&buf, nil)))
	if MaskLogs(log) != log {
		t.Error("wrapping twice added a layer")
	}
	log.With("path", "/cases/"+number).WithGroup("req").Info("no citizen "+number,
		"err", errors.New("lookup "+number+" failed"),
		"id", Number{digits: number}, // a Stringer
		"raw", []byte(number),
		"n", 42,
		slog.Group("inner", "q", "pid="+number),
	)
	out := buf.String()
	if HasDigitRun(out) {
		t.Fatalf("a number is in the log: %s", out)
	}
	for _, want := range []string{`"path":"/cases/***********"`, `"n":42`, `"q":"pid=***********"`, `no citizen ***********`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
}
