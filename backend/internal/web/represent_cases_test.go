package web_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
)

func insertCase(t *testing.T, p *apptest.Portal, agencyID string, owner *citizens.Citizen, area string) string {
	t.Helper()
	now := store.UTC(p.Clock.Now())
	c := &cases.Case{ID: store.NewID(), AgencyID: agencyID, ExternalID: store.NewID(), Version: 1, CitizenID: owner.ID,
		Area: area, Status: "in_progress", CreatedAt: now, UpdatedAt: now}
	if _, err := p.DB.NewInsert().Model(c).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func caseIDs(t *testing.T, c *apptest.Client) []string {
	t.Helper()
	var page struct{ Items []struct{ ID string } }
	c.Get(t, "/api/v1/cases").Status(t, http.StatusOK).JSON(t, &page)
	var ids []string
	for _, it := range page.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

func me(t *testing.T, p *apptest.Portal, c *apptest.Client) *citizens.Citizen {
	t.Helper()
	var body struct{ ID string }
	c.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &body)
	self, err := citizens.Get(context.Background(), p.DB, body.ID)
	if err != nil {
		t.Fatal(err)
	}
	return self
}

func actAs(t *testing.T, c *apptest.Client, id string, want int) {
	t.Helper()
	c.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": id}).Status(t, want)
}

// TestParentSeesChildCasesWhileMinor goes through the real case list.
func TestParentSeesChildCasesWhileMinor(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		number := apptest.PID(t, 1982, 30)
		parent := p.LoginAs(t, number)
		self := me(t, p, parent)
		now := p.Clock.Now()
		child := p.Citizen(t, apptest.PIDBorn(t, time.Date(now.Year()-18, now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 5), 2), "Ola")
		p.Relation(t, represent.KindGuardian, self, child, nil, nil)
		ag := p.Agency(t, "skole")
		school := insertCase(t, p, ag.ID, child, "school")
		own := insertCase(t, p, ag.ID, self, "building")

		actAs(t, parent, child.ID, http.StatusOK)
		if got := caseIDs(t, parent); !slices.Equal(got, []string{school}) {
			t.Errorf("acting for the minor: cases %v, want the child's %v", got, school)
		}
		parent.Get(t, "/api/v1/cases/"+school).Status(t, http.StatusOK)

		p.Clock.Advance(6 * 24 * time.Hour) // 18 now
		parent = p.LoginAs(t, number)
		actAs(t, parent, child.ID, http.StatusNotFound)
		if got := caseIDs(t, parent); !slices.Equal(got, []string{own}) {
			t.Errorf("after the child turned 18: cases %v, want only the parent's own", got)
		}
		parent.Get(t, "/api/v1/cases/"+school).Status(t, http.StatusNotFound)
	})
}

// TestFullmaktScope: a fullmakt for health shows health cases, never building ones; foreign ids are 404.
func TestFullmaktScope(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		rep := p.LoginAs(t, apptest.PID(t, 1975, 31))
		self := me(t, p, rep)
		giver := p.Citizen(t, apptest.PID(t, 1938, 32), "Astrid")
		stranger := p.Citizen(t, apptest.PID(t, 1990, 33), "Per")
		p.Relation(t, represent.KindPowerOfAttorney, self, giver, []string{"health"}, nil)
		ag := p.Agency(t, "kommunen")
		health := insertCase(t, p, ag.ID, giver, "health")
		building := insertCase(t, p, ag.ID, giver, "building")
		foreign := insertCase(t, p, ag.ID, stranger, "health")

		actAs(t, rep, giver.ID, http.StatusOK)
		if got := caseIDs(t, rep); !slices.Equal(got, []string{health}) {
			t.Errorf("acting with a health fullmakt: cases %v, want only %v", got, health)
		}
		rep.Get(t, "/api/v1/cases/"+health).Status(t, http.StatusOK)
		for _, id := range []string{building, foreign, store.NewID(), "not-an-id"} {
			if pr := rep.Get(t, "/api/v1/cases/"+id).Status(t, http.StatusNotFound).Problem(t); pr.Code != "not_found" {
				t.Errorf("%s: %+v", id, pr)
			}
		}
		actAs(t, rep, stranger.ID, http.StatusNotFound)
	})
}
