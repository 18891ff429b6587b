package citizenread_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
	"minside/backend/internal/config"
	"minside/backend/internal/store/storetest"
)

func TestEventsReachAnOpenStreamAndEndWithTheSession(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1985, 10)
		other := loginReader(t, p, 1985, 11)
		ag := p.Agency(t, "plan")
		id := addCase(t, p, ag.ID, r.me.ID, cases.StatusReceived, "Sak")
		s := r.client.OpenEvents(t)
		otherStream := other.client.OpenEvents(t)
		<-p.App.Live.Ready()

		start := time.Now()
		setStatus(t, p, id, r.me.ID, cases.StatusAwaitingCitizen)
		s.WaitForChange(t, "case", id, time.Second)
		t.Logf("delivered in %s", time.Since(start))
		if ev, err := otherStream.Receive(300 * time.Millisecond); err == nil {
			t.Errorf("another person's stream got %+v", ev)
		}

		// Logout ends the stream at its next event at the latest.
		r.client.Send(t, http.MethodPost, "/auth/logout", nil).Status(t, http.StatusOK)
		setStatus(t, p, id, r.me.ID, cases.StatusInProgress)
		for deadline := time.Now().Add(2 * time.Second); ; { // events sent before the logout may still be queued
			if ev := s.Next(t, time.Until(deadline)); ev.Name == "end" {
				break
			}
		}
		select {
		case <-s.Closed():
		case <-time.After(2 * time.Second):
			t.Error("the stream stayed open after logout")
		}
		// otherStream stays open: the portal's shutdown at cleanup must close it, not wait for it.
	})
}

// TestEventsCrossReplicas runs two portals on one PostgreSQL database: a case opened through
// instance A (its first open writes a change) reaches a stream on instance B within a second.
func TestEventsCrossReplicas(t *testing.T) {
	t.Parallel()
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		return // one SQLite file is one replica; TestEventsReachAnOpenStreamAndEndWithTheSession covers it
	}
	url := storetest.PostgresURL(t)
	// Replicas share their configuration: the same pseudonym and session keys.
	shared := apptest.WithConfig(func(c *config.Config) {
		c.PIDKey = strings.Repeat("a1", 32)
	})
	a := apptest.Start(t, apptest.WithDatabaseURL(url), shared)
	b := apptest.Start(t, apptest.WithDatabaseURL(url), shared)
	onA := loginReader(t, a, 1970, 12)
	onB := b.LoginAs(t, apptest.PID(t, 1970, 12))
	ag := a.Agency(t, "plan")
	id := addCase(t, a, ag.ID, onA.me.ID, cases.StatusReceived, "Sak")
	s := onB.OpenEvents(t)
	<-b.App.Live.Ready()
	start := time.Now()
	onA.client.Get(t, "/api/v1/cases/"+id).Status(t, http.StatusOK) // first open: case_seen + change row, through A
	s.WaitForChange(t, "case", id, time.Second)
	t.Logf("A → B in %s", time.Since(start))
}
