package lockadapter_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minside/backend/internal/app"
	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/doors"
	"minside/backend/internal/keys"
	"minside/backend/internal/lockadapter"
	"minside/backend/internal/store"
	"minside/backend/internal/webhook"
)

// chain is the reference adapter over real TLS in front of a test portal, plus an adapter that
// never answers. One of each serves both engines; the portal of the running subtest sets the clock.
type chain struct {
	adapter    *httptest.Server
	hanging    *httptest.Server
	adapterKey ed25519.PublicKey
	client     *http.Client // the portal's client: egress rules of webhooks, trusting the test CA
	portal     atomic.Pointer[apptest.Portal]
	skew       atomic.Int64 // the adapter's clock minus the portal's
	down       atomic.Bool  // the adapter drops every connection
	opened     *bytes.Buffer
	openedMu   sync.Mutex
	lastToken  atomic.Value // string: the Authorization header the adapter last saw
}

const portalSecret = "chain-test-door-token-secret-32bytes!"

func newChain(t *testing.T) *chain {
	t.Helper()
	issuer, err := doors.NewIssuer([]byte(portalSecret), 0)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	c := &chain{adapterKey: pub, opened: &bytes.Buffer{}}
	a := lockadapter.New(lockadapter.Config{
		PortalKeys: []ed25519.PublicKey{issuer.PublicKey()}, Key: priv, Doors: []string{"main", "side"},
		Output: lockadapter.NewLogOutput(lockedWriter{c}),
		Now:    func() time.Time { return c.portal.Load().Clock.Now().Add(time.Duration(c.skew.Load())) },
	})
	handler := a.Handler()
	c.adapter = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.down.Load() {
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
			return
		}
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			c.lastToken.Store(tok)
		}
		handler.ServeHTTP(w, r)
	}))
	// It takes open requests and never answers; its manifest says it is broken (a hanging manifest
	// only costs the poll its timeout).
	c.hanging = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == doors.ManifestPath {
			http.Error(w, "", http.StatusInternalServerError)
			return
		}
		<-r.Context().Done()
	}))
	t.Cleanup(func() { c.hanging.Close(); c.adapter.Close() })
	pool := x509.NewCertPool()
	pool.AddCert(c.adapter.Certificate())
	pool.AddCert(c.hanging.Certificate())
	c.client = webhook.NewClient(true, 10*time.Second)
	c.client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return c
}

type lockedWriter struct{ c *chain }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.c.openedMu.Lock()
	defer w.c.openedMu.Unlock()
	return w.c.opened.Write(p)
}

func (c *chain) openedCount(door string) int {
	c.openedMu.Lock()
	defer c.openedMu.Unlock()
	return strings.Count(c.opened.String(), "open "+door+"\n")
}

// world is a citizen with keys at two facilities of one agency: Tøyen behind the reference
// adapter, Grønland behind the adapter that hangs.
type world struct {
	p        *apptest.Portal
	agency   string
	holder   string
	toyen    map[string]string // door external id → access point id
	gronland string
	facility map[string]string // external id → id
}

func newWorld(t *testing.T, p *apptest.Portal, c *chain) (*world, *apptest.Client) {
	t.Helper()
	ctx := context.Background()
	now := store.UTC(p.Clock.Now())
	pidNumber := apptest.PID(t, 1985, 1)
	w := &world{p: p, agency: p.Agency(t, "bibliotek").ID, holder: p.Citizen(t, pidNumber, "Kari Nordmann").ID,
		toyen: map[string]string{}, facility: map[string]string{}}
	// The agency takes webhooks (to an address nobody answers: the test reads the outbox).
	if _, err := p.DB.NewUpdate().Table("agencies").Set("webhook_url = ?", "https://bibliotek.example.invalid/hooks").
		Where("id = ?", w.agency).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ ext, url string }{{"toyen", c.adapter.URL}, {"gronland", c.hanging.URL}} {
		fac := &keys.Facility{ID: store.NewID(), AgencyID: w.agency, ExternalID: f.ext, Name: f.ext, CreatedAt: now, UpdatedAt: now}
		insert(t, p, fac)
		w.facility[f.ext] = fac.ID
		if _, err := doors.NewAdapters(p.DB).Set(ctx, "bibliotek", f.ext, f.url, doors.EncodePublicKey(c.adapterKey), now); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"main", "side"} {
		ap := &keys.AccessPoint{ID: store.NewID(), FacilityID: w.facility["toyen"], ExternalID: d, Name: "Tøyen " + d, CreatedAt: now}
		insert(t, p, ap)
		w.toyen[d] = ap.ID
	}
	ap := &keys.AccessPoint{ID: store.NewID(), FacilityID: w.facility["gronland"], ExternalID: "main", Name: "Grønland port", CreatedAt: now}
	insert(t, p, ap)
	w.gronland = ap.ID
	return w, p.LoginAs(t, pidNumber)
}

