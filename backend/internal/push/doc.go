// Package push is the web push core of Min side: VAPID keys and subject, validation of the
// browser's PushSubscription, an SSRF-safe HTTP client, and a Sender that encrypts (RFC 8291),
// signs (RFC 8292) and posts (RFC 8030) one message and classifies the push service's answer.
//
// It holds no state beyond its constructors' arguments and never touches the database: the
// server stores subscriptions and the outbox workers decide what to do with a Result.
//
// Wiring, at start-up (one of each for the whole process):
//
//	allow, err := push.ParseAllowList(cfg.PushAllowedHosts)            // MINSIDE_PUSH_ALLOWED_HOSTS; "" → defaults
//	keys, err := push.ParseVAPIDKeys(cfg.VAPIDPublicKey, cfg.VAPIDPrivateKey) // dev: push.LoadOrGenerateVAPIDKeys(path)
//	subject, err := push.ParseSubject(cfg.VAPIDSubject)                // "mailto:ops@kommune.no" or an https URL
//	client := push.NewHTTPClient(allow, 10*time.Second)                // the one shared client
//	sender, err := push.NewSender(keys, subject, allow, client, push.SenderOptions{})
//
// POST /api/v1/push/subscriptions: sub, err := push.ParseSubscription(body, allow); err is an
// *apperr.Error (invalid, with field pointers) for the error handler; store sub's fields.
// GET /api/v1/push/vapid-public-key answers keys.PublicKey.
//
// Outbox worker, per message:
//
//	body, err := push.Payload{Title: t, Category: "case", ID: id, URL: "/cases/" + id}.Encode(push.MaxPayloadBytes)
//	res := sender.Send(ctx, sub, push.Message{Payload: body, TTL: 24 * time.Hour, Urgency: push.UrgencyNormal, Topic: push.TopicFor(id)})
//	switch res.Outcome {
//	case push.Delivered: // done
//	case push.Gone:      // delete this subscription
//	case push.TooLarge:  // shrink the body (shorter title) or drop it; keep the subscription
//	case push.Retry:     // reschedule after res.RetryDelay(attempt, nil)
//	case push.Alert:     // log + metric for the operator; keep the subscription; never mass-delete
//	case push.Invalid:   // our side is wrong (bad stored keys, endpoint no longer allowed): drop and log
//	}
package push
