package citizenread_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
	"minside/backend/internal/represent"
	"minside/backend/internal/texts"
)

// The overview of a session this process has looked up before is admitted on that lookup's hint,
// with the lookup itself in the overview's statement. What another replica (or anything but this
// process) changed since must still decide the answer: each change below is written straight into
// the database, so this process hears of none of them but through the lookup.

type overviewPerson struct {
	Person struct{ Name string }
	People []struct{ ID string }
}

func TestTheOverviewOnAHintEndsWithTheSession(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1979, 31) // its /me leaves the hint
		r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK)

		// Logged out elsewhere: the session row is gone.
		if _, err := p.DB.NewDelete().TableExpr("sessions").Where("citizen_id = ?", r.me.ID).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		before := len(r.client.SetCookie)
		res := r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusUnauthorized)
		if body := string(res.Body); strings.Contains(body, "person") {
			t.Errorf("an ended session's overview answered %s", body)
		}
		cleared := false
		for _, c := range r.client.SetCookie[before:] {
			cleared = cleared || strings.Contains(c, "=;") && strings.Contains(c, "1970")
		}
		if !cleared {
			t.Errorf("the cookie of the ended session was not cleared: %q", r.client.SetCookie[before:])
		}
	})
}

func TestTheOverviewOnAHintFollowsWhatChangedElsewhere(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		r := loginReader(t, p, 1979, 32)
		var o overviewPerson
		r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &o)
		if len(o.People) != 0 {
			t.Fatalf("people before: %+v", o.People)
		}

		// The person's name, from the population register, and a new guardianship.
		if _, err := p.DB.NewUpdate().TableExpr("citizens").Set("name = ?", "Nytt Navn").Where("id = ?", r.me.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		child := p.Citizen(t, apptest.PID(t, time.Now().Year()-6, 33), "Barn")
		p.Relation(t, represent.KindGuardian, r.me, child, nil, nil)
		r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &o)
		if o.Person.Name != "Nytt Navn" || len(o.People) != 1 || o.People[0].ID != child.ID {
			t.Errorf("after the changes: person %q, people %+v; want the new name and the child", o.Person.Name, o.People)
		}

		// A language saved elsewhere: the answer's texts follow it, whatever the browser asks for.
		id := addCase(t, p, p.Agency(t, "plan").ID, r.me.ID, cases.StatusReceived, "Byggesøknad")
		write(t, p, func(ctx context.Context, tx bun.Tx, now time.Time) error {
			if err := texts.Save(ctx, tx, "case", id, texts.Fields{"title": {"nb": "Byggesøknad", "en": "Building permit"}}); err != nil {
				return err
			}
			_, err := tx.NewRaw(`INSERT INTO preferences (citizen_id, language, updated_at) VALUES (?, 'en', ?)
ON CONFLICT (citizen_id) DO UPDATE SET language = 'en'`, r.me.ID, now).Exec(ctx)
			return err
		})
		var titled struct{ Recent []struct{ Title string } }
		req := r.client.NewRequest(t, http.MethodGet, "/api/v1/me/overview", nil)
		req.Header.Set("Accept-Language", "nb")
		r.client.Do(t, req).Status(t, http.StatusOK).JSON(t, &titled)
		if len(titled.Recent) != 1 || titled.Recent[0].Title != "Building permit" {
			t.Errorf("recent %+v after English was saved elsewhere, want the English title", titled.Recent)
		}
	})
}
