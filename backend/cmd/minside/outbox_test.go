package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
)

// TestOutboxCommand: an operator sees what gave up and why, and sends it again once the
// receiver is fixed; only the given-up messages of that topic move.
func TestOutboxCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "minside.db")
	env := map[string]string{"MINSIDE_DATABASE_URL": dsn, "MINSIDE_DATA_DIR": dir, "MINSIDE_SEED_DEMO": "false", "MINSIDE_LOG_LEVEL": "warn"}
	getenv := func(k string) string { return env[k] }
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, getenv, &out)
		return out.String(), err
	}

	if out, err := cli("outbox", "status"); err != nil || !strings.Contains(out, "empty") {
		t.Fatalf("status of an empty outbox: %q, %v", out, err)
	}

	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	reason := "receiver answered 503\nbody: down for maintenance"
	message := func(topic, status string, attempts int) *outbox.Message {
		m := &outbox.Message{Topic: topic, Payload: json.RawMessage(`{}`), Status: status, Attempts: attempts,
			AvailableAt: now, CreatedAt: now}
		if status != outbox.StatusPending {
			m.DoneAt = &now
		}
		if status == outbox.StatusDead {
			m.LastError = &reason
		}
		return m
	}
	for _, m := range []*outbox.Message{
		message(outbox.TopicWebhook, outbox.StatusDead, 20),
		message(outbox.TopicWebhook, outbox.StatusDead, 20),
		message(outbox.TopicPush, outbox.StatusDead, 3),
		message(outbox.TopicNotify, outbox.StatusDone, 1),
	} {
		if _, err := db.NewInsert().Model(m).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}

	out, err := cli("outbox", "status")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"webhook  dead            2", "notify   done            1", "Last webhook given up after 20 attempt(s): receiver answered 503\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "maintenance") {
		t.Errorf("status printed more than the reason's first line:\n%s", out)
	}

	if out, err := cli("outbox", "requeue", "--topic", "webhook"); err != nil || !strings.Contains(out, "Requeued 2 given-up webhook") {
		t.Fatalf("requeue: %q, %v", out, err)
	}
	var left []outbox.Message
	if err := db.NewSelect().Model(&left).Order("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range left {
		requeued := m.Topic == outbox.TopicWebhook
		if requeued != (m.Status == outbox.StatusPending && m.Attempts == 0 && m.DoneAt == nil) {
			t.Errorf("%s message after requeue: status %s, attempts %d", m.Topic, m.Status, m.Attempts)
		}
	}

	for _, args := range [][]string{{"outbox"}, {"outbox", "frobnicate"}, {"outbox", "requeue"}, {"outbox", "requeue", "--topic", "email"}} {
		if _, err := cli(args...); err == nil || !strings.Contains(err.Error(), "Usage") {
			t.Errorf("%v: err = %v, want the usage", args, err)
		}
	}
}
