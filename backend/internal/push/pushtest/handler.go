package pushtest

import (
	"context"
	"crypto/ecdh"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"minside/backend/internal/push"
)

// WaitMessages blocks until sub has accepted at least n messages or ctx ends, for tests of
// asynchronous senders such as outbox workers.
func (s *Server) WaitMessages(ctx context.Context, sub push.Subscription, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		var got []Message
		if st := s.lookup(sub); st != nil {
			got = append(got, st.messages...)
		}
		changed := s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return got, fmt.Errorf("pushtest: %d of %d messages before %w", len(got), n, ctx.Err())
		case <-changed:
		}
	}
}

// serve handles one POST the way a push service does.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return
	}
	s.posts.Add(1)
	s.mu.Lock()
	down := s.down
	if down != 0 && !s.downUntil.IsZero() && time.Now().After(s.downUntil) {
		s.down, down = 0, 0
	}
	s.mu.Unlock()
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	switch down {
	case DownClose:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // also drops the connection without an answer
	case DownUnavailable:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	now := time.Now()

	s.mu.Lock()
	st := s.subs[r.URL.Path]
	var gone bool
	if st != nil {
		st.attempts++
		gone = st.gone
	}
	requireKey := s.requireKey
	s.mu.Unlock()
	switch {
	case st == nil:
		http.Error(w, "no such subscription", http.StatusNotFound)
		return
	case gone:
		http.Error(w, "unsubscribed", http.StatusGone)
		return
	case len(body) > MaxBodyBytes:
		http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
		return
	}
	// Verify and decrypt outside the lock: a subscriber's keys never change after creation.
	msg, status, reason := s.open(r, body, st.private, st.auth, requireKey, now)

	s.mu.Lock()
	defer s.mu.Unlock()
	if status != 0 {
		s.rejections = append(s.rejections, Rejection{Path: r.URL.Path, Status: status, Reason: reason})
		s.notify()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"reason": reason})
		return
	}
	reply := Reply{Status: http.StatusCreated}
	if len(st.script) > 0 {
		reply, st.script = st.script[0], st.script[1:]
	}
	if reply.Status >= 200 && reply.Status < 300 {
		st.messages = append(st.messages, msg)
		s.notify()
	}
	if reply.RetryAfter != "" {
		w.Header().Set("Retry-After", reply.RetryAfter)
	}
	w.WriteHeader(reply.Status)
}

// open checks the headers, the VAPID header and the encryption; on failure it returns the
// status a real push service would answer and why.
func (s *Server) open(r *http.Request, body []byte, private *ecdh.PrivateKey, auth []byte, requireKey string, now time.Time) (Message, int, string) {
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		return Message{}, http.StatusBadRequest, fmt.Sprintf("Content-Encoding %q, want aes128gcm", ce)
	}
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		return Message{}, http.StatusBadRequest, fmt.Sprintf("TTL %q is required, a non-negative integer", r.Header.Get("TTL"))
	}
	urgency := r.Header.Get("Urgency")
	switch urgency {
	case "", "very-low", "low", "normal", "high":
	default:
		return Message{}, http.StatusBadRequest, fmt.Sprintf("Urgency %q", urgency)
	}
	topic := r.Header.Get("Topic")
	if !validTopic(topic) {
		return Message{}, http.StatusBadRequest, fmt.Sprintf("Topic %q must be ≤ 32 base64url characters", topic)
	}
	claims, err := verifyVAPID(r.Header.Get("Authorization"), s.origin, now)
	if err != nil {
		return Message{}, http.StatusForbidden, "vapid: " + err.Error()
	}
	if requireKey != "" && claims.PublicKey != requireKey {
		return Message{}, http.StatusForbidden, "vapid: k is not the key the subscription was made with"
	}
	opened, err := Decrypt(body, private, auth)
	if err != nil {
		return Message{}, http.StatusBadRequest, "decrypt: " + err.Error()
	}
	return Message{
		Payload: opened.Plaintext, TTL: ttl, Urgency: urgency, Topic: topic,
		Subject: claims.Subject, Audience: claims.Audience, VAPIDKey: claims.PublicKey,
		VAPIDToken: claims.Token, Expires: claims.Expires,
		RecordSize: opened.RecordSize, BodyLength: len(body), Salt: opened.Salt, SenderKey: opened.SenderKey,
		Received: now,
	}, 0, ""
}

func validTopic(t string) bool {
	if len(t) > 32 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
