package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"minside/backend/internal/agency"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
)

// SenderOptions configure a Sender. Zero values take the defaults named on each field.
type SenderOptions struct {
	// Client sends the requests (default NewClient(false, 10 s): public addresses only).
	Client *http.Client
	// PermanentTries: a 4xx answer other than 408 and 429 is retried until this many attempts,
	// in case the agency is mid-deployment, then the event is dead (default 3).
	PermanentTries int
	// Registry gets minside_webhook_deliveries_total; nil keeps no metric.
	Registry *prometheus.Registry
	Log      *slog.Logger
	Now      func() time.Time
}

// Sender is the outbox handler of TopicWebhook: it signs and POSTs one event to its agency.
type Sender struct {
	db         *store.DB
	opts       SenderOptions
	deliveries *prometheus.CounterVec
}

// NewSender builds the webhook handler; register Handle with the outbox worker for TopicWebhook.
func NewSender(db *store.DB, opts SenderOptions) *Sender {
	if opts.Client == nil {
		opts.Client = NewClient(false, 10*time.Second)
	}
	if opts.PermanentTries <= 0 {
		opts.PermanentTries = 3
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Sender{db: db, opts: opts, deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "minside_webhook_deliveries_total",
		Help: "Webhook delivery attempts by outcome: delivered, retry, dead, dropped (agency has no webhook any more).",
	}, []string{"outcome"})}
	if opts.Registry != nil {
		if err := opts.Registry.Register(s.deliveries); err != nil {
			var already prometheus.AlreadyRegisteredError
			if !errors.As(err, &already) {
				panic(err)
			}
			s.deliveries = already.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return s
}

// Handle delivers one event. Network errors, 408, 429 and 5xx are retried with backoff (honouring
// Retry-After); other answers are the agency refusing the event, dead after PermanentTries.
func (s *Sender) Handle(ctx context.Context, m outbox.Message) outbox.Result {
	res, dropped := s.handle(ctx, m)
	outcome := map[string]string{"done": "delivered", "retry": "retry", "dead": "dead"}[res.String()]
	if dropped {
		outcome = "dropped"
	}
	s.deliveries.WithLabelValues(outcome).Inc()
	return res
}

// handle sends the event; dropped says it was not sent because the agency no longer takes webhooks.
func (s *Sender) handle(ctx context.Context, m outbox.Message) (res outbox.Result, dropped bool) {
	var p payload
	if err := json.Unmarshal(m.Payload, &p); err != nil || p.EventID == "" || p.Body == "" {
		return outbox.Dead("malformed webhook payload"), false
	}
	var a agency.Agency
	err := s.db.NewSelect().Model(&a).Column("id", "webhook_url", "webhook_secret").Where("id = ?", p.AgencyID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (a.WebhookURL == nil || *a.WebhookURL == "")) {
		s.opts.Log.Info("webhook: dropped", "event", p.EventID, "type", p.Type, "agency", p.AgencyID)
		return outbox.Done(), true
	}
	if err != nil {
		return outbox.Retry(0, "database: load agency"), false
	}
	if a.WebhookSecret == nil || *a.WebhookSecret == "" {
		return outbox.Retry(0, "agency has no webhook secret"), false
	}
	target, err := url.Parse(*a.WebhookURL)
	if err != nil || (target.Scheme != "https" && target.Scheme != "http") || target.Host == "" {
		return outbox.Dead("agency webhook URL is not an absolute http(s) URL"), false
	}
	now := s.opts.Now()
	sig, err := Sign(*a.WebhookSecret, p.EventID, now, []byte(p.Body))
	if err != nil {
		return outbox.Retry(0, "agency webhook secret is malformed"), false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader([]byte(p.Body)))
	if err != nil {
		return outbox.Dead("cannot build the request"), false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Minside-Webhooks/1")
	req.Header.Set(HeaderID, p.EventID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)

	resp, err := s.opts.Client.Do(req)
	if err != nil {
		if errors.Is(err, ErrForbiddenAddress) {
			return outbox.Dead("agency webhook URL resolves to a non-public address"), false
		}
		return outbox.Retry(0, "network: "+networkReason(err)), false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	_ = resp.Body.Close()
	return s.judge(m, resp, now), false
}

// judge turns the agency's answer into the outbox result.
func (s *Sender) judge(m outbox.Message, resp *http.Response, now time.Time) outbox.Result {
	code := resp.StatusCode
	reason := "HTTP " + strconv.Itoa(code)
	switch {
	case code >= 200 && code < 300:
		return outbox.Done()
	case code == http.StatusTooManyRequests, code == http.StatusServiceUnavailable:
		return outbox.Retry(retryAfter(resp.Header.Get("Retry-After"), now), reason)
	case code == http.StatusRequestTimeout, code >= 500:
		return outbox.Retry(0, reason)
	case m.Attempts >= s.opts.PermanentTries:
		return outbox.Dead(reason + " (refused by the agency)")
	default:
		return outbox.Retry(0, reason)
	}
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date. Zero means "not given".
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// networkReason describes a transport error without the URL (which may carry the agency's token
// in its query).
func networkReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timeout"
		}
		err = ue.Err
	}
	return fmt.Sprint(err)
}
