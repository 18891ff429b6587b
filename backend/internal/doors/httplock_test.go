package doors

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/keys"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// fakeAdapter answers every open with answer, signed with key (nil: unsigned).
func fakeAdapter(t *testing.T, status int, key ed25519.PrivateKey, answer func(jti string) Answer) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jti, _ := TokenID(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		body, _ := json.Marshal(answer(jti))
		if key != nil {
			w.Header().Set(SignatureHeader, SignBody(key, body))
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestOnlyASignedBoundOpenedOpens: the portal says "opened" only when the configured adapter
// signed "opened" for this very token; everything else is refused or failed.
func TestOnlyASignedBoundOpenedOpens(t *testing.T) {
	issuer, _ := NewIssuer(testKey, 30*time.Second)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	_, impostor, _ := ed25519.GenerateKey(rand.Reader)
	door := Door{AccessPointID: testDoor.AccessPointID, ExternalID: "front"}
	opened := func(jti string) Answer { return Answer{Result: AnswerOpened, JTI: jti, Door: "front"} }
	tests := []struct {
		name   string
		srv    *httptest.Server
		want   error
		broken bool
	}{
		{"signed, bound", fakeAdapter(t, http.StatusOK, priv, opened), nil, false},
		{"unsigned", fakeAdapter(t, http.StatusOK, nil, opened), ErrLockUnavailable, false},
		{"signed by another key", fakeAdapter(t, http.StatusOK, impostor, opened), ErrLockUnavailable, false},
		{"an old answer (another jti)", fakeAdapter(t, http.StatusOK, priv, func(string) Answer { return opened("0190-old") }), ErrLockUnavailable, false},
		{"for another door", fakeAdapter(t, http.StatusOK, priv, func(jti string) Answer { return Answer{Result: AnswerOpened, JTI: jti, Door: "back"} }), ErrLockUnavailable, false},
		{"denied", fakeAdapter(t, http.StatusForbidden, priv, func(jti string) Answer { return Answer{Result: AnswerDenied, JTI: jti, Door: "front"} }), ErrTokenRefused, false},
		{"temporary", fakeAdapter(t, http.StatusServiceUnavailable, priv, func(jti string) Answer { return Answer{Result: AnswerUnavailable, JTI: jti, Door: "front"} }), ErrLockUnavailable, false},
		{"permanent", fakeAdapter(t, http.StatusNotFound, priv, func(jti string) Answer { return Answer{Result: AnswerError, JTI: jti, Door: "front"} }), ErrLockUnavailable, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, _, _ := issuer.Issue("key-1", door, time.Now())
			err := NewHTTPLock(tt.srv.Client(), tt.srv.URL, pub).Open(context.Background(), door, token)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) || errors.Is(err, ErrLockBroken) != tt.broken {
				t.Fatalf("Open = %v, want %v (broken %v)", err, tt.want, tt.broken)
			}
		})
	}
}

// TestLocksRouteByFacility: a facility with an adapter goes to it; without one, to the fallback
// (development) or nowhere (production: nothing can be said to have opened).
func TestLocksRouteByFacility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		ag := &agency.Agency{ID: store.NewID(), Slug: "bibliotek", Name: "Biblioteket", CreatedAt: now, UpdatedAt: now}
		withLock := &keys.Facility{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "toyen", Name: "Tøyen", CreatedAt: now, UpdatedAt: now}
		without := &keys.Facility{ID: store.NewID(), AgencyID: ag.ID, ExternalID: "gronland", Name: "Grønland", CreatedAt: now, UpdatedAt: now}
		insert(t, db, ag, withLock, without)
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		srv := fakeAdapter(t, http.StatusOK, priv, func(jti string) Answer { return Answer{Result: AnswerOpened, JTI: jti, Door: "front"} })
		adapters := NewAdapters(db)
		if _, err := adapters.Set(ctx, "bibliotek", "toyen", srv.URL+"/", EncodePublicKey(pub), now); err != nil {
			t.Fatal(err)
		}
		list, err := adapters.List(ctx)
		if err != nil || len(list) != 1 || list[0].AgencySlug != "bibliotek" || list[0].Facility != "toyen" || list[0].URL != srv.URL || list[0].Status != AdapterUnknown {
			t.Fatalf("List = %+v, %v", list, err)
		}
		issuer, _ := NewIssuer(testKey, 30*time.Second)
		sim := NewSimulatedLock(db, issuer.PublicKey(), nil)
		open := func(l *Locks, facility string) error {
			door := Door{AccessPointID: store.NewID(), ExternalID: "front", FacilityID: facility}
			token, _, _ := issuer.Issue("key-1", door, now)
			return l.Open(ctx, door, token)
		}
		dev, prod := NewLocks(db, srv.Client(), sim), NewLocks(db, srv.Client(), nil)
		if err := open(prod, withLock.ID); err != nil {
			t.Fatalf("through the adapter: %v", err)
		}
		if err := open(dev, without.ID); err != nil || sim.Opened() != 1 {
			t.Fatalf("development, no adapter: %v, simulated %d", err, sim.Opened())
		}
		if err := open(prod, without.ID); !errors.Is(err, ErrLockUnavailable) {
			t.Fatalf("production, no adapter: %v", err)
		}
		if err := adapters.Unset(ctx, "bibliotek", "toyen"); err != nil {
			t.Fatal(err)
		}
		if err := open(prod, withLock.ID); !errors.Is(err, ErrLockUnavailable) {
			t.Fatalf("after unset: %v", err)
		}
	})
}

func TestDoorOutOfOrder(t *testing.T) {
	tests := []struct {
		status, out, door string
		want              bool
	}{
		{AdapterUnknown, "[]", "front", false},
		{AdapterUp, "[]", "front", false},
		{AdapterUp, `["back"]`, "front", false},
		{AdapterUp, `["back","front"]`, "front", true},
		{AdapterDown, "[]", "front", true},
	}
	for _, tt := range tests {
		if got := DoorOutOfOrder(tt.status, tt.out, tt.door); got != tt.want {
			t.Errorf("DoorOutOfOrder(%s, %s, %s) = %v", tt.status, tt.out, tt.door, got)
		}
	}
}
