package push

import "time"

// Encrypt lets the external tests open what the sender's encryption produces with pushtest's
// decryptor, which is written independently from the RFC.
func Encrypt(payload, p256dh, auth []byte) ([]byte, error) { return encrypt(payload, p256dh, auth) }

// SetVAPIDClock replaces the wall clock the sender's VAPID tokens are dated by; call it before
// the first send.
func SetVAPIDClock(s *Sender, now func() time.Time) { s.vapid.now = now }
