package pushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// headerLen is salt(16) | rs(4) | idlen(1) | keyid(65): the aes128gcm header of RFC 8291 §4.
const headerLen = 16 + 4 + 1 + 65

// Opened is one push message body opened by the subscriber's keys.
type Opened struct {
	Plaintext  []byte
	RecordSize uint32
	Salt       []byte // from the header: RFC 8291 wants a fresh one per message
	SenderKey  []byte // the sender's ephemeral public key (the header's key id), fresh per message too
}

// Decrypt opens an RFC 8291 aes128gcm body with the subscriber's private key and auth secret.
// It is written from the RFC, independently of any sender (push's own and webpush-go), so tests
// check a sender's output rather than re-run its code:
//
//	PRK_key = HKDF-Extract(auth_secret, ecdh_secret)
//	IKM     = HKDF-Expand(PRK_key, "WebPush: info\x00" || ua_public || as_public, 32)
//	PRK     = HKDF-Extract(salt, IKM)
//	CEK     = HKDF-Expand(PRK, "Content-Encoding: aes128gcm\x00", 16)
//	NONCE   = HKDF-Expand(PRK, "Content-Encoding: nonce\x00", 12)
//
// then AES-128-GCM, then the padding of the last record: a 0x02 delimiter followed by zeros.
func Decrypt(body []byte, uaPrivate *ecdh.PrivateKey, authSecret []byte) (Opened, error) {
	if len(body) < headerLen+16+1 {
		return Opened{}, fmt.Errorf("body of %d bytes is shorter than one record", len(body))
	}
	salt := body[:16]
	rs := binary.BigEndian.Uint32(body[16:20])
	if body[20] != 65 {
		return Opened{}, fmt.Errorf("idlen %d, want 65 (an uncompressed P-256 key)", body[20])
	}
	asPublicBytes := body[21:headerLen]
	ciphertext := body[headerLen:]
	if rs < 18 {
		return Opened{}, fmt.Errorf("record size %d below the minimum 18", rs)
	}
	if uint32(len(ciphertext)) > rs {
		return Opened{}, fmt.Errorf("ciphertext of %d bytes is more than one %d-byte record (RFC 8291 allows one)", len(ciphertext), rs)
	}
	asPublic, err := ecdh.P256().NewPublicKey(asPublicBytes)
	if err != nil {
		return Opened{}, fmt.Errorf("sender key: %w", err)
	}
	ecdhSecret, err := uaPrivate.ECDH(asPublic)
	if err != nil {
		return Opened{}, fmt.Errorf("ecdh: %w", err)
	}
	prkKey, err := hkdf.Extract(sha256.New, ecdhSecret, authSecret)
	if err != nil {
		return Opened{}, err
	}
	keyInfo := "WebPush: info\x00" + string(uaPrivate.PublicKey().Bytes()) + string(asPublicBytes)
	ikm, err := hkdf.Expand(sha256.New, prkKey, keyInfo, 32)
	if err != nil {
		return Opened{}, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return Opened{}, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return Opened{}, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return Opened{}, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return Opened{}, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return Opened{}, err
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return Opened{}, fmt.Errorf("aes-gcm: %w", err)
	}
	end := bytes.LastIndexFunc(plain, func(r rune) bool { return r != 0 })
	if end < 0 || plain[end] != 0x02 {
		return Opened{}, errors.New("no 0x02 last-record padding delimiter")
	}
	return Opened{Plaintext: plain[:end], RecordSize: rs, Salt: salt, SenderKey: asPublicBytes}, nil
}
