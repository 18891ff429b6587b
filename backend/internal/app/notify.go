package app

import (
	"fmt"
	"net/http"
	"time"

	"minside/backend/internal/config"
	"minside/backend/internal/notify"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/web"
)

// PushSendTimeout bounds one request to a push service; the shared client keeps connections alive.
const PushSendTimeout = 10 * time.Second

// Notify is the web push side of the portal: the outbox handlers of TopicNotify and
// TopicPush, and the reminder scheduler the worker process runs every minute.
type Notify struct {
	Keys      push.VAPIDKeys
	Allow     push.AllowList
	Sender    *push.Sender
	Notifier  *notify.Notifier  // handler of outbox.TopicNotify
	Pusher    *notify.Pusher    // handler of outbox.TopicPush
	Reminders *notify.Reminders // run every minute by the worker
}

// WithPushClient replaces the HTTP client pushes are sent with (tests: one that trusts the fake
// push service's certificate, pushtest.Server.Client). Production uses push.NewHTTPClient.
func WithPushClient(c *http.Client) Option { return func(o *options) { o.pushClient = c } }

// VAPIDGenerator makes a key pair for config.FillDevSecrets, so dev mode keeps one pair in the
// data folder across restarts.
func VAPIDGenerator() config.VAPIDGenerator {
	return func() (string, string, error) {
		k, err := push.GenerateVAPIDKeys()
		return k.PublicKey, k.PrivateKey, err
	}
}

// buildNotify makes the one allow-list, HTTP client and Sender of the process and the notify
// services on them, and hands the web layer its part. Production configuration is validated to
// have the keys; a dev portal started without them (tests) gets a fresh pair for this run.
func (a *App) buildNotify(deps *web.Deps, client *http.Client) error {
	cfg := a.Config
	allow, err := push.ParseAllowList(cfg.PushAllowedHosts)
	if err != nil {
		return fmt.Errorf("app: MINSIDE_PUSH_ALLOWED_HOSTS: %w", err)
	}
	var keys push.VAPIDKeys
	if cfg.VAPIDPublicKey == "" && cfg.Dev() {
		if keys, err = push.GenerateVAPIDKeys(); err != nil {
			return fmt.Errorf("app: VAPID keys: %w", err)
		}
		a.Log.Warn("no VAPID keys configured: generated a pair for this run; browsers must subscribe again after a restart")
	} else if keys, err = push.ParseVAPIDKeys(cfg.VAPIDPublicKey, cfg.VAPIDPrivateKey); err != nil {
		return fmt.Errorf("app: VAPID keys: %w", err)
	}
	deps.Config.VAPIDPublicKey = keys.PublicKey
	subject, err := push.ParseSubject(cfg.VAPIDSubject)
	if err != nil {
		return fmt.Errorf("app: MINSIDE_VAPID_SUBJECT: %w", err)
	}
	if client == nil {
		client = push.NewHTTPClient(allow, PushSendTimeout)
	}
	sender, err := push.NewSender(keys, subject, allow, client, push.SenderOptions{Now: a.Now})
	if err != nil {
		return fmt.Errorf("app: push sender: %w", err)
	}
	prefs, err := notify.NewPreferences(a.DB, a.Bundle.Has)
	if err != nil {
		return err
	}
	pusher, err := notify.NewPusher(a.Work, sender, notify.PusherOptions{Registry: a.Registry, Log: a.Log, Now: a.Now})
	if err != nil {
		return err
	}
	a.Notify = &Notify{Keys: keys, Allow: allow, Sender: sender, Pusher: pusher,
		Notifier:  notify.NewNotifier(a.Work, prefs, a.Bundle, a.Log, a.Now),
		Reminders: notify.NewReminders(a.Work, a.Log, a.Now).WithTaskRemindAfter(cfg.TaskRemindAfter)}
	// Every replica's worker sends: the handlers are stateless beyond the shared Sender.
	a.Outbox.RegisterBatch(outbox.TopicNotify, a.Notify.Notifier.HandleNotifyBatch)
	a.Outbox.RegisterBatch(outbox.TopicPush, a.Notify.Pusher.HandlePushBatch)
	deps.Notify = &web.NotifyDeps{VAPIDPublicKey: keys.PublicKey, Devices: notify.NewDevices(a.DB, allow),
		Preferences: prefs, SentLog: notify.NewSentLog(a.DB)}
	return nil
}