// key gives the holder a key open now at the facility's doors.
func (w *world) key(t *testing.T, facility string, accessPoints ...string) *keys.Key {
	t.Helper()
	now := store.UTC(w.p.Clock.Now())
	k := &keys.Key{ID: store.NewID(), AgencyID: w.agency, ExternalID: "K-" + store.NewID(), Version: 1, CitizenID: w.holder,
		FacilityID: w.facility[facility], Status: keys.StatusActive, ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(24 * time.Hour),
		CreatedAt: now, UpdatedAt: now}
	insert(t, w.p, k)
	for _, ap := range accessPoints {
		insert(t, w.p, &keys.KeyAccessPoint{KeyID: k.ID, AccessPointID: ap})
	}
	return k
}

func insert(t *testing.T, p *apptest.Portal, model any) {
	t.Helper()
	if _, err := p.DB.NewInsert().Model(model).Exec(context.Background()); err != nil {
		t.Fatalf("insert %T: %v", model, err)
	}
}

func press(t *testing.T, c *apptest.Client, k *keys.Key, accessPoint string) *apptest.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"accessPointId": accessPoint})
	req := c.NewRequest(t, http.MethodPost, "/api/v1/keys/"+k.ID+"/open", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	return c.Do(t, req)
}

func uses(t *testing.T, p *apptest.Portal, k *keys.Key) []string {
	t.Helper()
	var results []string
	if err := p.DB.NewSelect().Table("key_uses").Column("result").Where("key_id = ?", k.ID).Order("created_at").Scan(context.Background(), &results); err != nil {
		t.Fatal(err)
	}
	return results
}

func wantUnavailable(t *testing.T, r *apptest.Response) {
	t.Helper()
	prob := r.Status(t, http.StatusServiceUnavailable).Problem(t)
	if prob.Code != "unavailable" || prob.Detail != "The door is not responding right now. Try again in a moment." {
		t.Fatalf("problem %+v", prob)
	}
}

