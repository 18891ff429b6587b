package push

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff bounds: the first retry comes after about BackoffBase, doubling up to BackoffCap.
const (
	BackoffBase = 10 * time.Second
	BackoffCap  = time.Hour
	// MaxRetryAfter caps a push service's Retry-After so a bogus date cannot park a message forever.
	MaxRetryAfter = 24 * time.Hour
)

// Backoff is the delay before retry number attempt (1 for the first retry): exponential from
// BackoffBase, capped at BackoffCap, with "equal jitter" — a random point in the upper half —
// so workers that failed together do not retry together, yet never retry at once.
// rnd may be nil (the process-wide source is used); tests pass a seeded one.
func Backoff(attempt int, rnd *rand.Rand) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := BackoffCap
	if attempt <= 20 {
		if e := BackoffBase << (attempt - 1); e < BackoffCap {
			d = e
		}
	}
	half := d / 2
	var r int64
	if rnd != nil {
		r = rnd.Int64N(int64(half) + 1)
	} else {
		r = rand.Int64N(int64(half) + 1)
	}
	return half + time.Duration(r)
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
// It returns 0 when the header is absent, malformed or already past.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d <= 0 {
		return 0
	}
	return min(d, MaxRetryAfter)
}
