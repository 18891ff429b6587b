package push

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// The aes128gcm content coding (RFC 8188) as web push uses it (RFC 8291): one record, preceded by
// a header of salt (16) | record size (4, big-endian) | key id length (1) | key id, where the key
// id is the sender's ephemeral public key (65 bytes, uncompressed P-256).
const (
	saltLen   = 16
	headerLen = saltLen + 4 + 1 + 65
	tagLen    = 16 // AES-GCM authentication tag
	// bodyLen is the length of every body Sender posts: one full record, so the length of the
	// ciphertext never tells an observer how long the message is.
	bodyLen = RecordSize
	// maxRecordPayload is the most a RecordSize body carries: the rest is header, tag and the
	// one-byte padding delimiter (RecordSize − 103).
	maxRecordPayload = bodyLen - headerLen - tagLen - 1
)

// errNotEncryptable means the stored subscription's keys cannot be used: p256dh is not a point
// on P-256 or auth is not 16 bytes.
var errNotEncryptable = errors.New("push: encrypt: subscription keys are unusable")

// encrypt seals payload for one subscriber (uaPublic: the 65-byte p256dh; authSecret: the 16-byte
// auth) in a body of exactly bodyLen bytes, with a fresh ephemeral key pair and salt: RFC 8291
// derives the content key from both, so reusing either would reuse a key and nonce.
func encrypt(payload, uaPublic, authSecret []byte) ([]byte, error) {
	asPrivate, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("push: encrypt: ephemeral key: %w", err)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("push: encrypt: salt: %w", err)
	}
	return seal(payload, uaPublic, authSecret, asPrivate, salt, RecordSize, bodyLen-headerLen-tagLen)
}

// seal is encrypt with the sender's key pair, the salt, the record size and the padded plaintext
// length (payload, the 0x02 last-record delimiter, then zeros) given, so a test can reproduce
// RFC 8291's worked example byte for byte. Per RFC 8291 §3.3–3.4:
//
//	ecdh_secret = ECDH(as_private, ua_public)
//	IKM   = HKDF(salt: auth_secret, ikm: ecdh_secret, info: "WebPush: info\0" ‖ ua_public ‖ as_public, 32)
//	PRK   = HKDF-Extract(salt, IKM)
//	CEK   = HKDF-Expand(PRK, "Content-Encoding: aes128gcm\0", 16)
//	NONCE = HKDF-Expand(PRK, "Content-Encoding: nonce\0", 12)   (record 0: no sequence XOR)
func seal(payload, uaPublic, authSecret []byte, asPrivate *ecdh.PrivateKey, salt []byte, recordSize, plainLen int) ([]byte, error) {
	if len(payload)+1 > plainLen || plainLen+tagLen > recordSize {
		return nil, fmt.Errorf("%w: %d bytes do not fit one %d-byte record", ErrPayloadTooLarge, len(payload), recordSize)
	}
	if len(authSecret) != 16 || len(uaPublic) != 65 {
		return nil, errNotEncryptable
	}
	if len(salt) != saltLen {
		return nil, fmt.Errorf("push: encrypt: salt of %d bytes, want %d", len(salt), saltLen)
	}
	ua, err := ecdh.P256().NewPublicKey(uaPublic)
	if err != nil {
		return nil, fmt.Errorf("%w: p256dh: %w", errNotEncryptable, err)
	}
	ecdhSecret, err := asPrivate.ECDH(ua)
	if err != nil {
		return nil, fmt.Errorf("%w: ecdh: %w", errNotEncryptable, err)
	}
	asPublic := asPrivate.PublicKey().Bytes()
	keyInfo := make([]byte, 0, 14+65+65)
	keyInfo = append(append(append(keyInfo, "WebPush: info\x00"...), uaPublic...), asPublic...)
	ikm, err := hkdf.Key(sha256.New, ecdhSecret, authSecret, string(keyInfo), 32)
	if err != nil {
		return nil, fmt.Errorf("push: encrypt: %w", err)
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, fmt.Errorf("push: encrypt: %w", err)
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, fmt.Errorf("push: encrypt: %w", err)
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, fmt.Errorf("push: encrypt: %w", err)
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, fmt.Errorf("push: encrypt: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("push: encrypt: %w", err)
	}

	body := make([]byte, headerLen+plainLen, headerLen+plainLen+tagLen)
	copy(body, salt)
	binary.BigEndian.PutUint32(body[saltLen:], uint32(recordSize))
	body[saltLen+4] = byte(len(asPublic))
	copy(body[saltLen+5:], asPublic)
	plain := body[headerLen:]
	copy(plain, payload)
	plain[len(payload)] = 0x02 // the rest is already the zero padding
	gcm.Seal(plain[:0], nonce, plain, nil)
	return body[:cap(body)], nil
}
