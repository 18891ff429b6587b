package push_test

import (
	"os"
	"syscall"
	"testing"
	"time"

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

// processCPU is this process's user+system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
