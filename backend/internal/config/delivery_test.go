package config

import (
	"strings"
	"testing"
)

func TestDeliverySettings(t *testing.T) {
	tests := []struct {
		name      string
		vars      map[string]string
		wantErr   string
		wantAllow bool
	}{
		{"private webhooks are refused by default", nil, "", false},
		{"operator allows private webhooks", map[string]string{"MINSIDE_WEBHOOK_ALLOW_PRIVATE": "true"}, "", true},
		{"a bad boolean is named", map[string]string{"MINSIDE_WEBHOOK_ALLOW_PRIVATE": "perhaps"}, "MINSIDE_WEBHOOK_ALLOW_PRIVATE", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.vars))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want an error naming %s, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil || c.WebhookAllowPrivate != tt.wantAllow {
				t.Fatalf("WebhookAllowPrivate = %v (%v), want %v", c.WebhookAllowPrivate, err, tt.wantAllow)
			}
		})
	}
}

func TestDoorTokenKey(t *testing.T) {
	c, _ := Load(env(map[string]string{"MINSIDE_ENV": "production", "MINSIDE_BASE_URL": "https://minside.example.no"}))
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "MINSIDE_DOOR_TOKEN_KEY is required") {
		t.Fatalf("production without a door token key: %v", err)
	}
	c, _ = Load(env(map[string]string{"MINSIDE_DOOR_TOKEN_KEY": "short"}))
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "MINSIDE_DOOR_TOKEN_KEY must be at least 32") {
		t.Fatalf("a short door token key: %v", err)
	}

	dev := Default()
	dev.DataDir = t.TempDir()
	if err := dev.FillDevSecrets(nil); err != nil {
		t.Fatal(err)
	}
	if len(dev.DoorTokenKey) < 32 {
		t.Fatalf("dev door token key %q", dev.DoorTokenKey)
	}
	again := Default()
	again.DataDir = dev.DataDir
	if err := again.FillDevSecrets(nil); err != nil {
		t.Fatal(err)
	}
	if again.DoorTokenKey != dev.DoorTokenKey {
		t.Fatal("the dev door token key changed between starts")
	}
}

func TestOutboxWorkerSettings(t *testing.T) {
	tests := []struct {
		name                   string
		vars                   map[string]string
		wantErr                string // in Load's error
		wantInvalid            string // in Validate's error
		wantBatch, wantWorkers int
	}{
		{"defaults", nil, "", "", 200, 16},
		{"operator tunes both", map[string]string{"MINSIDE_OUTBOX_BATCH": "50", "MINSIDE_OUTBOX_CONCURRENCY": " 8 "}, "", "", 50, 8},
		{"the bounds are allowed", map[string]string{"MINSIDE_OUTBOX_BATCH": "1", "MINSIDE_OUTBOX_CONCURRENCY": "64"}, "", "", 1, 64},
		{"a batch of none", map[string]string{"MINSIDE_OUTBOX_BATCH": "0"}, `MINSIDE_OUTBOX_BATCH: "0" must be outbox messages a worker claims at once, 1 to 1000`, "", 0, 0},
		{"a batch too big", map[string]string{"MINSIDE_OUTBOX_BATCH": "1001"}, "MINSIDE_OUTBOX_BATCH", "", 0, 0},
		{"not a number", map[string]string{"MINSIDE_OUTBOX_CONCURRENCY": "many"}, `MINSIDE_OUTBOX_CONCURRENCY: "many" must be outbox messages a worker handles at a time, 1 to 64`, "", 0, 0},
		{"too many at a time", map[string]string{"MINSIDE_OUTBOX_CONCURRENCY": "65"}, "MINSIDE_OUTBOX_CONCURRENCY", "", 0, 0},
		{"negative", map[string]string{"MINSIDE_OUTBOX_CONCURRENCY": "-1"}, "MINSIDE_OUTBOX_CONCURRENCY", "", 0, 0},
		// 1000 messages one at a time: the last could wait 1000 handler timeouts (8 h).
		{"a batch whose last message would wait for hours", map[string]string{"MINSIDE_OUTBOX_BATCH": "1000", "MINSIDE_OUTBOX_CONCURRENCY": "1"}, "", "MINSIDE_OUTBOX_BATCH (1000) must be at most 20 × MINSIDE_OUTBOX_CONCURRENCY (1)", 1000, 1},
		{"twenty rounds is the most", map[string]string{"MINSIDE_OUTBOX_BATCH": "160", "MINSIDE_OUTBOX_CONCURRENCY": "8"}, "", "", 160, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.vars))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want an error containing %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.OutboxBatch != tt.wantBatch || c.OutboxConcurrency != tt.wantWorkers {
				t.Fatalf("batch %d, concurrency %d; want %d, %d", c.OutboxBatch, c.OutboxConcurrency, tt.wantBatch, tt.wantWorkers)
			}
			err = c.Validate()
			if tt.wantInvalid == "" && err != nil {
				t.Fatalf("valid settings refused: %v", err)
			}
			if tt.wantInvalid != "" && (err == nil || !strings.Contains(err.Error(), tt.wantInvalid)) {
				t.Fatalf("want a refusal containing %q, got %v", tt.wantInvalid, err)
			}
		})
	}
}
