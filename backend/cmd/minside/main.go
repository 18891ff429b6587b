// Command minside is the Min side portal: one binary that serves the citizen API, the agency API
// and the progressive web app, and carries the operator's subcommands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "minside:", err)
		os.Exit(1)
	}
}
