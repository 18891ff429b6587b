package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/strictjson"
	"minside/backend/internal/textcheck"
)

// Limits on what a browser may register. Real endpoints are 100–500 characters.
const (
	MaxSubscriptionBodyBytes = 8 << 10
	MaxEndpointLength        = 2048
	MaxLabelLength           = 100 // characters of a device's name ("Annes iPhone")
)

// Subscription is one browser's push subscription, validated and in canonical form: what the
// server stores and what Sender.Send takes.
type Subscription struct {
	Endpoint string // https URL at an allowed push service
	P256dh   string // base64url (no padding) of the 65-byte uncompressed P-256 point
	Auth     string // base64url (no padding) of the 16-byte auth secret
	// ExpirationTime is when the browser says the subscription ends; zero when it did not say.
	ExpirationTime time.Time
	// Label is the citizen's name for the device, in canonical form; empty when none was given.
	Label string
}

// Expired reports whether the browser's own expiration time has passed.
func (s Subscription) Expired(now time.Time) bool {
	return !s.ExpirationTime.IsZero() && !now.Before(s.ExpirationTime)
}

// SubscriptionJSON is the body of PushSubscription.toJSON(), as the PWA posts it, with the
// device's label the PWA adds.
type SubscriptionJSON struct {
	Endpoint       string           `json:"endpoint"`
	ExpirationTime *float64         `json:"expirationTime"` // milliseconds since the epoch, or null
	Keys           SubscriptionKeys `json:"keys"`
	Label          string           `json:"label,omitempty"`
}

// SubscriptionKeys are the "keys" member of PushSubscription.toJSON().
type SubscriptionKeys struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

// ParseSubscription decodes and validates a PushSubscription.toJSON() body. Every refusal is an
// *apperr.Error: too_large, bad_request for JSON that does not parse, or invalid with a field
// pointer for each bad field (/endpoint, /keys/p256dh, /keys/auth, /expirationTime, /label; a
// member named twice is field.duplicate_member at its pointer).
func ParseSubscription(body []byte, allow AllowList) (Subscription, error) {
	if len(body) > MaxSubscriptionBodyBytes {
		return Subscription{}, apperr.New(apperr.CodeTooLarge)
	}
	if _, err := strictjson.Decode(body); err != nil {
		return Subscription{}, strictjson.Refusal(err, "")
	}
	var in SubscriptionJSON
	if err := json.Unmarshal(body, &in); err != nil {
		return Subscription{}, apperr.BadRequest("error.detail.malformed_json").Wrap(err)
	}
	return ValidateSubscription(in, allow)
}

// ValidateSubscription checks an already decoded body; see ParseSubscription.
func ValidateSubscription(in SubscriptionJSON, allow AllowList) (Subscription, error) {
	var fields apperr.Fields
	if key, data := checkEndpoint(in.Endpoint, allow); key != "" {
		fields.Add("/endpoint", key, data)
	}
	p256dh, err := decodeBase64URL(in.Keys.P256dh)
	switch {
	case in.Keys.P256dh == "":
		fields.Add("/keys/p256dh", "field.required", nil)
	case err != nil || len(p256dh) != 65 || p256dh[0] != 0x04:
		fields.Add("/keys/p256dh", "field.invalid_key", nil)
	default:
		if _, err := ecdh.P256().NewPublicKey(p256dh); err != nil {
			fields.Add("/keys/p256dh", "field.invalid_key", nil) // not on the curve
		}
	}
	auth, err := decodeBase64URL(in.Keys.Auth)
	switch {
	case in.Keys.Auth == "":
		fields.Add("/keys/auth", "field.required", nil)
	case err != nil || len(auth) != 16:
		fields.Add("/keys/auth", "field.invalid_key", nil)
	}
	label, problem := textcheck.Check(in.Label, textcheck.Line.Limit(MaxLabelLength))
	if problem != nil {
		fields.Add("/label", problem.Key, problem.Data)
	}
	var expires time.Time
	if in.ExpirationTime != nil {
		ms := *in.ExpirationTime
		if ms <= 0 || math.IsInf(ms, 0) || math.IsNaN(ms) || ms > 1e15 {
			fields.Add("/expirationTime", "field.invalid_time", nil)
		} else {
			expires = time.UnixMilli(int64(ms)).UTC()
		}
	}
	if err := fields.Err(); err != nil {
		return Subscription{}, err
	}
	return Subscription{
		Endpoint:       in.Endpoint,
		P256dh:         base64.RawURLEncoding.EncodeToString(p256dh),
		Auth:           base64.RawURLEncoding.EncodeToString(auth),
		ExpirationTime: expires,
		Label:          label,
	}, nil
}

// checkEndpoint returns the field key (and its data) that refuses the endpoint, or "" if it is
// fine. The host is taken from the parsed URL and matched against the allow-list; the raw
// authority must be plain (no %-escapes, no userinfo) so every parser agrees on the host.
func checkEndpoint(endpoint string, allow AllowList) (string, map[string]any) {
	switch {
	case endpoint == "":
		return "field.required", nil
	case len(endpoint) > MaxEndpointLength:
		return "field.too_long", map[string]any{"Max": MaxEndpointLength}
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Opaque != "" || u.Host == "" || u.Fragment != "" || strings.ContainsAny(endpoint, " \t\r\n\\") {
		return "field.invalid_url", nil
	}
	if u.Scheme != "https" {
		return "field.must_be_https", nil
	}
	authority, _, _ := strings.Cut(strings.TrimPrefix(endpoint[len(u.Scheme):], "://"), "/")
	if u.User != nil || strings.ContainsAny(authority, "@%?#") {
		return "field.invalid_url", nil
	}
	host, port := u.Hostname(), u.Port()
	if ip, err := netip.ParseAddr(host); err == nil && ip.Zone() != "" {
		return "field.invalid_url", nil
	}
	if !allow.allowsEndpointHost(host, port) {
		return "field.push_host_not_allowed", map[string]any{"host": u.Host}
	}
	return "", nil
}
