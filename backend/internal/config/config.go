// Package config is the one configuration of Min side: a struct with defaults, filled from
// MINSIDE_* environment variables (secrets also from *_FILE), validated before anything starts.
// The command passes it down; nothing else reads the environment.
package config

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"minside/backend/internal/push"
)

// Modes.
const (
	ModeDev        = "dev"
	ModeProduction = "production"
)

// Config holds every setting. Secrets are tagged so they are never printed.
type Config struct {
	Env         string // "dev" or "production"
	Addr        string
	BaseURL     string // public origin, e.g. https://minside.kommune.no
	DatabaseURL string
	DataDir     string // where dev mode keeps its generated secrets and the SQLite file

	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string `secret:"true"`
	RequiredACR      string // level for login
	StepUpACR        string // level for sensitive actions such as opening a door

	PIDKey string `secret:"true"` // HMAC key of the national-id pseudonym

	SessionIdle     time.Duration
	SessionAbsolute time.Duration

	VAPIDPublicKey  string
	VAPIDPrivateKey string `secret:"true"`
	VAPIDSubject    string
	// PushAllowedHosts is MINSIDE_PUSH_ALLOWED_HOSTS as given, interpreted by push.ParseAllowList:
	// "" means push.DefaultAllowList; a non-empty list replaces the defaults (add "default" to
	// keep them); "host:port" admits exactly that host, even on a private address.
	PushAllowedHosts string

	// DoorTokenKey signs the short-lived door tokens (HS256), shared with the agencies' lock adapters.
	DoorTokenKey string `secret:"true"`
	// WebhookAllowPrivate lets webhooks reach loopback and private addresses: for tests and for
	// operators whose agency systems live on the internal network. Off, such URLs are refused.
	WebhookAllowPrivate bool

	BodyLimit int
	// DBTimeout bounds the database work of one request (and each statement on PostgreSQL, each
	// wait for SQLite's write lock): a database that hangs answers 503 instead of holding the
	// request open.
	DBTimeout time.Duration
	// LoginLimit is how many logins one client address may start a minute, and how many login
	// callbacks it may make (counted apart). Both write to the database before anyone has proven
	// anything, so they are the flood to guard against; it is generous because a library or a
	// school puts many people behind one address.
	LoginLimit int
	// Open311PostLimit is how many POST requests.json one client address may send a minute (a
	// FixMyStreet installation sends all its reports from one address: generous). ReportAnonymousLimit
	// is how many reports without login one address may send an hour (a flood without an account
	// to block; a library or school shares one address, so it is not one).
	Open311PostLimit     int
	ReportAnonymousLimit int

	ShutdownTimeout time.Duration
	// HTTPReadTimeout bounds reading one request (and waiting for the first one on a new
	// connection); HTTPIdleTimeout how long a keep-alive connection may wait for the next. Tests
	// shorten them.
	HTTPReadTimeout time.Duration
	HTTPIdleTimeout time.Duration
	// How long the janitor keeps the append-only histories; zero takes its defaults (audit log 5
	// years: it is the citizen's access log; door openings 1 year; notification deliveries 90 days).
	AuditRetention    time.Duration
	KeyUseRetention   time.Duration
	DeliveryRetention time.Duration
	// TaskRemindAfter is how long an open task nobody has opened waits before it is announced
	// again by push, once.
	TaskRemindAfter time.Duration
	LogLevel        string
	SeedDemo        bool // seed demo data into an empty database (dev default)
	TrustedProxies  []string
	// OutboxBatch is how many outbox messages a worker claims at once, OutboxConcurrency how many
	// of them it handles at a time; the worker works on two claimed batches at once. A
	// notification fan-out writes a whole batch of events in one transaction, so small batches
	// spend more of a burst on statements and claims than on sending (docs/performance.md, "Time
	// to notify many subscribed devices").
	OutboxBatch       int
	OutboxConcurrency int

	// FilesDir is where uploaded files (message attachments) live on the local disk; empty means
	// <DataDir>/files. When S3Endpoint is set the files go to that bucket instead, which every
	// replica shares: several replicas need it.
	FilesDir    string
	S3Endpoint  string // https://s3.example.no
	S3Region    string
	S3Bucket    string
	S3AccessKey string `secret:"true"`
	S3SecretKey string `secret:"true"`
	// UploadLimit bounds a multipart upload's body (a message with its attachments); every other
	// body keeps BodyLimit.
	UploadLimit int

	// MapTilesURL is a raster tile URL template (https://tile.example/{z}/{x}/{y}.png); empty, the
	// public reports page is a list without a map. MapTilesAttribution is the credit line the tile
	// provider asks for. MapCenter ("lat,lon") is where the public page looks first.
	MapTilesURL         string
	MapTilesAttribution string
	MapCenter           string
}

