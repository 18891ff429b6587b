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

// decrypted is one push message body opened by the subscriber's keys.
type decrypted struct {
	plaintext  []byte
	recordSize uint32
}

// decrypt opens an RFC 8291 aes128gcm body, written independently of webpush-go so the tests
// check its output rather than re-run its code:
//
//	PRK_key = HKDF-Extract(auth_secret, ecdh_secret)
//	IKM     = HKDF-Expand(PRK_key, "WebPush: info\x00" || ua_public || as_public, 32)
//	PRK     = HKDF-Extract(salt, IKM)
//	CEK     = HKDF-Expand(PRK, "Content-Encoding: aes128gcm\x00", 16)
//	NONCE   = HKDF-Expand(PRK, "Content-Encoding: nonce\x00", 12)
//
// then AES-128-GCM, then the padding of the last record: a 0x02 delimiter followed by zeros.
func decrypt(body []byte, uaPrivate *ecdh.PrivateKey, authSecret []byte) (decrypted, error) {
	if len(body) < headerLen+16+1 {
		return decrypted{}, fmt.Errorf("body of %d bytes is shorter than one record", len(body))
	}
	salt := body[:16]
	rs := binary.BigEndian.Uint32(body[16:20])
	if body[20] != 65 {
		return decrypted{}, fmt.Errorf("idlen %d, want 65 (an uncompressed P-256 key)", body[20])
	}
	asPublicBytes := body[21:headerLen]
	ciphertext := body[headerLen:]
	if rs < 18 {
		return decrypted{}, fmt.Errorf("record size %d below the minimum 18", rs)
	}
	if uint32(len(ciphertext)) > rs {
		return decrypted{}, fmt.Errorf("ciphertext of %d bytes is more than one %d-byte record (RFC 8291 allows one)", len(ciphertext), rs)
	}
	asPublic, err := ecdh.P256().NewPublicKey(asPublicBytes)
	if err != nil {
		return decrypted{}, fmt.Errorf("sender key: %w", err)
	}
	ecdhSecret, err := uaPrivate.ECDH(asPublic)
	if err != nil {
		return decrypted{}, fmt.Errorf("ecdh: %w", err)
	}
	prkKey, err := hkdf.Extract(sha256.New, ecdhSecret, authSecret)
	if err != nil {
		return decrypted{}, err
	}
	keyInfo := "WebPush: info\x00" + string(uaPrivate.PublicKey().Bytes()) + string(asPublicBytes)
	ikm, err := hkdf.Expand(sha256.New, prkKey, keyInfo, 32)
	if err != nil {
		return decrypted{}, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return decrypted{}, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return decrypted{}, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return decrypted{}, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return decrypted{}, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return decrypted{}, err
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return decrypted{}, fmt.Errorf("aes-gcm: %w", err)
	}
	end := bytes.LastIndexFunc(plain, func(r rune) bool { return r != 0 })
	if end < 0 || plain[end] != 0x02 {
		return decrypted{}, errors.New("no 0x02 last-record padding delimiter")
	}
	return decrypted{plaintext: plain[:end], recordSize: rs}, nil
}
