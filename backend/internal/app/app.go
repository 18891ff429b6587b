// Package app wires Min side together: it opens the database, loads the languages, builds every
// service and the web layer from one Config, and runs them until the context ends. The command
// and the whole-program tests both start the portal through it.
package app

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/uptrace/bun"

	"minside/backend/internal/account"
	"minside/backend/internal/actions"
	"minside/backend/internal/agency"
	"minside/backend/internal/auth/devidp"
	"minside/backend/internal/auth/login"
	"minside/backend/internal/calendar"
	"minside/backend/internal/citizens"
	"minside/backend/internal/config"
	"minside/backend/internal/console"
	"minside/backend/internal/doors"
	"minside/backend/internal/files"
	"minside/backend/internal/i18n"
	"minside/backend/internal/ideas"
	"minside/backend/internal/ingest"
	"minside/backend/internal/live"
	"minside/backend/internal/logredact"
	"minside/backend/internal/messages"
	"minside/backend/internal/outbox"
	"minside/backend/internal/overview"
	"minside/backend/internal/paging"
	"minside/backend/internal/pid"
	"minside/backend/internal/reports"
	"minside/backend/internal/seed"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/translate"
	"minside/backend/internal/web"
	"minside/backend/internal/webhook"
	"minside/locales"
	"minside/pwa"
)

// App is a running portal's components.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	DB       *store.DB // citizens' and agencies' requests
	Bundle   *i18n.Bundle
	Registry *prometheus.Registry
	Server   *web.Server
	PWABuilt bool // false when built without the pwa tag: / explains how to build it

	// Work is the background work's handle: the outbox worker and its handlers, the janitor,
	// reminders and sweeps. A pool of its own on PostgreSQL, so a fan-out never takes the
	// connections requests wait for; DB itself on SQLite.
	Work *store.DB

	// Delivery: every side effect goes through Outbox (register handlers with Outbox.Register
	// before Run); Doors opens doors through Locks (each facility's lock adapter; Lock, the
	// simulated one, stands in for a facility without one in development).
	Outbox   *outbox.Worker
	Janitor  *outbox.Janitor
	Webhooks *webhook.Sender
	Doors    *doors.Service
	Lock     *doors.SimulatedLock
	// Lock adapters per facility, their manifest poller and the door token signer (its JWKS).
	Locks      *doors.Locks
	LockPoller *doors.Poller
	DoorTokens *doors.Issuer

	Now      func() time.Time // the portal's clock (tests move it to expire sessions)
	Citizens *citizens.Directory
	Sessions *sessions.Store
	Login    *login.Client
	Notify   *Notify // web push: outbox handlers and reminders

	Overview *overview.Service // the citizen's reads
	Live     *live.Broker      // live updates to open streams; runs with the serve context

	// Translator overrides; the reloader polls them into Bundle while running.
	Translations        *translate.Store
	TranslationReloader *translate.Reloader
	// Agency API: agencies with their keys, and the records they push.
	Agencies *agency.Service
	Ingest   *ingest.Service

	SuggestEnv *suggest.Env    // the fact model and CEL environment rules are compiled in
	Suggest    *suggest.Engine // evaluates rules into suggestions; outbox handlers and the daily sweep

	Messages *messages.Service // messages on cases with attachments (the files store)
	Ideas    *ideas.Service    // the idea channel (photos in the files store)
	Files    files.Store       // the bytes of attachments and report photos (disk or S3)
	Orphans  *files.Orphans    // deletes stored bytes no row names (a write cut off after storing them)
	Reports  *reports.Service  // the reporting service: services, reports, photos, statuses
}

// Option adjusts how New builds the portal; the command passes none, tests do.
type Option func(*options)

type options struct {
	now        func() time.Time
	devIdPKey  *rsa.PrivateKey
	pushClient *http.Client // WithPushClient
	lockClient *http.Client // WithLockClient
}

// WithDevIdPKey gives the dev identity provider its signing key instead of a fresh one (RSA key
// generation dominates a test portal's start-up).
func WithDevIdPKey(key *rsa.PrivateKey) Option { return func(o *options) { o.devIdPKey = key } }