// FilesDirOrDefault is FilesDir, or files/ under the data folder.
func (c Config) FilesDirOrDefault() string {
	if c.FilesDir != "" {
		return c.FilesDir
	}
	return strings.TrimRight(c.DataDir, "/") + "/files"
}

// Default returns the configuration of a fresh dev machine.
func Default() Config {
	return Config{
		Env:             ModeDev,
		Addr:            ":8080",
		BaseURL:         "http://localhost:8080",
		DatabaseURL:     "sqlite:data/minside.db",
		DataDir:         "data",
		OIDCClientID:    "minside",
		RequiredACR:     "idporten-loa-substantial",
		StepUpACR:       "idporten-loa-substantial",
		SessionIdle:     30 * time.Minute,
		SessionAbsolute: 120 * time.Minute,
		VAPIDSubject:    "mailto:postmottak@minside.example.no",
		BodyLimit:       256 << 10,
		DBTimeout:       2 * time.Second,
		LoginLimit:      60,
		ShutdownTimeout: 15 * time.Second,
		HTTPReadTimeout: 30 * time.Second,
		HTTPIdleTimeout: 120 * time.Second,
		LogLevel:        "info",
		SeedDemo:        true,

		Open311PostLimit:     60,
		ReportAnonymousLimit: 10,

		OutboxBatch:       200,
		OutboxConcurrency: 16,
		TaskRemindAfter:   72 * time.Hour,
		UploadLimit:       26 << 20,
		MapCenter:         DefaultMapCenter,
	}
}

// Dev reports whether the portal runs in dev mode (dev identity provider, generated secrets).
func (c Config) Dev() bool { return c.Env == ModeDev }

