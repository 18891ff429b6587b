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
