// Package store opens the database (embedded SQLite or PostgreSQL) behind one Bun handle, applies
// the embedded migrations and answers readiness. Everything above it is dialect-agnostic except
// for the few helpers here that are not.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver (pure Go, no cgo)
)

// Kind names the database engine in use.
type Kind string

const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// DB is the shared database handle. It embeds *bun.DB so callers use Bun directly.
type DB struct {
	*bun.DB
	Kind Kind
	// DSN is the driver connection string (for PostgreSQL LISTEN connections). It may hold a password:
	// never log it.
	DSN string
	// Timeout is the request deadline the database was opened for (WithTimeout); zero when none.
	Timeout time.Duration

	roundTrips *roundTripHook
	// backgroundConns is the size of the pool Background opens (PostgreSQL).
	backgroundConns int
}

// Option adjusts how Open connects.
type Option func(*DB)

// statementSlack is how many request deadlines one PostgreSQL statement may run on the server.
// The request's own deadline is what answers the client (its connection is closed then); this
// bound ends the statement the client gave up on, which PostgreSQL would otherwise run on, e.g.
// waiting for a lock. It is wider than a request so that maintenance (the janitor's deletes after
// a long pause) and a bulk batch are not cut short.
const statementSlack = 10

// WithTimeout makes the database itself keep to a request deadline d as well: on PostgreSQL every
// pooled connection gets statement_timeout = statementSlack × d (migrations run without it); on
// SQLite, busy_timeout = d, how long a write waits for the write lock, a wait that no context can
// interrupt.
func WithTimeout(d time.Duration) Option { return func(db *DB) { db.Timeout = d } }

// sqlitePragmas are set on every pooled connection through the DSN: a PRAGMA run with Exec would
// reach only one connection of the pool. busy_timeout follows.
var sqlitePragmas = []string{
	"foreign_keys(1)",
	"journal_mode(WAL)",
	"synchronous(NORMAL)",
}

// sqliteBusyTimeout is how long a writer waits for SQLite's write lock without WithTimeout.
const sqliteBusyTimeout = 5 * time.Second

// Open connects to the database named by a MINSIDE_DATABASE_URL value: "sqlite:<path>" or
// "postgres://…". For SQLite it creates the parent folder and verifies the pragmas took effect.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*DB, error) {
	var o DB
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case strings.HasPrefix(databaseURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(databaseURL, "sqlite:"), o.Timeout)
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return openPostgres(ctx, databaseURL, o.Timeout)
	default:
		return nil, fmt.Errorf("store: database URL must start with sqlite: or postgres:// (got scheme %q)", scheme(databaseURL))
	}
}

func newDB(bdb *bun.DB, kind Kind, dsn string, timeout time.Duration) *DB {
	db := &DB{DB: bdb, Kind: kind, DSN: dsn, Timeout: timeout, roundTrips: &roundTripHook{}}
	db.AddQueryHook(db.roundTrips)
	return db
}

func scheme(u string) string {
	if i := strings.Index(u, ":"); i > 0 {
		return u[:i]
	}
	return ""
}

func openSQLite(ctx context.Context, path string, timeout time.Duration) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("store: sqlite: empty path")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("store: sqlite: create folder: %w", err)
		}
	}
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	busy := sqliteBusyTimeout
	if timeout > 0 {
		busy = timeout
	}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	// Write transactions take the write lock at BEGIN, so two writers queue on busy_timeout
	// instead of failing with SQLITE_BUSY when a read lock cannot be upgraded.
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: open: %w", err)
	}
	// One writer at a time is SQLite's rule; readers never block it in WAL mode.
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := newDB(bun.NewDB(sqldb, sqlitedialect.New()), SQLite, dsn, timeout)
	if err := db.verifySQLitePragmas(ctx, busy); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// verifySQLitePragmas checks on a few pooled connections that the DSN pragmas really applied.
func (db *DB) verifySQLitePragmas(ctx context.Context, busy time.Duration) error {
	want := map[string]string{"foreign_keys": "1", "busy_timeout": strconv.FormatInt(busy.Milliseconds(), 10), "journal_mode": "wal"}
	conns := make([]*sql.Conn, 0, 2)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range 2 {
		conn, err := db.DB.DB.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: sqlite: connect: %w", err)
		}
		conns = append(conns, conn)
		for name, value := range want {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
				return fmt.Errorf("store: sqlite: read pragma %s: %w", name, err)
			}
			if strings.ToLower(got) != value {
				return fmt.Errorf("store: sqlite: pragma %s is %q, want %q", name, got, value)
			}
		}
	}
	return nil
}

func openPostgres(ctx context.Context, dsn string, timeout time.Duration) (*DB, error) {
	cfg, sizes, err := postgresConfig(dsn, timeout)
	if err != nil {
		return nil, err
	}
	db, err := openPostgresPool(ctx, cfg, sizes.requests, dsn, timeout)
	if err != nil {
		return nil, err
	}
	db.backgroundConns = sizes.background
	return db, nil
}