// Load reads MINSIDE_* variables over the defaults. getenv is os.Getenv in production and a map in tests.
func Load(getenv func(string) string) (Config, error) {
	c := Default()
	var errs []error
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv("MINSIDE_" + name)); v != "" {
			*dst = v
		}
	}
	// secret reads NAME or the file named by NAME_FILE (Docker and Kubernetes secrets).
	secret := func(name string, dst *string) {
		v, file := getenv("MINSIDE_"+name), getenv("MINSIDE_"+name+"_FILE")
		switch {
		case v != "" && file != "":
			errs = append(errs, fmt.Errorf("MINSIDE_%s and MINSIDE_%s_FILE are both set; choose one", name, name))
		case file != "":
			b, err := os.ReadFile(file)
			if err != nil {
				errs = append(errs, fmt.Errorf("MINSIDE_%s_FILE: %w", name, err))
				return
			}
			*dst = strings.TrimSpace(string(b))
		case v != "":
			*dst = strings.TrimSpace(v)
		}
	}
	duration := func(name string, dst *time.Duration) {
		if v := getenv("MINSIDE_" + name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				errs = append(errs, fmt.Errorf("MINSIDE_%s: %q is not a positive duration such as 30m", name, v))
				return
			}
			*dst = d
		}
	}
	// whole reads a whole number in [lo, hi]; the error says what the number counts.
	whole := func(name string, dst *int, lo, hi int, what string) {
		if v := getenv("MINSIDE_" + name); v != "" {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < lo || n > hi {
				errs = append(errs, fmt.Errorf("MINSIDE_%s: %q must be %s, %d to %d", name, v, what, lo, hi))
				return
			}
			*dst = n
		}
	}
	list := func(name string, dst *[]string) {
		if v := getenv("MINSIDE_" + name); v != "" {
			var out []string
			for _, part := range strings.Split(v, ",") {
				if p := strings.TrimSpace(part); p != "" {
					out = append(out, p)
				}
			}
			*dst = out
		}
	}

	str("ENV", &c.Env)
	if c.Env == ModeProduction {
		c.SeedDemo = false
	}
	str("ADDR", &c.Addr)
	str("BASE_URL", &c.BaseURL)
	secret("DATABASE_URL", &c.DatabaseURL)
	str("DATA_DIR", &c.DataDir)
	str("OIDC_ISSUER", &c.OIDCIssuer)
	str("OIDC_CLIENT_ID", &c.OIDCClientID)
	secret("OIDC_CLIENT_SECRET", &c.OIDCClientSecret)
	str("REQUIRED_ACR", &c.RequiredACR)
	str("STEP_UP_ACR", &c.StepUpACR)
	secret("PID_KEY", &c.PIDKey)
	duration("SESSION_IDLE", &c.SessionIdle)
	duration("SESSION_ABSOLUTE", &c.SessionAbsolute)
	str("VAPID_PUBLIC_KEY", &c.VAPIDPublicKey)
	secret("VAPID_PRIVATE_KEY", &c.VAPIDPrivateKey)
	str("VAPID_SUBJECT", &c.VAPIDSubject)
	str("PUSH_ALLOWED_HOSTS", &c.PushAllowedHosts)
	duration("SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	duration("DB_TIMEOUT", &c.DBTimeout)
	duration("AUDIT_RETENTION", &c.AuditRetention)
	duration("KEY_USE_RETENTION", &c.KeyUseRetention)
	duration("DELIVERY_RETENTION", &c.DeliveryRetention)
	duration("TASK_REMIND_AFTER", &c.TaskRemindAfter)
	str("LOG_LEVEL", &c.LogLevel)
	list("TRUSTED_PROXIES", &c.TrustedProxies)
	secret("DOOR_TOKEN_KEY", &c.DoorTokenKey)
	if v := getenv("MINSIDE_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("MINSIDE_WEBHOOK_ALLOW_PRIVATE: %q is not true or false", v))
		}
		c.WebhookAllowPrivate = b
	}
	if v := getenv("MINSIDE_SEED_DEMO"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("MINSIDE_SEED_DEMO: %q is not true or false", v))
		}
		c.SeedDemo = b
	}
	whole("BODY_LIMIT", &c.BodyLimit, 1024, 256<<10, "a request body limit in bytes")
	whole("UPLOAD_LIMIT", &c.UploadLimit, 1<<20, 100<<20, "an upload body limit in bytes")
	str("FILES_DIR", &c.FilesDir)
	str("S3_ENDPOINT", &c.S3Endpoint)
	str("S3_REGION", &c.S3Region)
	str("S3_BUCKET", &c.S3Bucket)
	secret("S3_ACCESS_KEY", &c.S3AccessKey)
	secret("S3_SECRET_KEY", &c.S3SecretKey)
	str("MAP_TILES_URL", &c.MapTilesURL)
	str("MAP_TILES_ATTRIBUTION", &c.MapTilesAttribution)
	str("MAP_CENTER", &c.MapCenter)
	whole("LOGIN_LIMIT", &c.LoginLimit, 1, 100000, "logins a minute per client address")
	whole("OPEN311_POST_LIMIT", &c.Open311PostLimit, 1, 100000, "Open311 POSTs a minute per client address")
	whole("REPORT_ANONYMOUS_LIMIT", &c.ReportAnonymousLimit, 1, 100000, "reports without login an hour per client address")
	whole("OUTBOX_BATCH", &c.OutboxBatch, 1, 1000, "outbox messages a worker claims at once")
	whole("OUTBOX_CONCURRENCY", &c.OutboxConcurrency, 1, 64, "outbox messages a worker handles at a time")
	if c.OIDCIssuer == "" && c.Dev() {
		c.OIDCIssuer = strings.TrimRight(c.BaseURL, "/") + "/dev-idp"
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// outboxMaxRounds bounds how many rounds of Concurrency messages one claimed batch may take: the
// last message of a batch may wait that many handler timeouts (about 10 minutes) behind the others.
const outboxMaxRounds = 20

// Validate checks the configuration as a whole. In production every secret must be given and the
// dev conveniences are refused; messages name the variable to set.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Env != ModeDev && c.Env != ModeProduction {
		bad("MINSIDE_ENV must be %q or %q, not %q", ModeDev, ModeProduction, c.Env)
	}
	base, err := url.Parse(c.BaseURL)
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		bad("MINSIDE_BASE_URL must be an absolute http(s) URL such as https://minside.kommune.no")
	}
	if c.DBTimeout < 100*time.Millisecond || c.DBTimeout > time.Minute {
		bad("MINSIDE_DB_TIMEOUT (%s) must be between 100ms and 1m", c.DBTimeout)
	}
	// A batch's messages wait for each other: at worst one handler timeout (30 s) for every
	// Concurrency messages before them, so a batch many times the concurrency could hold its last
	// messages for many minutes.
	if c.OutboxBatch > outboxMaxRounds*c.OutboxConcurrency {
		bad("MINSIDE_OUTBOX_BATCH (%d) must be at most %d × MINSIDE_OUTBOX_CONCURRENCY (%d): the last message of a batch may wait one handler timeout (30 s) per %d messages before it",
			c.OutboxBatch, outboxMaxRounds, c.OutboxConcurrency, c.OutboxConcurrency)
	}
	if c.SessionAbsolute < c.SessionIdle {
		bad("MINSIDE_SESSION_ABSOLUTE (%s) must not be shorter than MINSIDE_SESSION_IDLE (%s)", c.SessionAbsolute, c.SessionIdle)
	}
	if c.Env == ModeProduction {
		if base != nil && base.Scheme != "https" {
			bad("MINSIDE_BASE_URL must be https in production")
		}
		if !strings.HasPrefix(c.DatabaseURL, "postgres") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
			bad("MINSIDE_DATABASE_URL must be sqlite:<path> or postgres://…")
		}
		required := map[string]string{
			"MINSIDE_OIDC_ISSUER":        c.OIDCIssuer,
			"MINSIDE_OIDC_CLIENT_ID":     c.OIDCClientID,
			"MINSIDE_OIDC_CLIENT_SECRET": c.OIDCClientSecret,
			"MINSIDE_PID_KEY":            c.PIDKey,
			"MINSIDE_VAPID_PUBLIC_KEY":   c.VAPIDPublicKey,
			"MINSIDE_VAPID_PRIVATE_KEY":  c.VAPIDPrivateKey,
			"MINSIDE_DOOR_TOKEN_KEY":     c.DoorTokenKey,
		}
		for _, name := range sortedKeys(required) {
			if required[name] == "" {
				bad("%s is required in production (or %s_FILE)", name, name)
			}
		}
		if strings.Contains(c.OIDCIssuer, "/dev-idp") {
			bad("MINSIDE_OIDC_ISSUER points at the dev identity provider, which is off in production")
		}
		if c.SeedDemo {
			bad("MINSIDE_SEED_DEMO is not allowed in production")
		}
	}
	if c.S3Endpoint != "" {
		if u, err := url.Parse(c.S3Endpoint); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			bad("MINSIDE_S3_ENDPOINT must be an http(s) URL such as https://s3.example.no")
		}
		if c.S3Bucket == "" || c.S3AccessKey == "" || c.S3SecretKey == "" {
			bad("MINSIDE_S3_ENDPOINT needs MINSIDE_S3_BUCKET, MINSIDE_S3_ACCESS_KEY and MINSIDE_S3_SECRET_KEY (or their _FILE)")
		}
	}
	errs = append(errs, c.validateMap()...)
	if _, err := push.ParseAllowList(c.PushAllowedHosts); err != nil {
		bad("MINSIDE_PUSH_ALLOWED_HOSTS: %v", err)
	}
	if _, err := push.ParseSubject(c.VAPIDSubject); err != nil {
		bad("MINSIDE_VAPID_SUBJECT must be a mailto: address at a real domain or an https: URL: %v", err)
	}
	if c.VAPIDPublicKey != "" || c.VAPIDPrivateKey != "" {
		if _, err := push.ParseVAPIDKeys(c.VAPIDPublicKey, c.VAPIDPrivateKey); err != nil {
			bad("MINSIDE_VAPID_PUBLIC_KEY / MINSIDE_VAPID_PRIVATE_KEY: %v (minside vapid-keys prints a new pair)", err)
		}
	}
	for name, v := range map[string]string{"MINSIDE_PID_KEY": c.PIDKey, "MINSIDE_DOOR_TOKEN_KEY": c.DoorTokenKey} {
		if v != "" && len(v) < 32 {
			bad("%s must be at least 32 characters of random (e.g. openssl rand -hex 32)", name)
		}
	}
	return errors.Join(errs...)
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
