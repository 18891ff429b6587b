package push

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// VAPIDKeys is the application server's key pair (RFC 8292). Both halves are base64url without
// padding, the form a browser's pushManager.subscribe({applicationServerKey}) takes and the form
// webpush-go decodes. Rotating the pair invalidates every existing subscription.
type VAPIDKeys struct {
	PublicKey  string `json:"publicKey"`  // 65-byte uncompressed P-256 point
	PrivateKey string `json:"privateKey"` // 32-byte P-256 scalar
}

// String shows the public half only, so a key pair printed or logged by mistake leaks nothing.
func (k VAPIDKeys) String() string { return "VAPIDKeys{public: " + k.PublicKey + "}" }

// GoString keeps %#v from printing the private key.
func (k VAPIDKeys) GoString() string { return k.String() }

// LogValue keeps slog from printing the private key.
func (k VAPIDKeys) LogValue() slog.Value { return slog.StringValue(k.String()) }

// GenerateVAPIDKeys makes a fresh P-256 key pair (what `minside vapid-keys` prints).
func GenerateVAPIDKeys() (VAPIDKeys, error) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("push: generate vapid keys: %w", err)
	}
	return VAPIDKeys{
		PublicKey:  base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()),
		PrivateKey: base64.RawURLEncoding.EncodeToString(priv.Bytes()),
	}, nil
}

// ParseVAPIDKeys checks that the two halves decode, are a valid P-256 pair and belong together,
// and returns them in canonical form (base64url, no padding). Padded input is accepted.
func ParseVAPIDKeys(publicKey, privateKey string) (VAPIDKeys, error) {
	if publicKey == "" || privateKey == "" {
		return VAPIDKeys{}, errors.New("push: vapid keys: both the public and the private key are required")
	}
	privBytes, err := decodeBase64URL(privateKey)
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("push: vapid private key: %w", err)
	}
	priv, err := ecdh.P256().NewPrivateKey(privBytes)
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("push: vapid private key: not a P-256 scalar: %w", err)
	}
	pubBytes, err := decodeBase64URL(publicKey)
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("push: vapid public key: %w", err)
	}
	pub, err := ecdh.P256().NewPublicKey(pubBytes)
	if err != nil || len(pubBytes) != 65 {
		return VAPIDKeys{}, errors.New("push: vapid public key: not an uncompressed P-256 point")
	}
	if !pub.Equal(priv.PublicKey()) {
		return VAPIDKeys{}, errors.New("push: vapid keys: the public key does not belong to the private key")
	}
	return VAPIDKeys{
		PublicKey:  base64.RawURLEncoding.EncodeToString(pubBytes),
		PrivateKey: base64.RawURLEncoding.EncodeToString(privBytes),
	}, nil
}

// LoadOrGenerateVAPIDKeys reads a key pair from a JSON file ({"publicKey","privateKey"}), or, when
// the file does not exist, generates one and writes it with mode 0600. It is for dev mode, where
// the data folder holds the keys; production passes the keys in through configuration.
// created reports whether a new pair was written.
func LoadOrGenerateVAPIDKeys(path string) (keys VAPIDKeys, created bool, err error) {
	data, err := os.ReadFile(path)
	if err == nil {
		var stored VAPIDKeys
		if err := json.Unmarshal(data, &stored); err != nil {
			return VAPIDKeys{}, false, fmt.Errorf("push: read vapid keys %s: %w", path, err)
		}
		keys, err := ParseVAPIDKeys(stored.PublicKey, stored.PrivateKey)
		if err != nil {
			return VAPIDKeys{}, false, fmt.Errorf("push: read vapid keys %s: %w", path, err)
		}
		return keys, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return VAPIDKeys{}, false, fmt.Errorf("push: read vapid keys: %w", err)
	}
	keys, err = GenerateVAPIDKeys()
	if err != nil {
		return VAPIDKeys{}, false, err
	}
	data, err = json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return VAPIDKeys{}, false, fmt.Errorf("push: encode vapid keys: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return VAPIDKeys{}, false, fmt.Errorf("push: write vapid keys: %w", err)
	}
	// O_EXCL: if another process created the file meanwhile, keep its keys rather than overwrite them.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrGenerateVAPIDKeys(path)
	}
	if err != nil {
		return VAPIDKeys{}, false, fmt.Errorf("push: write vapid keys: %w", err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return VAPIDKeys{}, false, fmt.Errorf("push: write vapid keys: %w", err)
	}
	if err := f.Close(); err != nil {
		return VAPIDKeys{}, false, fmt.Errorf("push: write vapid keys: %w", err)
	}
	return keys, true, nil
}

// decodeBase64URL accepts the url-safe alphabet with or without padding, nothing else: every
// browser's PushSubscription.toJSON() and every VAPID tool emits that form.
func decodeBase64URL(s string) ([]byte, error) {
	if len(s) > 0 && s[len(s)-1] == '=' {
		return base64.URLEncoding.Strict().DecodeString(s)
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}