// WithNow replaces the clock of everything that decides by time (sessions, logins, relations).
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// New builds the portal from a validated configuration: opens and migrates the database, seeds
// demo data when asked, and assembles the web layer. Close releases what New opened.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	// No run of 11 digits (a national identity number) and no API key in any log line.
	log = logredact.New(log, pid.MaskDigitRuns, logredact.Secrets)
	a := &App{Config: cfg, Log: log, Registry: prometheus.NewRegistry(), Now: o.now}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	missing := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "minside_i18n_missing_total",
		Help: "Message lookups not answered in the requested language (served from the fallback chain).",
	}, []string{"lang"})
	a.Registry.MustRegister(missing)
	var err error
	a.Bundle, err = i18n.New(locales.FS, i18n.Options{
		OnMissing: func(lang, _ string) { missing.WithLabelValues(lang).Inc() },
		Pseudo:    cfg.Dev(),
	})
	if err != nil {
		return nil, fmt.Errorf("app: languages: %w", err)
	}

	// Every request's database work is bounded (web: the deadline middleware); the database
	// bounds each statement the same way, for a statement whose client gave up.
	if a.DB, err = store.Open(ctx, cfg.DatabaseURL, store.WithTimeout(cfg.DBTimeout)); err != nil {
		return nil, err
	}
	if err := a.DB.Migrate(ctx, log); err != nil {
		_ = a.DB.Close()
		return nil, err
	}

	if a.Work, err = a.DB.Background(ctx); err != nil {
		_ = a.DB.Close()
		return nil, err
	}
	// Each pool's connections and waits (go_sql_*{db_name}): requests that queue for a connection
	// say the pool or the database server is too small before the latency does.
	a.Registry.MustRegister(collectors.NewDBStatsCollector(a.DB.DB.DB, "requests"))
	if a.Work != a.DB {
		a.Registry.MustRegister(collectors.NewDBStatsCollector(a.Work.DB.DB, "background"))
	}
	// Delivery: the outbox worker and janitor, signed webhooks to agencies, the door adapter.
	if err := a.newDelivery(cfg, log, o.lockClient); err != nil {
		_ = a.Close()
		return nil, err
	}
	if err := a.buildSuggest(); err != nil {
		_ = a.Close()
		return nil, err
	}

	dist, built := pwa.Dist()
	a.PWABuilt = built
	deps := web.Deps{
		Config:     cfg,
		Log:        log,
		Translator: a.Bundle,
		Catalog:    a.Bundle,
		Ready:      a.DB,
		Registry:   a.Registry,
		PWA:        dist,
		Now:        a.Now,
		DB:         a.DB,
	}
	// Login, sessions and representation
	if err := a.buildLogin(ctx, &deps, o.devIdPKey); err != nil {
		_ = a.Close()
		return nil, err
	}
	// Web push and notifications
	if err := a.buildNotify(&deps, o.pushClient); err != nil {
		_ = a.Close()
		return nil, err
	}
	// Actions, calendar feed and the citizen's own data
	deps.Citizen = web.CitizenActions{
		Actions: actions.New(actions.Deps{
			Webhooks:  webhook.Enqueue,
			Doors:     a.Doors, // built by the delivery block above
			StepUpACR: cfg.StepUpACR,
		}),
		Calendar: calendar.New(cfg.BaseURL, a.Bundle),
		Account:  account.New(a.Bundle).WithBaseURL(cfg.BaseURL),
	}
	// Messages on cases; attachments in the files store (the disk, or S3 for several replicas)
	if a.Messages, err = a.buildMessages(cfg); err != nil {
		_ = a.Close()
		return nil, err
	}
	deps.Messages = a.Messages
	if a.Ideas, err = a.buildIdeas(cfg); err != nil {
		_ = a.Close()
		return nil, err
	}
	deps.Ideas = a.Ideas
	// The reporting service: photos in the same files store
	a.Reports = a.buildReports(cfg)
	a.Orphans = files.NewOrphans(a.Work, a.Files, []files.Owner{messages.FileOwner(), ideas.FileOwner(), reports.FileOwner()}, a.Now, a.Log)
	deps.Citizen.Account.WithReportPhotoLinks(a.Reports.PhotoLink)
	deps.Reports = a.Reports
	// Demo data (seed): an empty dev database gets the demo municipality
	if cfg.SeedDemo {
		_, seeded, err := seed.New(a.DB, a.Citizens, log).Demo(ctx, a.Now())
		if err != nil {
			_ = a.Close()
			return nil, fmt.Errorf("app: seed demo data: %w", err)
		}
		// The demo's rules are evaluated now, so the first login already shows their suggestions
		// (two dozen people: milliseconds), rather than when the outbox gets to the day's sweep.
		if seeded {
			if _, err := a.Suggest.Sweep(ctx, 1); err != nil {
				_ = a.Close()
				return nil, fmt.Errorf("app: evaluate the demo's rules: %w", err)
			}
		}
	}
	// Overview, lists, changes feed and live updates
	a.Overview = overview.New(a.DB, a.Now)
	a.Live = live.New(a.DB, log, live.DefaultInterval)
	deps.Overview, deps.Live, deps.NeedsActions = a.Overview, a.Live, a.Overview.NeedsActions
	// A person's first open of a case tells the agency, once (Dialogporten's seen log).
	deps.CaseSeen = func(ctx context.Context, tx bun.Tx, seen overview.FirstSeen) error {
		by := webhook.ActorCitizen
		if seen.ByRepresentative {
			by = webhook.ActorRepresentative
		}
		return webhook.Enqueue(ctx, tx, seen.AgencyID, webhook.EventCaseSeen,
			webhook.CaseSeen{Case: seen.ExternalID, SeenAt: seen.SeenAt, By: by}, seen.SeenAt)
	}
	// Translator console: overrides from the database over the embedded files
	a.Translations = translate.NewStore(a.DB)
	a.TranslationReloader = translate.NewReloader(a.Translations, a.Bundle, log, translate.ReloadInterval,
		func() { a.Live.Broadcast(live.Event{Kind: live.KindMessages}) })
	if err := a.TranslationReloader.Load(ctx); err != nil {
		_ = a.Close()
		return nil, fmt.Errorf("app: translator overrides: %w", err)
	}
	deps.Translate = translate.NewConsole(a.Translations, a.Bundle, a.TranslationReloader, a.Now)
	// Agency API: agencies, their keys, and the records they push
	a.Agencies = agency.NewService(a.DB, a.Now, agency.AllowPrivateWebhooks(cfg.WebhookAllowPrivate))
	// A bulk request has no one deadline (it lasts as long as its body): each batch of 200 gets ten
	// times a request's.
	a.Ingest = ingest.NewService(a.DB, a.Citizens, cfg.Dev(), a.Now).WithBatchTimeout(10 * cfg.DBTimeout).
		WithRules(a.SuggestEnv)
	deps.Agencies, deps.Records, deps.Webhooks = a.Agencies, a.Ingest, a.Webhooks
	// Open311 GeoReport v2 over the reporting service: agencies' keys submit, anyone reads.
	deps.Open311 = reports.NewOpen311(a.Reports, a.Agencies, a.Bundle)
	// Agency console: editors write tiles and rules through the same ingest service.
	deps.Console = console.New(a.DB, a.Ingest, a.Now).WithRules(a.SuggestEnv)
	a.Server, err = web.New(deps)
	if err != nil {
		_ = a.Close()
		return nil, err
	}
	return a, nil
}

