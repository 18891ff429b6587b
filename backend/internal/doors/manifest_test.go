package doors

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/keys"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestManifestPoll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		clock := func() time.Time { return now }
		ag := &agency.Agency{ID: store.NewID(), Slug: "bibliotek", Name: "Biblioteket", CreatedAt: now, UpdatedAt: now}
		fac := &keys.Facility{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "toyen", Name: "Tøyen", CreatedAt: now, UpdatedAt: now}
		insert(t, db, ag, fac,
			&keys.AccessPoint{ID: store.NewID(), FacilityID: fac.ID, ExternalID: "front", Name: "Front", CreatedAt: now},
			&keys.AccessPoint{ID: store.NewID(), FacilityID: fac.ID, ExternalID: "back", Name: "Back", CreatedAt: now})
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		var (
			manifest atomic.Pointer[Manifest]
			signed   atomic.Bool
			requests atomic.Int32
		)
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			requests.Add(1)
			body, _ := json.Marshal(manifest.Load())
			if signed.Load() {
				w.Header().Set(SignatureHeader, SignBody(priv, body))
			}
			_, _ = w.Write(body)
		}))
		defer srv.Close()
		if _, err := NewAdapters(db).Set(ctx, "bibliotek", "toyen", srv.URL, EncodePublicKey(pub), now); err != nil {
			t.Fatal(err)
		}
		replicaA := NewPoller(db, srv.Client(), nil, clock, time.Minute)
		replicaB := NewPoller(db, srv.Client(), nil, clock, time.Minute)

		tests := []struct {
			name     string
			manifest Manifest
			signed   bool
			status   string
			out      string
		}{
			{"all well", Manifest{At: now, Doors: []ManifestDoor{{"front", DoorOK}, {"back", DoorOK}}}, true, AdapterUp, "[]"},
			{"a door out of order", Manifest{At: now, Doors: []ManifestDoor{{"front", DoorOK}, {"back", DoorBroken}}}, true, AdapterUp, `["back"]`},
			{"a door missing", Manifest{At: now, Doors: []ManifestDoor{{"back", DoorOK}}}, true, AdapterUp, `["front"]`},
			{"unsigned", Manifest{At: now, Doors: []ManifestDoor{{"front", DoorOK}, {"back", DoorOK}}}, false, AdapterDown, "[]"},
			{"stale", Manifest{At: now.Add(-10 * time.Minute), Doors: []ManifestDoor{{"front", DoorOK}, {"back", DoorOK}}}, true, AdapterDown, "[]"},
		}
		for _, tt := range tests {
			manifest.Store(&tt.manifest)
			signed.Store(tt.signed)
			before := requests.Load()
			now = now.Add(time.Minute)
			if err := replicaA.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			if err := replicaB.Poll(ctx); err != nil { // within the interval: A's claim holds
				t.Fatal(err)
			}
			var la LockAdapter
			if err := db.NewSelect().Model(&la).Where("facility_id = ?", fac.ID).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if la.Status != tt.status || la.DoorsOutOfOrder != tt.out || requests.Load()-before != 1 {
				t.Fatalf("%s: status %s, out %s, %d fetches (%s)", tt.name, la.Status, la.DoorsOutOfOrder, requests.Load()-before, la.LastError)
			}
		}
	})
}
