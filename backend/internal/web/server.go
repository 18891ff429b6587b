// Package web is the thin HTTP layer of Min side: it parses requests, calls one service method and
// answers. Routes are listed in routes.go; every error leaves through problem.go.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"minside/backend/internal/auth/login"
	"minside/backend/internal/citizens"
	"minside/backend/internal/config"
	"minside/backend/internal/console"
	"minside/backend/internal/i18n"
	"minside/backend/internal/ideas"
	"minside/backend/internal/live"
	"minside/backend/internal/messages"
	"minside/backend/internal/open311"
	"minside/backend/internal/overview"
	"minside/backend/internal/paging"
	"minside/backend/internal/reports"
	"minside/backend/internal/represent"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
	"minside/backend/internal/translate"
)

// Translator localizes message keys for a language; the i18n bundle implements it.
type Translator interface {
	// Negotiate picks a supported language from a saved preference and an Accept-Language header.
	Negotiate(saved, acceptLanguage string) string
	// Translate renders a message id in lang, falling back along the language chain.
	Translate(lang, id string, data map[string]any) string
}

// Catalog lists the supported languages and hands out each one's messages after fallback.
type Catalog interface {
	Languages() []i18n.Language
	Has(code string) bool
	Messages(lang string) map[string]any
}

// Readiness answers whether the database is reachable and migrated.
type Readiness interface {
	Ready(ctx context.Context) error
}

// Deps is everything the web layer needs; the command builds it once.
type Deps struct {
	Config     config.Config
	Log        *slog.Logger // already redacting (logredact): app.New wraps it once for every component
	Translator Translator
	Catalog    Catalog // the languages and message sets the PWA downloads
	Ready      Readiness
	Registry   *prometheus.Registry // metrics are registered here, never on a global registry
	PWA        fs.FS                // the built app (or the placeholder page), served at /
	Now        func() time.Time

	// Citizen login, sessions and representation (nil in tests of the bare server: the citizen API
	// then answers 401 and /auth is not found).
	DB       *store.DB
	Citizens *citizens.Directory
	Sessions *sessions.Store
	Login    *login.Client
	Access   represent.Access
	// AddressPseudonym is a keyed hash of a client address, for counters that must not write the
	// address down (the login limit, auth_limit.go).
	AddressPseudonym func(addr string) string
	DevIdP           http.Handler // the dev identity provider, mounted at /dev-idp; nil outside dev mode
	// NeedsActions counts what each person must do (GET /api/v1/me "represents[].needsAction"), in
	// one query; the overview service provides it. nil answers 0.
	NeedsActions func(ctx context.Context, views []represent.View) ([]int, error)
	Notify       *NotifyDeps // web push, preferences, "what we sent you"
	// Citizen actions, calendar feed and the citizen's own data.
	Citizen CitizenActions
	// Messages on cases with attachments (citizen_messages.go, agency_messages.go); routes only when set.
	Messages *messages.Service
	// The idea channel (citizen_ideas.go, agency_ideas.go); routes only when set.
	Ideas *ideas.Service

	// Reports is the reporting service (citizen_reports.go, agency_reports.go); routes only when set.
	Reports *reports.Service

	// Cursors seals the cursors of every citizen list and of the changes feed (citizen_query.go).
	Cursors *paging.Sealer

	// Overview, lists, changes feed and live updates
	Overview *overview.Service
	Live     *live.Broker
	// CaseSeen runs in the transaction of a person's first open of a case (the case.seen webhook).
	CaseSeen overview.SeenHook

	// Translator console: nil leaves /api/v1/translate unrouted
	Translate *translate.Console
	// Agency API (agency_*.go); its routes are registered only when Agencies and Records are set.
	// The bulk route's Idempotency-Key uses DB.
	Agencies AgencyAuthenticator
	Records  AgencyRecords
	Webhooks WebhookPinger // POST /api/agency/v1/webhook/ping; unrouted when nil

	// Agency console (console*.go): agency editors' tiles and notices; routes only when set.
	Console *console.Service

	// Open311 GeoReport v2 at /open311/v2 (open311.go); routes only when set.
	Open311 open311.Backend
}

// Server is the Fiber application with its dependencies.
type Server struct {
	app     *fiber.App
	deps    Deps
	metrics *httpMetrics
	static  *staticFiles
	cookie  sessionCookie
	csp     string // the Content-Security-Policy of this deployment (contentSecurityPolicyFor)
}

