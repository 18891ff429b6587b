package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
)

const outboxUsage = `Usage:
  minside outbox status                  messages per topic and state, and why the last one of each topic gave up
  minside outbox requeue --topic <topic> send every given-up message of a topic again, from its first attempt

Topics: notify, push, webhook. Requeue once the cause is fixed (an agency's webhook endpoint is up again,
a push service answers): given-up messages are kept 30 days.
`

var outboxTopics = []string{outbox.TopicNotify, outbox.TopicPush, outbox.TopicWebhook}

// outboxCommand lets an operator see what the outbox holds and send given-up messages again.
func outboxCommand(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(outboxUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("outbox "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	topic := fs.String("topic", "", "notify, push or webhook")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errors.New(outboxUsage)
	}
	if sub != "status" && sub != "requeue" {
		return fmt.Errorf("unknown outbox command %q\n\n%s", sub, outboxUsage)
	}
	if sub == "requeue" && !slices.Contains(outboxTopics, *topic) {
		return fmt.Errorf("outbox requeue: --topic must be one of %s\n\n%s", strings.Join(outboxTopics, ", "), outboxUsage)
	}

	db, err := openMigrated(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "requeue" {
		n, err := outbox.RequeueDead(ctx, db, *topic, time.Now())
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "Requeued %d given-up %s message(s).\n", n, *topic)
		return err
	}
	return outboxStatus(ctx, db, stdout)
}

func outboxStatus(ctx context.Context, db *store.DB, stdout io.Writer) error {
	var counts []struct {
		Topic  string `bun:"topic"`
		Status string `bun:"status"`
		N      int    `bun:"n"`
	}
	err := db.NewSelect().Model((*outbox.Message)(nil)).Column("topic", "status").ColumnExpr("count(*) AS n").
		Group("topic", "status").Order("topic", "status").Scan(ctx, &counts)
	if err != nil {
		return fmt.Errorf("outbox status: %w", err)
	}
	if len(counts) == 0 {
		_, err := fmt.Fprintln(stdout, "The outbox is empty.")
		return err
	}
	fmt.Fprintf(stdout, "%-8s %-8s %8s\n", "topic", "state", "messages")
	for _, c := range counts {
		fmt.Fprintf(stdout, "%-8s %-8s %8d\n", c.Topic, c.Status, c.N)
	}
	for _, topic := range outboxTopics {
		var last outbox.Message
		err := db.NewSelect().Model(&last).Column("last_error", "attempts", "done_at").
			Where("topic = ? AND status = ?", topic, outbox.StatusDead).OrderExpr("done_at DESC").Limit(1).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && last.LastError == nil) {
			continue // none given up, or no reason kept
		}
		if err != nil {
			return fmt.Errorf("outbox status: last %s given up: %w", topic, err)
		}
		fmt.Fprintf(stdout, "Last %s given up after %d attempt(s): %s\n", topic, last.Attempts, firstLine(*last.LastError, 200))
	}
	return nil
}

// firstLine keeps an error readable in a terminal: its first line, at most max runes.
func firstLine(s string, max int) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
