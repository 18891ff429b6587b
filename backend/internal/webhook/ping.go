package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
)

// EventPing is the type of the test event an agency sends itself (POST /webhook/ping) to check
// that its receiver is reachable, verifies signatures and answers 2xx. Its data is empty.
const EventPing = "ping"

// Why a ping got no answer. The network error itself is not shown: it may name internal hosts.
const (
	PingInvalidURL       = "invalid_url"       // the configured URL is not an absolute http(s) URL
	PingForbiddenAddress = "forbidden_address" // it resolves to a non-public address (egress guard)
	PingTimeout          = "timeout"           // no answer within the delivery time budget
	PingConnectionFailed = "connection_failed" // DNS, refused connection, TLS, reset …
)

// PingResult is what happened to a ping, as the agency sees it.
type PingResult struct {
	EventID   string        // the webhook-id sent
	URL       string        // where it went, without query or fragment (they may carry a token)
	Status    int           // the receiver's HTTP status; 0 when there was no answer
	Latency   time.Duration // from sending to the answer's headers (or the failure)
	Delivered bool          // a 2xx answer: real events would count as delivered
	Failure   string        // one of the Ping* reasons when Status is 0
}

// Ping signs a ping event and POSTs it now, outside the outbox (nothing is retried or stored),
// through the same client as every delivery: the egress guard and time budget apply. An agency
// without a webhook URL is a 409 problem saying how to set one.
func (s *Sender) Ping(ctx context.Context, agencyID string) (PingResult, error) {
	var a agency.Agency
	err := s.db.NewSelect().Model(&a).Column("id", "slug", "webhook_url", "webhook_secret").Where("id = ?", agencyID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return PingResult{}, apperr.NotFound()
	}
	if err != nil {
		return PingResult{}, fmt.Errorf("webhook: ping: load agency: %w", err)
	}
	if a.WebhookURL == nil || *a.WebhookURL == "" || a.WebhookSecret == nil || *a.WebhookSecret == "" {
		return PingResult{}, apperr.Conflict("error.detail.webhook_not_configured").
			WithDetail("error.detail.webhook_not_configured", nil)
	}
	now := s.opts.Now()
	ev := Event{ID: store.NewID(), Type: EventPing, Time: now.UTC().Truncate(time.Millisecond), Agency: a.Slug, Data: json.RawMessage(`{}`)}
	res := PingResult{EventID: ev.ID}
	target, err := url.Parse(*a.WebhookURL)
	if err != nil || (target.Scheme != "https" && target.Scheme != "http") || target.Host == "" {
		res.Failure = PingInvalidURL
		return res, nil
	}
	shown := *target
	shown.RawQuery, shown.Fragment, shown.User = "", "", nil
	res.URL = shown.String()
	body, err := json.Marshal(ev)
	if err != nil {
		return PingResult{}, fmt.Errorf("webhook: ping: encode: %w", err)
	}
	sig, err := Sign(*a.WebhookSecret, ev.ID, now, body)
	if err != nil {
		return PingResult{}, fmt.Errorf("webhook: ping: agency webhook secret is malformed: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(body))
	if err != nil {
		res.Failure = PingInvalidURL
		return res, nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Minside-Webhooks/1")
	req.Header.Set(HeaderID, ev.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)
	started := time.Now()
	resp, err := s.opts.Client.Do(req)
	res.Latency = time.Since(started)
	if err != nil {
		res.Failure = pingFailure(err)
		s.opts.Log.Info("webhook: ping failed", "event", ev.ID, "agency", a.ID, "reason", res.Failure)
		return res, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	res.Status = resp.StatusCode
	res.Delivered = resp.StatusCode >= 200 && resp.StatusCode < 300
	return res, nil
}

func pingFailure(err error) string {
	var ue *url.Error
	switch {
	case errors.Is(err, ErrForbiddenAddress):
		return PingForbiddenAddress
	case errors.As(err, &ue) && ue.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return PingTimeout
	}
	return PingConnectionFailed
}
