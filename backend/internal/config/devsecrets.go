package config

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DevSecrets are generated once into the data folder so that a dev portal keeps its pseudonyms,
// sessions and push subscriptions across restarts without anyone configuring keys.
type DevSecrets struct {
	PIDKey           string `json:"pidKey"`
	OIDCClientSecret string `json:"oidcClientSecret"`
	DoorTokenKey     string `json:"doorTokenKey,omitempty"`
	VAPIDPublicKey   string `json:"vapidPublicKey,omitempty"`
	VAPIDPrivateKey  string `json:"vapidPrivateKey,omitempty"`
}

// VAPIDGenerator makes a VAPID key pair (public, private), base64url as browsers expect.
type VAPIDGenerator func() (public, private string, err error)

// FillDevSecrets loads <DataDir>/dev-secrets.json, creating what is missing, and fills every
// secret the configuration left empty. Only for dev mode; production must configure its secrets.
func (c *Config) FillDevSecrets(genVAPID VAPIDGenerator) error {
	if !c.Dev() {
		return errors.New("config: dev secrets requested outside dev mode")
	}
	path := filepath.Join(c.DataDir, "dev-secrets.json")
	var s DevSecrets
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("config: %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("config: read %s: %w", path, err)
	}
	changed := false
	for _, v := range []*string{&s.PIDKey, &s.OIDCClientSecret, &s.DoorTokenKey} {
		if *v == "" {
			if *v, err = randomHex(32); err != nil {
				return err
			}
			changed = true
		}
	}
	if s.VAPIDPublicKey == "" && genVAPID != nil {
		if s.VAPIDPublicKey, s.VAPIDPrivateKey, err = genVAPID(); err != nil {
			return fmt.Errorf("config: generate VAPID keys: %w", err)
		}
		changed = true
	}
	if changed {
		if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
			return fmt.Errorf("config: create %s: %w", c.DataDir, err)
		}
		out, _ := json.MarshalIndent(s, "", "  ")
		if err := os.WriteFile(path, out, 0o600); err != nil {
			return fmt.Errorf("config: write %s: %w", path, err)
		}
	}
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&c.PIDKey, s.PIDKey)
	fill(&c.OIDCClientSecret, s.OIDCClientSecret)
	fill(&c.DoorTokenKey, s.DoorTokenKey)
	if c.VAPIDPublicKey == "" {
		c.VAPIDPublicKey, c.VAPIDPrivateKey = s.VAPIDPublicKey, s.VAPIDPrivateKey
	}
	return nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("config: random: %w", err)
	}
	return hex.EncodeToString(b), nil
}
