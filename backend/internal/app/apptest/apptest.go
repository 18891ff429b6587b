// Package apptest runs the whole portal in a test: the real app.New on a fresh database (SQLite,
// or PostgreSQL with Each), served on a loopback port, with the dev identity provider, so HTTP
// tests log in through the real OpenID Connect flow and talk to the real middleware.
//
//	func TestCases(t *testing.T) {
//		apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
//			c := p.LoginAs(t, apptest.PID(t, 1990, 1))       // a synthetic national id
//			r := c.Get(t, "/api/v1/me")                        // cookie sent, CSRF header added on unsafe methods
//			r.Status(t, 200)
//			var me struct{ ID string }
//			r.JSON(t, &me)
//			p.DB.NewInsert()…                                  // arrange rows directly
//		})
//	}
//
// Every Portal checks its captured log at cleanup: a line holding a valid national identity number
// fails the test, so every HTTP test of every package also proves no pid reaches the logs.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/app"
	"minside/backend/internal/config"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// Portal is a running portal.
type Portal struct {
	App   *app.App
	DB    *store.DB
	URL   string // http://127.0.0.1:<port>, also the configured BaseURL
	Clock *Clock // the portal's clock; Advance it to expire sessions and relations

	logs *logBuffer
}

// Option adjusts a test portal.
type Option func(*settings)

type settings struct {
	databaseURL string
	configure   []func(*config.Config)
	start       time.Time
	appOptions  []app.Option
}

// WithDatabaseURL runs on the given database (e.g. storetest.PostgresURL(t)) instead of a temp
// SQLite file. Each does this for PostgreSQL, faster (schemas are reused, emptied).
func WithDatabaseURL(u string) Option { return func(s *settings) { s.databaseURL = u } }

// WithConfig changes the test configuration before the portal starts (BaseURL and the OIDC issuer
// are set from the listener afterwards).
func WithConfig(fn func(*config.Config)) Option {
	return func(s *settings) { s.configure = append(s.configure, fn) }
}

// WithAppOptions passes options to app.New (e.g. app.WithLockClient).
func WithAppOptions(opts ...app.Option) Option {
	return func(s *settings) { s.appOptions = append(s.appOptions, opts...) }
}

// WithTime starts the portal's clock at t instead of now.
func WithTime(t time.Time) Option { return func(s *settings) { s.start = t } }

// Each runs fn on a portal over SQLite and, when MINSIDE_TEST_POSTGRES_DSN is set, again over an
// empty PostgreSQL schema of its own, as subtests "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, p *Portal), opts ...Option) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Start(t, opts...)) })
	if os.Getenv(storetest.PostgresDSNEnv) != "" {
		t.Run("postgres", func(t *testing.T) {
			fn(t, Start(t, append(append([]Option(nil), opts...), WithDatabaseURL(PostgresURL(t)))...))
		})
	}
}

// Start runs the portal until the test ends. It fails the test if the portal does not start.
func Start(t testing.TB, opts ...Option) *Portal {
	t.Helper()
	var st settings
	for _, o := range opts {
		o(&st)
	}
	dir := t.TempDir()
	if st.databaseURL == "" {
		st.databaseURL = "sqlite:" + filepath.Join(dir, "minside.db")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("apptest: listen: %v", err)
	}
	base := "http://" + ln.Addr().String()

	cfg := config.Default()
	cfg.Env = config.ModeDev
	cfg.DataDir = dir
	cfg.DatabaseURL = st.databaseURL
	cfg.SeedDemo = false
	cfg.LogLevel = "debug"
	cfg.ShutdownTimeout = 5 * time.Second
	// A loaded test machine can take seconds over a request that takes milliseconds alone; tests
	// of the deadline itself set their own (WithConfig).
	cfg.DBTimeout = 10 * time.Second
	cfg.PIDKey, cfg.OIDCClientSecret = randomHex(t), randomHex(t)
	for _, fn := range st.configure {
		fn(&cfg)
	}
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = base
	cfg.OIDCIssuer = base + "/dev-idp"
	if err := cfg.Validate(); err != nil {
		_ = ln.Close()
		t.Fatalf("apptest: config: %v", err)
	}

	clock := NewClock(st.start)
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, log, append([]app.Option{app.WithNow(clock.Now), app.WithDevIdPKey(signingKey(t))}, st.appOptions...)...)
	if err != nil {
		cancel()
		_ = ln.Close()
		t.Fatalf("apptest: start portal: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln) }()
	p := &Portal{App: a, DB: a.DB, URL: base, Clock: clock, logs: logs}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, net.ErrClosed) {
				t.Errorf("apptest: portal stopped with: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("apptest: portal did not stop within 10 s")
		}
		_ = a.Close()
		p.CheckLogs(t)
	})
	return p
}

// Logs returns everything the portal logged so far (slog text format).
func (p *Portal) Logs() string { return p.logs.String() }

// FindPIDs returns every valid national identity number (synthetic ones included, under either
// control-digit rule) in s; pid.FindLeaks is the one checker.
func FindPIDs(s string) []string { return pid.FindLeaks(s) }

// CheckLogs fails the test if any captured log line holds a valid national identity number. Start
// calls it at cleanup; call it earlier to fail closer to the cause.
func (p *Portal) CheckLogs(t testing.TB) {
	t.Helper()
	for _, line := range bytes.Split([]byte(p.Logs()), []byte("\n")) {
		if found := FindPIDs(string(line)); len(found) > 0 {
			t.Errorf("apptest: a national identity number (%s) is in the log: %s", pid.Mask(found[0]),
				pid.MaskDigitRuns(string(line)))
		}
	}
}

// Clock is a test clock that runs with real time from a start, and jumps when told to.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock starts at start (zero: now).
func NewClock(start time.Time) *Clock {
	c := &Clock{}
	if !start.IsZero() {
		c.offset = time.Until(start)
	}
	return c
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward (or back, with a negative d).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// ToNextMinute moves the clock forward to the start of its next minute. What the portal stamps by
// the minute (the overview's ETag) then stays the same for the minute that follows: a test that
// compares two answers fails when the clock turns a minute between them.
func (c *Clock) ToNextMinute() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now().Add(c.offset)
	c.offset += now.Truncate(time.Minute).Add(time.Minute).Sub(now)
}

// logBuffer collects log output from concurrent requests.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testKey is the dev identity provider's signing key, made once per test binary: generating an
// RSA key takes longer than the rest of a portal's start. Tokens of one portal are still refused
// by another: each has its own issuer URL and client secret.
var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

func signingKey(t testing.TB) *rsa.PrivateKey {
	key, err := testKey()
	if err != nil {
		t.Fatalf("apptest: signing key: %v", err)
	}
	return key
}

func randomHex(t testing.TB) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("apptest: random: %v", err)
	}
	return hex.EncodeToString(b)
}