// New builds the application with every route registered.
func New(deps Deps) (*Server, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &Server{deps: deps, csp: contentSecurityPolicyFor(deps.Config)}
	var err error
	if s.cookie, err = newSessionCookie(deps.Config); err != nil {
		return nil, err
	}
	if s.metrics, err = newHTTPMetrics(deps.Registry); err != nil {
		return nil, err
	}
	if s.static, err = loadStatic(deps.PWA); err != nil {
		return nil, err
	}
	// The agency bulk route takes more than the global body limit; limitBody enforces each route's
	// limit before the body is read, which StreamRequestBody makes possible, and the bulk handler
	// reads its body as a stream after authentication (body_limit.go).
	s.app = fiber.New(fiber.Config{
		AppName:               "minside",
		BodyLimit:             max(deps.Config.BodyLimit, agencyBulkBodyLimit, deps.Config.UploadLimit),
		StreamRequestBody:     true,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           deps.Config.HTTPReadTimeout,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           deps.Config.HTTPIdleTimeout,
		// Values kept beyond a handler are copied explicitly; see FIELD-NOTES on buffer reuse.
		Immutable:               false,
		EnableTrustedProxyCheck: len(deps.Config.TrustedProxies) > 0,
		TrustedProxies:          deps.Config.TrustedProxies,
		ProxyHeader:             proxyHeader(deps.Config.TrustedProxies),
		// The answers' encoder: the same output as encoding/json's, at about half its CPU (the
		// overview is most of a request's Go time after the database).
		JSONEncoder: json.Marshal,
	})
	// A declared length over the route's limit is answered 413 before "100 Continue" is sent.
	s.app.Server().HeaderReceived = s.headerReceived
	s.app.Server().ErrorHandler = closeSilentlyWhenNothingWasRead(s.app.Server().ErrorHandler)
	s.routes()
	return s, nil
}

// closeSilentlyWhenNothingWasRead keeps the server from answering on a connection that never
// carried a byte of a request: a client's spare keep-alive connection that reached the read
// timeout. fasthttp hands such an error to the error handler unwrapped (an error after the first
// byte comes wrapped, e.g. "error when reading request headers: …"), and Fiber would answer it
// (408, which became a 400 problem), an unsolicited response the client logs as a broken idle
// connection. Closing the connection first makes fasthttp's write of the answer go nowhere.
func closeSilentlyWhenNothingWasRead(next func(*fasthttp.RequestCtx, error)) func(*fasthttp.RequestCtx, error) {
	return func(ctx *fasthttp.RequestCtx, err error) {
		if _, nothingRead := err.(net.Error); nothingRead { //nolint:errorlint // only the unwrapped error means nothing was read
			_ = ctx.Conn().Close()
			return
		}
		next(ctx, err)
	}
}

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

// App exposes the Fiber app for listening and for tests (app.Test).
func (s *Server) App() *fiber.App { return s.app }

// Serve serves on ln until ctx ends, then lets in-flight requests finish within the shutdown
// timeout. Connections that never sent a byte are closed at once: fasthttp's shutdown closes only
// connections idle between requests, and counts one that waits for its first request as busy, so
// a client's spare connection, dialled ahead of need, would hold the shutdown for the whole read
// timeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	conns := &openConns{Listener: ln, open: map[*trackedConn]struct{}{}}
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listener(conns) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), s.deps.Config.ShutdownTimeout)
	defer cancel()
	go conns.closeSilent(shutdown)
	err := s.app.ShutdownWithContext(shutdown)
	// fasthttp closes only the listeners it has taken: if the shutdown came first, Listener
	// would take this one afterwards and serve on, so it is closed here too (twice is harmless).
	_ = ln.Close()
	if err != nil {
		return err
	}
	return <-errc
}

// requestGrace is how long a connection may stay silent after it was accepted before a shutdown
// counts it as unused: a client that connected just before the shutdown has its request on the way.
const requestGrace = 250 * time.Millisecond

// openConns is a listener that keeps the connections it accepted, to tell which never sent a byte.
type openConns struct {
	net.Listener
	mu   sync.Mutex
	open map[*trackedConn]struct{}
}

type trackedConn struct {
	net.Conn
	owner    *openConns
	accepted time.Time
	spoke    atomic.Bool // a byte of a request was read
}

func (l *openConns) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, owner: l, accepted: time.Now()}
	l.mu.Lock()
	l.open[tc] = struct{}{}
	l.mu.Unlock()
	return tc, nil
}

func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.spoke.Store(true)
	}
	return n, err
}

func (c *trackedConn) Close() error {
	c.owner.mu.Lock()
	delete(c.owner.open, c)
	c.owner.mu.Unlock()
	return c.Conn.Close()
}

// closeSilent closes, until ctx ends, every connection that has said nothing for requestGrace
// since it was accepted; the listener is closed, so no new ones arrive.
func (l *openConns) closeSilent(ctx context.Context) {
	tick := time.NewTicker(requestGrace / 5)
	defer tick.Stop()
	for {
		var silent []*trackedConn
		l.mu.Lock()
		for c := range l.open {
			if !c.spoke.Load() && time.Since(c.accepted) >= requestGrace {
				silent = append(silent, c)
			}
		}
		l.mu.Unlock()
		for _, c := range silent {
			_ = c.Close()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
