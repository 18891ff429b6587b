// Package app wires Min side together: it opens the database, loads the languages, builds every
// service and the web layer from one Config, and runs them until the context ends. The command
// and the whole-program tests both start the portal through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"minside/backend/internal/agency"
	"minside/backend/internal/citizens"
	"minside/backend/internal/config"
	"minside/backend/internal/i18n"
	"minside/backend/internal/idempotency"
	"minside/backend/internal/ingest"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/web"
	"minside/locales"
	"minside/pwa"
)

// App is a running portal's components.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	DB       *store.DB
	Bundle   *i18n.Bundle
	Registry *prometheus.Registry
	Server   *web.Server
	PWABuilt bool // false when built without the pwa tag: / explains how to build it

	// Agency API (ingest): nil when no pseudonym key is configured (the API then answers 404).
	Directory *citizens.Directory
	Agencies  *agency.Service
	Ingest    *ingest.Service
}

// New builds the portal from a validated configuration: opens and migrates the database, seeds
// demo data when asked, and assembles the web layer. Close releases what New opened.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	a := &App{Config: cfg, Log: log, Registry: prometheus.NewRegistry()}
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

	if a.DB, err = store.Open(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	if err := a.DB.Migrate(ctx, log); err != nil {
		_ = a.DB.Close()
		return nil, err
	}

	dist, built := pwa.Dist()
	a.PWABuilt = built
	deps := web.Deps{
		Config:     cfg,
		Log:        log,
		Translator: a.Bundle,
		Ready:      a.DB,
		Registry:   a.Registry,
		PWA:        dist,
	}

	// Agency API (ingest): agencies, their keys, and the records they push.
	if cfg.PIDKey != "" {
		pseudonyms, err := pid.NewPseudonymizer([]byte(cfg.PIDKey))
		if err != nil {
			_ = a.DB.Close()
			return nil, fmt.Errorf("app: %w", err)
		}
		a.Directory = citizens.NewDirectory(pseudonyms, cfg.Dev())
		a.Agencies = agency.NewService(a.DB.DB, nil)
		a.Ingest = ingest.NewService(a.DB.DB, a.Directory, cfg.Dev(), nil)
		deps.Agencies, deps.Records = a.Agencies, a.Ingest
		deps.Idempotency = idempotency.NewStore(a.DB.DB, nil)
	}

	a.Server, err = web.New(deps)
	if err != nil {
		_ = a.DB.Close()
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

	errc := make(chan error, 1)
	go func() { errc <- a.Server.App().Listener(ln) }()
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
		serveErr = a.Server.App().ShutdownWithContext(shutdown)
		cancel()
	}
	stopWork()
	wg.Wait()
	return serveErr
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

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
