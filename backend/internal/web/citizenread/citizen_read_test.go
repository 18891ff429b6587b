// Package citizenread_test tests the citizen read API through the whole portal: the overview
// with its ETag, lists, details, the changes feed, live events across replicas and database outages.
// It lives apart from package web so each package's tests stay fast.
package citizenread_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
	"minside/backend/internal/represent"
)

type overviewBody struct {
	Cursor      string
	Person      struct{ ID string }
	NeedsAction []struct {
		Kind, ID string
		Agency   struct{ Slug string }
		Subject  *struct{ ID, Name string }
	}
	Upcoming []struct{ ID string }
	Keys     []struct {
		ID       string
		ValidNow bool
	}
	Notifications struct{ Unread int }
	Recent        []struct {
		ID     string
		Agency struct{ Slug string }
	}
	People []struct {
		ID          string
		NeedsAction int
	}
}

func TestOverviewOverHTTP(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1985, 1)
		plan, library, health, waste := p.Agency(t, "plan"), p.Agency(t, "bibliotek"), p.Agency(t, "helse"), p.Agency(t, "renovasjon")
		awaiting := addCase(t, p, plan.ID, r.me.ID, cases.StatusAwaitingCitizen, "Byggesøknad")
		addBooking(t, p, library.ID, r.me.ID, 3*time.Hour)
		addNotification(t, p, health.ID, r.me.ID, "Timeavtale")
		addKey(t, p, waste.ID, r.me.ID)
		child := p.Citizen(t, apptest.PID(t, time.Now().Year()-8, 2), "Ola")
		p.Relation(t, represent.KindGuardian, r.me, child, nil, nil)
		childCase := addCase(t, p, plan.ID, child.ID, cases.StatusAwaitingCitizen, "Skoleskyss")

		p.Clock.ToNextMinute() // the ETag names the minute: the 304 below asks within the same one
		res := r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK)
		etag := res.Header.Get("ETag")
		if len(etag) < 10 || etag[0] != '"' {
			t.Fatalf("ETag = %q, want a strong entity tag", etag)
		}
		var o overviewBody
		res.JSON(t, &o)
		agencies := map[string]bool{}
		for _, it := range o.NeedsAction {
			agencies[it.Agency.Slug] = true
		}
		if len(o.Upcoming) != 1 || len(o.Keys) != 1 || !o.Keys[0].ValidNow || o.Notifications.Unread != 1 {
			t.Errorf("overview = %+v", o)
		}
		agencies[library.Slug], agencies[waste.Slug], agencies[health.Slug] = true, true, true
		if len(agencies) < 4 || o.Person.ID != r.me.ID {
			t.Errorf("agencies %v, person %+v", agencies, o.Person)
		}
		marked := false
		for _, it := range o.NeedsAction {
			if it.ID == childCase {
				marked = it.Subject != nil && it.Subject.ID == child.ID
			}
		}
		if !marked || len(o.People) != 1 || o.People[0].NeedsAction != 1 {
			t.Errorf("the child's case is not shown marked with the child: %+v, people %+v", o.NeedsAction, o.People)
		}

		req := r.client.NewRequest(t, http.MethodGet, "/api/v1/me/overview", nil)
		req.Header.Set("If-None-Match", etag)
		notModified := r.client.Do(t, req).Status(t, http.StatusNotModified)
		if len(notModified.Body) != 0 {
			t.Errorf("304 with a body of %d bytes", len(notModified.Body))
		}

		setStatus(t, p, awaiting, r.me.ID, cases.StatusInProgress)
		req = r.client.NewRequest(t, http.MethodGet, "/api/v1/me/overview", nil)
		req.Header.Set("If-None-Match", etag)
		changed := r.client.Do(t, req).Status(t, http.StatusOK)
		if changed.Header.Get("ETag") == etag {
			t.Error("a case update did not change the ETag")
		}

		// The changes feed from the overview's cursor brings the update (an expired cursor is gone:
		// TestCursorsAreSignedAndBound).
		var delta struct {
			Changes []struct{ Kind, ID, Op string }
			Cursor  string
		}
		// (On PostgreSQL the cursor may replay a few changes the overview already had: never fewer.)
		found := false
		for deadline := time.Now().Add(5 * time.Second); !found && time.Now().Before(deadline); {
			r.client.Get(t, "/api/v1/changes?cursor="+o.Cursor).Status(t, http.StatusOK).JSON(t, &delta)
			for _, c := range delta.Changes {
				found = found || (c.ID == awaiting && c.Op == "upsert")
			}
		}
		if !found || delta.Cursor == "" {
			t.Errorf("changes after the overview = %+v", delta)
		}
	})
}

