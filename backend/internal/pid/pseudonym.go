package pid

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// MinKeyLen is the shortest pseudonym key accepted: 32 random bytes, as for HMAC-SHA256's block strength.
const MinKeyLen = 32

// Pseudonymizer turns an identity number into the stable keyed pseudonym the database stores
// (citizens.pid_hash). A plain hash would be reversible by trying every valid number (there are only
// a few hundred million), so the HMAC key is a secret from configuration; losing or rotating it
// orphans every stored citizen.
type Pseudonymizer struct {
	key []byte
}

// NewPseudonymizer copies key; it refuses keys shorter than MinKeyLen.
func NewPseudonymizer(key []byte) (*Pseudonymizer, error) {
	if len(key) < MinKeyLen {
		return nil, errors.New("pid: pseudonym key must be at least 32 bytes")
	}
	return &Pseudonymizer{key: append([]byte(nil), key...)}, nil
}

// Pseudonym returns hex(HMAC-SHA256(key, number)), 64 lowercase hex characters. Surrounding spaces
// are ignored so " 01019012345" and "01019012345" map to one citizen; validate with Parse first.
func (p *Pseudonymizer) Pseudonym(number string) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(strings.TrimSpace(number)))
	return hex.EncodeToString(m.Sum(nil))
}
