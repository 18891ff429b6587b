package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"

	"minside/backend/internal/app"
	"minside/backend/internal/config"
	"minside/backend/internal/i18n"
	"minside/backend/internal/store"
	"minside/locales"
)

const usage = `minside — the Min side citizen portal

Usage:
  minside [serve] [flags]     start the portal (default)
  minside migrate             apply database migrations and exit
  minside seed [--citizens N] seed the demo set into an empty database, or add N synthetic citizens
  minside locales check       check the message files; non-zero exit on an error (--dir: a folder
                              instead of the embedded locales/)
  minside role grant|revoke|list   citizen roles: translator (per language), agency_editor (per agency)
  minside agency …            create agencies, their API keys and authorities (minside agency for help)
  minside vapid-keys          print a new web push (VAPID) key pair as MINSIDE_VAPID_* lines
  minside outbox status|requeue   what waits or gave up (push, webhooks); send given-up messages again
  minside healthcheck [--addr A] [--path /readyz]   exit 0 when the portal on this host is ready
                              (a container's HEALTHCHECK: the image has no shell or curl)
  minside facility lock set|unset|list|portal-key   a facility's lock adapter (docs/lock-adapter.md)
  minside lock-adapter …      run the reference lock adapter (minside lock-adapter for help)

Configuration comes from MINSIDE_* environment variables; see README.md.
Flags of serve: --addr, --database-url, --env (they override the environment).
`

// run is the whole program; main only supplies the process's arguments, environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout)
	case "migrate":
		return migrate(ctx, getenv, stdout)
	case "seed":
		return seedCommand(ctx, args, getenv, stdout)
	case "agency":
		return agencyCmd(ctx, args, getenv, stdout)
	case "facility":
		return facilityCmd(ctx, args, getenv, stdout)
	case "lock-adapter":
		return lockAdapterCmd(ctx, args, stdout)
	case "locales":
		if len(args) < 1 || args[0] != "check" {
			return errors.New("usage: minside locales check [--dir <locales folder>]")
		}
		return localesCheck(args[1:], stdout)
	case "role":
		return roleCommand(ctx, args, getenv, os.Stdin, stdout)
	case "outbox":
		return outboxCommand(ctx, args, getenv, stdout)
	case "vapid-keys":
		return vapidKeys(stdout)
	case "healthcheck":
		return healthcheck(ctx, args, getenv, stdout)
	case "help", "-h", "--help":
		_, err := io.WriteString(stdout, usage)
		return err
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
}

// loadConfig reads the environment, applies flag overrides, fills dev secrets and validates.
func loadConfig(getenv func(string) string, args []string) (config.Config, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return cfg, err
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (MINSIDE_ADDR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "sqlite:<path> or postgres://… (MINSIDE_DATABASE_URL)")
	fs.StringVar(&cfg.Env, "env", cfg.Env, "dev or production (MINSIDE_ENV)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.Dev() {
		if err := cfg.FillDevSecrets(app.VAPIDGenerator()); err != nil {
			return cfg, err
		}
	}
	return cfg, cfg.Validate()
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv, args)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log, err := app.NewLogger(cfg, stdout)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	fmt.Fprintf(stdout, "Min side is running (%s mode, %s database): open %s\n", cfg.Env, a.DB.Kind, cfg.BaseURL)
	if !a.PWABuilt {
		fmt.Fprintln(stdout, "The app was built without the PWA; `make run` builds both.")
	}
	return a.Run(ctx, ln)
}

func migrate(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv, nil)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log, err := app.NewLogger(cfg, stdout)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, log) // New migrates
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "database is migrated")
	return a.Close()
}

// openMigrated opens the configured database for an operator command, migrated, without
// starting the portal. The caller closes it.
func openMigrated(ctx context.Context, getenv func(string) string) (*store.DB, error) {
	cfg, err := loadConfig(getenv, nil)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	log, err := app.NewLogger(cfg, io.Discard)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, log); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

func localesCheck(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("locales check", flag.ContinueOnError)
	flags.SetOutput(stdout)
	dir := flags.String("dir", "", "check this folder instead of the locales embedded in the binary")
	if err := flags.Parse(args); err != nil {
		return err
	}
	fsys := fs.FS(locales.FS)
	if *dir != "" {
		fsys = os.DirFS(*dir)
	}
	report, err := i18n.Check(fsys)
	if err != nil {
		return err
	}
	if err := report.Write(stdout); err != nil {
		return err
	}
	if !report.OK() {
		return fmt.Errorf("locales check found %d error(s)", len(report.Errors))
	}
	return nil
}
