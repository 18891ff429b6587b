package citizenread_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/errands"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// addErrand writes an errand of lead for citizenID with the given cases attached (by id), one
// timeline event per case, and a step of the first case waiting for the heritage office.
func addErrand(t *testing.T, p *apptest.Portal, leadID, citizenID, area string, caseIDs ...string) string {
	t.Helper()
	id := store.NewID()
	write(t, p, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		e := &errands.Errand{ID: id, AgencyID: leadID, ExternalID: id, Version: 1, CitizenID: citizenID, Area: area,
			Status: cases.StatusReceived, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
			return err
		}
		if err := texts.Save(ctx, tx, "errand", id, texts.Fields{"title": {"nb": "Garasje"}}); err != nil {
			return err
		}
		for i, c := range caseIDs {
			if _, err := tx.NewUpdate().Table("cases").Set("errand_id = ?", id).Where("id = ?", c).Exec(ctx); err != nil {
				return err
			}
			ev := &cases.Event{ID: store.NewID(), CaseID: c, ExternalID: "e", OccurredAt: now.Add(time.Duration(i) * time.Hour), CreatedAt: now}
			if _, err := tx.NewInsert().Model(ev).Exec(ctx); err != nil {
				return err
			}
			if err := texts.Save(ctx, tx, "case_event", ev.ID, texts.Fields{"title": {"nb": "Hendelse"}}); err != nil {
				return err
			}
		}
		due := now.Add(14 * 24 * time.Hour)
		st := &errands.Step{ID: store.NewID(), CaseID: caseIDs[0], WaitingFor: errands.WaitingThirdParty, DueAt: &due, CreatedAt: now}
		if _, err := tx.NewInsert().Model(st).Exec(ctx); err != nil {
			return err
		}
		if err := texts.Save(ctx, tx, "case_step", st.ID, texts.Fields{"text": {"nb": "Uttalelse"}, "party": {"nb": "Byantikvaren"}}); err != nil {
			return err
		}
		if err := errands.Refresh(ctx, tx, id, now); err != nil {
			return err
		}
		return changes.Record(ctx, tx, &citizenID, "errand", id, changes.OpUpsert, now)
	})
	return id
}

type errandView struct {
	ID       string
	Status   string
	Cases    []struct{ ID string }
	Timeline []struct{ Agency struct{ Slug string } }
	Next     []struct {
		Agency     struct{ Slug string }
		WaitingFor string
		Party      *string
	}
}

func TestErrandShowsOnceInTheOverviewAndMergedOnItsPage(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1979, 5)
		var start struct{ Cursor string }
		r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &start)
		pbe, bym, vav := p.Agency(t, "pbe"), p.Agency(t, "bym"), p.Agency(t, "vav")
		building := addCase(t, p, pbe.ID, r.me.ID, cases.StatusInProgress, "Byggesøknad")
		road := addCase(t, p, bym.ID, r.me.ID, cases.StatusAwaitingCitizen, "Avkjørsel")
		water := addCase(t, p, vav.ID, r.me.ID, cases.StatusDecided, "Vann")
		alone := addCase(t, p, pbe.ID, r.me.ID, cases.StatusInProgress, "Annen sak")
		id := addErrand(t, p, pbe.ID, r.me.ID, "building", building, road, water)

		var o struct {
			Recent      []struct{ ID string }
			NeedsAction []struct{ Kind, ID string }
			Errands     []struct{ ID, Status, Title string }
		}
		res := r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK)
		res.JSON(t, &o)
		if p.DB.Kind == store.Postgres && roundTrips(t, res) > readBudget {
			t.Errorf("the overview with an errand took %d round trips", roundTrips(t, res))
		}
		if len(o.Errands) != 1 || o.Errands[0].ID != id || o.Errands[0].Status != cases.StatusAwaitingCitizen || o.Errands[0].Title != "Garasje" {
			t.Errorf("errands = %+v", o.Errands)
		}
		for _, c := range o.Recent {
			if c.ID != alone {
				t.Errorf("a case of the errand is listed on its own: %s", c.ID)
			}
		}
		if len(o.NeedsAction) != 1 || o.NeedsAction[0].Kind != "errand" || o.NeedsAction[0].ID != id {
			t.Errorf("needs action = %+v, want the errand once", o.NeedsAction)
		}

		// The changes feed carries the errand as the overview lists it, so an offline copy keeps it.
		var feed struct {
			Changes []struct {
				Kind, ID, Op string
				Data         *struct{ Status string }
			}
		}
		r.client.Get(t, "/api/v1/changes?cursor="+start.Cursor).Status(t, http.StatusOK).JSON(t, &feed)
		if !slices.ContainsFunc(feed.Changes, func(c struct {
			Kind, ID, Op string
			Data         *struct{ Status string }
		}) bool {
			return c.Kind == "errand" && c.ID == id && c.Op == "upsert" && c.Data != nil && c.Data.Status == cases.StatusAwaitingCitizen
		}) {
			t.Errorf("the changes feed has no errand upsert: %+v", feed.Changes)
		}

		var v errandView
		r.client.Get(t, "/api/v1/me/errands/"+id).Status(t, http.StatusOK).JSON(t, &v)
		if v.Status != cases.StatusAwaitingCitizen || len(v.Cases) != 3 || len(v.Timeline) != 3 {
			t.Fatalf("errand = %+v", v)
		}
		var marks []string
		for _, e := range v.Timeline {
			marks = append(marks, e.Agency.Slug)
		}
		if !slices.Equal(marks, []string{"pbe", "bym", "vav"}) {
			t.Errorf("timeline agencies = %v", marks)
		}
		if !slices.ContainsFunc(v.Next, func(s struct {
			Agency     struct{ Slug string }
			WaitingFor string
			Party      *string
		}) bool {
			return s.Agency.Slug == "pbe" && s.WaitingFor == errands.WaitingThirdParty && s.Party != nil && *s.Party == "Byantikvaren"
		}) {
			t.Errorf("next = %+v, want pbe waiting for Byantikvaren", v.Next)
		}

		// A representative whose fullmakt covers health sees neither the errand nor its page.
		rep := loginReader(t, p, 1960, 6)
		p.Relation(t, represent.KindPowerOfAttorney, rep.me, r.me, []string{"health"}, nil)
		rep.client.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": r.me.ID}).Status(t, http.StatusOK)
		rep.client.Get(t, "/api/v1/me/errands/"+id).Status(t, http.StatusNotFound)
		o.Errands = nil
		rep.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &o)
		if len(o.Errands) != 0 {
			t.Errorf("outside the fullmakt's areas the errand shows: %+v", o.Errands)
		}
		// With building in scope the representative reads it, and the read is audited.
		p.Relation(t, represent.KindPowerOfAttorney, rep.me, r.me, []string{"building"}, nil)
		rep.client.Get(t, "/api/v1/me/errands/"+id).Status(t, http.StatusOK)
		n, err := p.DB.NewSelect().Table("audit_log").Where("action = 'read.errand' AND object_id = ?", id).Count(context.Background())
		if err != nil || n != 1 {
			t.Errorf("audited reads of the errand: %d %v", n, err)
		}
	})
}
