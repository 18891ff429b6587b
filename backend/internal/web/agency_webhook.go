package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/webhook"
)

// WebhookPinger sends an agency a test event right away (webhook.Sender implements it).
type WebhookPinger interface {
	Ping(ctx context.Context, agencyID string) (webhook.PingResult, error)
}

// pingAnswer is the answer to POST /webhook/ping: what the receiver answered, or why it did not.
type pingAnswer struct {
	EventID   string  `json:"eventId"`
	URL       string  `json:"url,omitempty"`
	Delivered bool    `json:"delivered"`
	Status    *int    `json:"status"`
	LatencyMS int64   `json:"latencyMs"`
	Failure   *string `json:"failure"`
}

// agencyWebhookPing sends the calling agency's receiver a signed ping event and reports the outcome.
func (s *Server) agencyWebhookPing(c *fiber.Ctx) error {
	res, err := s.deps.Webhooks.Ping(c.UserContext(), agencyOf(c).AgencyID)
	if err != nil {
		return err
	}
	out := pingAnswer{EventID: res.EventID, URL: res.URL, Delivered: res.Delivered, LatencyMS: res.Latency.Milliseconds()}
	if res.Status != 0 {
		out.Status = &res.Status
	}
	if res.Failure != "" {
		out.Failure = &res.Failure
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}
