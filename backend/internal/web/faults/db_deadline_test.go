// Package faults_test drives the whole portal through the faults of its surroundings: a database
// that hangs, request bodies that are too large or come unauthenticated by the megabyte.
package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/store/storetest"
)

// dbTimeout is the deadline the tests give the portal; answers must come within slack of it.
const (
	dbTimeout = time.Second
	slack     = 500 * time.Millisecond
)

func withDBTimeout(d time.Duration) apptest.Option {
	return apptest.WithConfig(func(c *config.Config) { c.DBTimeout = d })
}

// touchpoints is a logged-in citizen and an agency, with one case of the citizen's pushed by it:
// the requests the outage report named, each touching the database.
type touchpoints struct {
	citizen *apptest.Client
	agency  *apptest.Client
	number  string
	version int
}

func newTouchpoints(t *testing.T, p *apptest.Portal, n int) *touchpoints {
	t.Helper()
	number := apptest.PID(t, 1979, n)
	_, key, _, err := p.App.Agencies.Create(context.Background(), "byggesak", "Byggesak", "")
	if err != nil {
		t.Fatal(err)
	}
	agency := p.Anonymous(t)
	agency.Header.Set("Authorization", "Bearer "+key.Key)
	tp := &touchpoints{citizen: p.LoginAs(t, number), agency: agency, number: number}
	tp.putCase(t).Status(t, http.StatusCreated)
	return tp
}

func (tp *touchpoints) putCase(t *testing.T) *apptest.Response {
	t.Helper()
	tp.version++
	body, err := json.Marshal(map[string]any{
		"pid": tp.number, "title": map[string]string{"nb": "Byggesøknad: garasje"}, "kind": "building_permit",
		"area": "building", "status": "received", "deepLink": "https://byggesak.example.no/sak/1", "version": tp.version,
	})
	if err != nil {
		t.Fatal(err)
	}
	req := tp.agency.NewRequest(t, http.MethodPut, "/api/agency/v1/cases/c1", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return tp.agency.Do(t, req)
}

// requests are the five touchpoints, each answering with the response.
func (tp *touchpoints) requests() []struct {
	name string
	do   func(t *testing.T) *apptest.Response
} {
	return []struct {
		name string
		do   func(t *testing.T) *apptest.Response
	}{
		{"overview", func(t *testing.T) *apptest.Response { return tp.citizen.Get(t, "/api/v1/me/overview") }},
		{"case list", func(t *testing.T) *apptest.Response { return tp.citizen.Get(t, "/api/v1/cases") }},
		{"agency GET", func(t *testing.T) *apptest.Response { return tp.agency.Get(t, "/api/agency/v1/cases/c1") }},
		{"agency PUT", tp.putCase},
		{"read-all", func(t *testing.T) *apptest.Response {
			return tp.citizen.Send(t, http.MethodPost, "/api/v1/notifications/read-all", nil)
		}},
	}
}

// unavailableInTime fails unless the answer is 503 problem+json "unavailable" with Retry-After,
// within the deadline and its slack.
func unavailableInTime(t *testing.T, name string, do func(t *testing.T) *apptest.Response) {
	t.Helper()
	start := time.Now()
	r := do(t)
	took := time.Since(start)
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("%s: %d after %s, want 503: %.300s", name, r.StatusCode, took, r.Body)
		return
	}
	if pr := r.Problem(t); pr.Code != "unavailable" || r.Header.Get("Retry-After") == "" {
		t.Errorf("%s: problem %+v, Retry-After %q", name, pr, r.Header.Get("Retry-After"))
	}
	if took > dbTimeout+slack {
		t.Errorf("%s: 503 after %s, want within %s", name, took, dbTimeout+slack)
	}
	t.Logf("%s: 503 after %s", name, took.Round(time.Millisecond))
}

// recovers waits until every touchpoint answers 2xx again.
func (tp *touchpoints) recovers(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, rq := range tp.requests() {
		for {
			r := rq.do(t)
			if r.StatusCode < 300 {
				break
			}
			if rq.name == "agency PUT" && r.StatusCode == http.StatusConflict {
				break // a PUT that was written before its answer was lost: the version is taken
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still %d ten seconds after the database came back: %.300s", rq.name, r.StatusCode, r.Body)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// TestHungPostgresAnswers503InTime: with every byte to PostgreSQL held (connections open, nothing
// answered), each request that touches the database answers 503 problem+json within the deadline
// instead of waiting for TCP; when the bytes flow again, everything works without a restart.
func TestHungPostgresAnswers503InTime(t *testing.T) {
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		t.Log("MINSIDE_TEST_POSTGRES_DSN is not set: the hung-database test needs PostgreSQL")
		return
	}
	dsn, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := startStallingProxy(t, dsn.Host)
	dsn.Host = proxy.addr
	p := apptest.Start(t, apptest.WithDatabaseURL(dsn.String()), withDBTimeout(dbTimeout))
	tp := newTouchpoints(t, p, 11)
	for _, rq := range tp.requests() {
		if r := rq.do(t); r.StatusCode >= 300 {
			t.Fatalf("%s before the hang: %d %.300s", rq.name, r.StatusCode, r.Body)
		}
	}
	anon := p.Anonymous(t)

	proxy.pause()
	for _, rq := range tp.requests() {
		unavailableInTime(t, rq.name, rq.do)
	}
	unavailableInTime(t, "readyz", func(t *testing.T) *apptest.Response { return anon.Get(t, "/readyz") })

	proxy.resume()
	tp.recovers(t)
	anon.Get(t, "/readyz").Status(t, http.StatusOK)
}

// TestLockedSQLiteAnswersInTime: SQLite has one writer; while another holds the write lock (a
// long migration, a stuck process on the same file), a write waits for the lock no longer than the
// deadline (busy_timeout follows MINSIDE_DB_TIMEOUT; today's 5 s wait outlived the request) and
// answers 503; a read is not blocked by a writer at all in WAL mode. When the lock is released,
// everything works again.
func TestLockedSQLiteAnswersInTime(t *testing.T) {
	p := apptest.Start(t, withDBTimeout(dbTimeout))
	tp := newTouchpoints(t, p, 12)
	ctx := context.Background()
	holder, err := p.DB.DB.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Close() }()
	if _, err := holder.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	for _, rq := range tp.requests() {
		switch rq.name {
		case "overview", "case list":
			start := time.Now()
			rq.do(t).Status(t, http.StatusOK)
			if took := time.Since(start); took > slack {
				t.Errorf("%s waited %s behind a writer", rq.name, took)
			}
		default: // the agency GET writes its audit row
			unavailableInTime(t, rq.name, rq.do)
		}
	}
	if _, err := holder.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	tp.recovers(t)
}