// TestDoorChainOverTLS runs the citizen's press through the portal, over TLS, to the reference
// adapter and back, on each engine.
func TestDoorChainOverTLS(t *testing.T) {
	c := newChain(t)
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		c.portal.Store(p)
		c.skew.Store(0)
		c.down.Store(false)
		ctx := context.Background()
		w, citizen := newWorld(t, p, c)

		t.Run("opened", func(t *testing.T) {
			k := w.key(t, "toyen", w.toyen["main"])
			before := c.openedCount("main")
			var got struct{ Opened bool }
			press(t, citizen, k, w.toyen["main"]).Status(t, http.StatusOK).JSON(t, &got)
			if !got.Opened || c.openedCount("main") != before+1 {
				t.Fatalf("opened %v, the lock drove main %d times", got.Opened, c.openedCount("main")-before)
			}
			if u := uses(t, p, k); len(u) != 1 || u[0] != doors.UseOpened {
				t.Fatalf("key uses %v", u)
			}
			var hooks int
			if err := p.DB.NewSelect().Table("outbox").ColumnExpr("count(*)").Where("topic = 'webhook'").
				Where("CAST(payload AS TEXT) LIKE ?", "%"+k.ExternalID+"%").Scan(ctx, &hooks); err != nil || hooks != 1 {
				t.Fatalf("%d key.used webhooks (%v)", hooks, err)
			}
			if p.App.Lock.Opened() != 0 {
				t.Fatal("the simulated lock was asked instead of the adapter")
			}

			// The token the adapter just honoured, presented again, and at the other door.
			token := c.lastToken.Load().(string)
			lock := doors.NewHTTPLock(c.client, c.adapter.URL, c.adapterKey)
			if err := lock.Open(ctx, doors.Door{ExternalID: "main"}, token); !errors.Is(err, doors.ErrTokenRefused) || !strings.Contains(err.Error(), "replayed") {
				t.Fatalf("a replayed token: %v", err)
			}
			if err := lock.Open(ctx, doors.Door{ExternalID: "side"}, token); !errors.Is(err, doors.ErrTokenRefused) || !strings.Contains(err.Error(), "audience") {
				t.Fatalf("a token for another door: %v", err)
			}
			if c.openedCount("main") != before+1 || c.openedCount("side") != 0 {
				t.Fatal("a refused token drove a lock")
			}
		})

		t.Run("expired on arrival: refused, 503", func(t *testing.T) {
			k := w.key(t, "toyen", w.toyen["main"])
			c.skew.Store(int64(2 * time.Minute)) // the lock's clock: the token expired on the way
			defer c.skew.Store(0)
			wantUnavailable(t, press(t, citizen, k, w.toyen["main"]))
			if u := uses(t, p, k); len(u) != 1 || u[0] != doors.UseRefused {
				t.Fatalf("key uses %v", u)
			}
		})

		t.Run("an adapter that hangs: 503 within the budget, failed", func(t *testing.T) {
			k := w.key(t, "gronland", w.gronland)
			start := time.Now()
			wantUnavailable(t, press(t, citizen, k, w.gronland))
			if took := time.Since(start); took > 7*time.Second {
				t.Fatalf("the citizen waited %s", took)
			}
			if u := uses(t, p, k); len(u) != 1 || u[0] != doors.UseFailed {
				t.Fatalf("key uses %v", u)
			}
		})

		t.Run("an adapter that is down: out of order on the key card", func(t *testing.T) {
			k := w.key(t, "toyen", w.toyen["main"], w.toyen["side"])
			outOfOrder := func() map[string]bool {
				var page struct {
					Items []struct {
						ID           string
						AccessPoints []struct {
							Name       string
							OutOfOrder bool
						}
					}
				}
				citizen.Get(t, "/api/v1/keys").Status(t, http.StatusOK).JSON(t, &page)
				got := map[string]bool{}
				for _, it := range page.Items {
					if it.ID == k.ID {
						for _, ap := range it.AccessPoints {
							got[ap.Name] = ap.OutOfOrder
						}
					}
				}
				return got
			}
			poll := func() {
				p.Clock.Advance(time.Minute) // past the other replicas' claim
				if err := p.App.LockPoller.Poll(ctx); err != nil {
					t.Fatal(err)
				}
			}
			poll()
			if got := outOfOrder(); len(got) != 2 || got["Tøyen main"] || got["Tøyen side"] {
				t.Fatalf("adapter up: %v", got)
			}
			c.down.Store(true)
			defer c.down.Store(false)
			var seqBefore int64
			_ = p.DB.NewSelect().Table("changes").ColumnExpr("COALESCE(MAX(seq), 0)").Scan(ctx, &seqBefore)
			poll()
			if got := outOfOrder(); !got["Tøyen main"] || !got["Tøyen side"] {
				t.Fatalf("adapter down: %v", got)
			}
			var changed int
			if err := p.DB.NewSelect().Table("changes").ColumnExpr("count(*)").Where("kind = 'key' AND object_id = ? AND seq > ?", k.ID, seqBefore).
				Scan(ctx, &changed); err != nil || changed < 1 {
				t.Fatalf("%d key changes for the open apps (%v)", changed, err)
			}
			wantUnavailable(t, press(t, citizen, k, w.toyen["main"]))
			if u := uses(t, p, k); len(u) != 1 || u[0] != doors.UseFailed {
				t.Fatalf("key uses %v", u)
			}
			c.down.Store(false)
			poll()
			if got := outOfOrder(); got["Tøyen main"] {
				t.Fatalf("adapter back: %v", got)
			}
		})
	}, apptest.WithConfig(func(cfg *config.Config) { cfg.DoorTokenKey = portalSecret }),
		apptest.WithAppOptions(app.WithLockClient(c.client)))
}