// postgresConfig is how every pooled connection is configured, for both pools, and the pools'
// sizes from the URL.
func postgresConfig(dsn string, timeout time.Duration) (*pgx.ConnConfig, poolSizes, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, poolSizes{}, fmt.Errorf("store: postgres: parse the database URL: %w", err) // err names no password
	}
	// Bun sends every statement as text with its arguments already in it, so no two statements share
	// a text and pgx's default (prepare each new text, then execute it: two round trips, and a
	// statement cache that only churns) costs a round trip for nothing. Exec sends parse, bind and
	// execute together: one statement, one round trip. A DSN that names a mode keeps it.
	if _, named := cfg.RuntimeParams["default_query_exec_mode"]; !named && !strings.Contains(dsn, "default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	// Times that come back inside JSON (Reads) are text in the session's time zone: UTC keeps them
	// what a scanned TIMESTAMPTZ is, whatever the server's default.
	if _, set := cfg.RuntimeParams["timezone"]; !set {
		cfg.RuntimeParams["timezone"] = "UTC"
	}
	if timeout > 0 {
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt((statementSlack * timeout).Milliseconds(), 10)
	}
	sizes, err := poolSizesFrom(cfg.RuntimeParams)
	if err != nil {
		return nil, poolSizes{}, err
	}
	return cfg, sizes, nil
}

func openPostgresPool(ctx context.Context, cfg *pgx.ConnConfig, maxConns int, dsn string, timeout time.Duration) (*DB, error) {
	sqldb := stdlib.OpenDB(*cfg)
	sqldb.SetMaxOpenConns(maxConns)
	sqldb.SetMaxIdleConns(maxConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := newDB(bun.NewDB(sqldb, pgdialect.New()), Postgres, dsn, timeout)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: postgres: connect: %w", err)
	}
	return db, nil
}

// Background opens the handle for the portal's background work (the outbox worker and its
// handlers, the janitor, reminders, sweeps). On PostgreSQL it is a pool of its own,
// worker_pool_max_conns connections: a fan-out that keeps every handler busy then waits for its
// own connections instead of taking the ones citizens' requests queue for, so the request pool can
// be sized to the server's cores. On SQLite it is db itself: one file and one writer, where a
// second pool would only add connections contending for the same lock. Close it only when it is
// not db.
func (db *DB) Background(ctx context.Context) (*DB, error) {
	if db.Kind != Postgres {
		return db, nil
	}
	cfg, _, err := postgresConfig(db.DSN, db.Timeout)
	if err != nil {
		return nil, err
	}
	return openPostgresPool(ctx, cfg, db.backgroundConns, db.DSN, db.Timeout)
}

// defaultPoolMaxConns is a replica's connection limit for each of its two pools (requests, and
// background work) unless the URL names pool_max_conns or worker_pool_max_conns: twice the cores
// the portal runs on, at least 4. More connections than about twice the database server's cores
// only queue inside PostgreSQL, where the tail grows: 20 connections gave p99 581–966 ms at 70 % of
// peak on two cores, 4 gave 16–64 ms at the same or a higher rate (docs/performance.md). With
// several replicas on one server, name a smaller pool_max_conns (docs/deploy.md, Sizing).
func defaultPoolMaxConns() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

type poolSizes struct{ requests, background int }

// poolSizesFrom takes pool_max_conns (pgxpool's name for it) and worker_pool_max_conns out of the
// URL's parameters, which would otherwise go to the server as settings it does not know: the
// connections one replica may hold for requests and for background work, so that replicas ×
// (both) fit the server's max_connections or a pooler's pool.
func poolSizesFrom(params map[string]string) (poolSizes, error) {
	requests, err := poolSize(params, "pool_max_conns")
	if err != nil {
		return poolSizes{}, err
	}
	background, err := poolSize(params, "worker_pool_max_conns")
	if err != nil {
		return poolSizes{}, err
	}
	return poolSizes{requests: requests, background: background}, nil
}

// poolSize takes the parameter name out of params: its whole number, or the default when unnamed.
func poolSize(params map[string]string, name string) (int, error) {
	v, named := params[name]
	if !named {
		return defaultPoolMaxConns(), nil
	}
	delete(params, name)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, fmt.Errorf("store: postgres: %s %q in the database URL must be a whole number from 1 to 1000", name, v)
	}
	return n, nil
}

// ConnConfig is the configuration of a connection of its own to the database (one that holds a
// session, such as LISTEN), read from the URL as the pool reads it, without the pool's own
// parameters, which the server would refuse as unknown settings.
func (db *DB) ConnConfig() (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(db.DSN)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: parse the database URL: %w", err)
	}
	if _, err := poolSizesFrom(cfg.RuntimeParams); err != nil {
		return nil, err
	}
	return cfg, nil
}
