package lockadapter

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"
)

// Output drives the physical lock: Open releases door for a moment. It must return within ctx.
type Output interface {
	Open(ctx context.Context, door string) error
}

// HealthReporter is an Output that knows when a door cannot open (the manifest says so).
type HealthReporter interface {
	Healthy(door string) bool
}

// LogOutput writes "open <door>" lines: for trying the protocol without hardware.
type LogOutput struct {
	mu sync.Mutex
	w  io.Writer
}

// NewLogOutput writes to w.
func NewLogOutput(w io.Writer) *LogOutput { return &LogOutput{w: w} }

// Open writes the line.
func (o *LogOutput) Open(_ context.Context, door string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, err := fmt.Fprintf(o.w, "open %s\n", door)
	return err
}

// ExecOutput runs a command with the door as its last argument: a GPIO tool (gpioset), a relay
// board's CLI, a vendor's script. A non-zero exit or running past the budget is a failure.
type ExecOutput struct {
	name string
	args []string
}

// NewExecOutput runs name with args and then the door.
func NewExecOutput(name string, args ...string) *ExecOutput {
	return &ExecOutput{name: name, args: args}
}

// Open runs the command.
func (o *ExecOutput) Open(ctx context.Context, door string) error {
	cmd := exec.CommandContext(ctx, o.name, append(append([]string(nil), o.args...), door)...)
	// A child the command left behind may hold its output open: stop waiting for it soon after
	// the budget, or a hung script would hang the answer too.
	cmd.WaitDelay = 200 * time.Millisecond
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("lockadapter: %s: %w (%.200s)", o.name, err, out)
	}
	return nil
}