func TestForeignIDsAreNotFoundOverHTTP(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		kari := loginReader(t, p, 1985, 3)
		per := loginReader(t, p, 1975, 4)
		ag := p.Agency(t, "plan")
		if _, err := p.DB.NewRaw(`UPDATE agencies SET webhook_url = 'https://plan.example.no/hook' WHERE id = ?`, ag.ID).Exec(t.Context()); err != nil {
			t.Fatal(err)
		}
		hers := addCase(t, p, ag.ID, kari.me.ID, cases.StatusReceived, "Hennes sak")
		kari.client.Get(t, "/api/v1/cases/"+hers).Status(t, http.StatusOK)
		kari.client.Get(t, "/api/v1/cases/"+hers).Status(t, http.StatusOK)
		var seen int
		if err := p.DB.NewRaw(`SELECT COUNT(*) FROM outbox WHERE topic = 'webhook' AND CAST(payload AS TEXT) LIKE '%case.seen%'`).Scan(t.Context(), &seen); err != nil || seen != 1 {
			t.Errorf("case.seen webhooks after two opens = %d (%v), want 1", seen, err)
		}
		for _, path := range []string{"/api/v1/cases/" + hers, "/api/v1/cases/not-an-id", "/api/v1/cases/01234567-89ab-7def-8123-456789abcdef"} {
			if pr := per.client.Get(t, path).Status(t, http.StatusNotFound).Problem(t); pr.Code != "not_found" {
				t.Errorf("%s: %+v", path, pr)
			}
		}
		var page struct {
			Items      []struct{ ID string }
			NextCursor *string
		}
		per.client.Get(t, "/api/v1/cases").Status(t, http.StatusOK).JSON(t, &page)
		if len(page.Items) != 0 || page.NextCursor != nil {
			t.Errorf("another person's list shows %+v", page)
		}
		per.client.Get(t, "/api/v1/cases?cursor=%%%").Status(t, http.StatusUnprocessableEntity)
		p.Anonymous(t).Get(t, "/api/v1/me/overview").Status(t, http.StatusUnauthorized)
	})
}

func TestListsPageOverHTTP(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1990, 5)
		ag := p.Agency(t, "plan")
		want := map[string]bool{}
		for i := range 7 {
			want[addCase(t, p, ag.ID, r.me.ID, cases.StatusReceived, fmt.Sprintf("Sak %d", i))] = true
		}
		seen := map[string]int{}
		path := "/api/v1/cases?limit=3"
		for range 10 {
			var page struct {
				Items      []struct{ ID, Title string }
				NextCursor *string
			}
			r.client.Get(t, path).Status(t, http.StatusOK).JSON(t, &page)
			for _, c := range page.Items {
				seen[c.ID]++
			}
			if page.NextCursor == nil {
				break
			}
			path = "/api/v1/cases?limit=3&cursor=" + *page.NextCursor
		}
		if len(seen) != len(want) {
			t.Errorf("pages covered %d of %d cases", len(seen), len(want))
		}
		for id, n := range seen {
			if !want[id] || n != 1 {
				t.Errorf("case %s seen %d times", id, n)
			}
		}
		for _, path := range []string{"/api/v1/bookings?when=past", "/api/v1/keys", "/api/v1/notifications?unread=1", "/api/v1/tiles", "/api/v1/search?q=sak"} {
			r.client.Get(t, path).Status(t, http.StatusOK)
		}
		r.client.Get(t, "/api/v1/bookings?when=someday").Status(t, http.StatusUnprocessableEntity)
		r.client.Get(t, "/api/v1/search?q=s").Status(t, http.StatusUnprocessableEntity)
	})
}