// Run serves on ln and runs the background workers until ctx ends, then stops them cleanly:
// in-flight requests finish, workers finish their current item.
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { a.DB.RunCheckpoints(workCtx, time.Minute, a.Log) })
	// Delivery: the outbox worker finishes the message in hand when workCtx ends.
	wg.Go(func() { _ = a.Outbox.Run(workCtx) })
	wg.Go(func() { a.Janitor.Run(workCtx) })
	wg.Go(func() { a.Sessions.RunSweeper(workCtx, 5*time.Minute, a.Log) })
	wg.Go(func() { a.Notify.Reminders.Run(workCtx, time.Minute) }) // web push reminders
	// Live updates stop with ctx itself, not after shutdown: closing every stream is what lets
	// the shutdown finish instead of waiting on open event streams.
	wg.Go(func() { a.Live.Run(ctx) })
	wg.Go(func() { a.TranslationReloader.Run(workCtx) }) // translator overrides published on any replica
	wg.Go(func() { a.LockPoller.Run(workCtx) })          // lock adapters' manifests: doors out of order
	wg.Go(func() { a.Suggest.RunSweeps(workCtx, sweepPlanInterval) })
	wg.Go(func() { a.Orphans.Run(workCtx, orphanSweepInterval) })

	serveErr := a.Server.Serve(ctx, ln)
	stopWork()
	wg.Wait()
	return serveErr
}

