package push_test

import (
	"os"
	"testing"

	"minside/backend/internal/push/pushtest"
)

// TestMain lets the benchmarks start this binary as a loopback sink in a child process, so the
// sender's CPU can be measured without the fake's.
func TestMain(m *testing.M) {
	if child, code := pushtest.ServeSinkIfChild(); child {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
