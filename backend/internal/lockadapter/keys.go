package lockadapter

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// ParseJWKS returns the Ed25519 keys of a JSON Web Key Set (the portal's door token keys, as
// `minside facility lock portal-key` prints them).
func ParseJWKS(data []byte) ([]ed25519.PublicKey, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("lockadapter: JWKS: %w", err)
	}
	var out []ed25519.PublicKey
	for _, k := range set.Keys {
		if pub, ok := k.Key.(ed25519.PublicKey); ok {
			out = append(out, pub)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("lockadapter: the JWKS holds no Ed25519 key")
	}
	return out, nil
}

// LoadJWKS reads a JWKS from a file, or from an https URL with client.
func LoadJWKS(ctx context.Context, source string, client *http.Client) ([]ed25519.PublicKey, error) {
	if !strings.HasPrefix(source, "https://") {
		data, err := os.ReadFile(source)
		if err != nil {
			return nil, fmt.Errorf("lockadapter: JWKS: %w", err)
		}
		return ParseJWKS(data)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, http.NoBody)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("lockadapter: JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("lockadapter: JWKS: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("lockadapter: JWKS: %w", err)
	}
	return ParseJWKS(data)
}

// LoadOrCreateKey reads the adapter's signing key (base64 of its 32-byte seed) from path, or
// creates one there (mode 0600) when the file does not exist.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(seed)+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("lockadapter: write key: %w", err)
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	if err != nil {
		return nil, fmt.Errorf("lockadapter: read key: %w", err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("lockadapter: %s is not a base64 Ed25519 seed", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