// buildLogin makes the citizen directory, the session store, the OpenID Connect client and, in
// dev mode, the dev identity provider the client logs in against (same client id and secret).
func (a *App) buildLogin(ctx context.Context, deps *web.Deps, devIdPKey *rsa.PrivateKey) error {
	cfg := a.Config
	pseudonyms, err := pid.NewPseudonymizer([]byte(cfg.PIDKey))
	if err != nil {
		return fmt.Errorf("app: MINSIDE_PID_KEY: %w", err)
	}
	a.Citizens = citizens.NewDirectory(pseudonyms, cfg.Dev())
	a.Sessions = sessions.New(a.DB, sessions.Options{Idle: cfg.SessionIdle, Absolute: cfg.SessionAbsolute, Now: a.Now})
	base := strings.TrimRight(cfg.BaseURL, "/")
	a.Login, err = login.New(ctx, login.Config{
		Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
		RedirectURL: base + "/auth/callback", Scopes: []string{"profile"},
		AllowSyntheticPID: cfg.Dev(), Now: a.Now,
	})
	if err != nil {
		return fmt.Errorf("app: login: %w", err)
	}
	deps.Citizens, deps.Sessions, deps.Login = a.Citizens, a.Sessions, a.Login
	// List and changes-feed cursors are signed with a key derived from the same secret (under a
	// label of their own), so no further secret has to be configured.
	if deps.Cursors, err = paging.NewSealer([]byte(cfg.PIDKey)); err != nil {
		return fmt.Errorf("app: MINSIDE_PID_KEY: %w", err)
	}
	// The "address:" prefix keeps these hashes apart from the identity-number pseudonyms made with
	// the same key (an identity number is digits only).
	deps.AddressPseudonym = func(addr string) string { return pseudonyms.Pseudonym("address:" + addr) }
	if cfg.Dev() {
		idp, err := devidp.New(devidp.Config{
			Issuer: cfg.OIDCIssuer,
			Clients: []devidp.Client{{ID: cfg.OIDCClientID, Secret: cfg.OIDCClientSecret,
				RedirectURIs:           []string{base + "/auth/callback"},
				PostLogoutRedirectURIs: []string{base + "/"},
				FrontchannelLogoutURI:  base + "/auth/frontchannel-logout"}},
			People: a.devLoginPeople,
			Now:    a.Now,
			Key:    devIdPKey,
		})
		if err != nil {
			return fmt.Errorf("app: dev identity provider: %w", err)
		}
		deps.DevIdP = idp
	}
	return nil
}

// devLoginPeople offers the seeded demo persons as one-click logins on the dev identity provider's
// page, each with a note of what they show.
func (a *App) devLoginPeople(context.Context) []devidp.Person {
	people := seed.People()
	out := make([]devidp.Person, 0, len(people))
	for _, p := range people {
		out = append(out, devidp.Person{Name: p.Name + " – " + p.Note, PID: p.PID})
	}
	return out
}

// Close releases the database: both pools on PostgreSQL.
func (a *App) Close() error {
	var workErr error
	if a.Work != nil && a.Work != a.DB {
		workErr = a.Work.Close()
	}
	return errors.Join(a.DB.Close(), workErr)
}

// NewLogger is the structured logger of the portal: text for people in dev, JSON in production.
func NewLogger(cfg config.Config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, errors.New("MINSIDE_LOG_LEVEL must be debug, info, warn or error")
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Dev() {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}
