package web_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/represent"
)

// representationBody is what GET /api/v1/me says about representation, both ways.
type representationBody struct {
	ID       string
	ActingAs *struct {
		ID, Name, Relation string
		Scopes             []string
		ValidUntil         *time.Time
	}
	Represents []struct {
		ID, Name string
		EndsSoon bool
	}
	Representatives []struct {
		ID, Name, Relation string
		Scopes             []string
		ValidUntil         *time.Time
		EndsSoon           bool
	}
	Ended []struct {
		ID, Name, Relation, Reason string
		Scopes                     []string
		EndedAt                    time.Time
		Agency                     struct{ Slug, Name string }
	}
}

// meAndRepresentation reads /me and /me/representation into one body (the PWA reads both).
func meAndRepresentation(t *testing.T, c *apptest.Client, me *representationBody) {
	t.Helper()
	*me = representationBody{}
	c.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, me)
	c.Get(t, "/api/v1/me/representation").Status(t, http.StatusOK).JSON(t, me)
}

// TestMeSaysWhoMayActAndWhatEnded: the person a power of attorney is about sees who may act for
// them, in which areas and until when, warned when the end is near; the holder acting for them
// learns the relation's scope and end; once it ends, the holder is told when, and which agency
// wrote it, and the person is shown nobody.
func TestMeSaysWhoMayActAndWhatEnded(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		now := p.Clock.Now()
		giverPID, holderPID := apptest.PID(t, 1941, 31), apptest.PID(t, 1966, 32)
		giver := p.Citizen(t, giverPID, "Ingrid Hansen")
		holder := p.Citizen(t, holderPID, "Lars Hansen")
		ends := now.Add(12 * 24 * time.Hour)
		p.Relation(t, represent.KindPowerOfAttorney, holder, giver, []string{"health"}, &ends)

		var me representationBody
		meAndRepresentation(t, p.LoginAs(t, giverPID), &me)
		if len(me.Representatives) != 1 {
			t.Fatalf("representatives = %+v; want Lars", me.Representatives)
		}
		r := me.Representatives[0]
		if r.ID != holder.ID || r.Name != "Lars Hansen" || r.Relation != "power_of_attorney" || !slices.Equal(r.Scopes, []string{"health"}) ||
			r.ValidUntil == nil || !r.ValidUntil.Equal(ends.Truncate(time.Microsecond)) || !r.EndsSoon {
			t.Errorf("representative = %+v; want Lars, health, ending in 12 days (soon)", r)
		}
		if len(me.Represents) != 0 || len(me.Ended) != 0 {
			t.Errorf("the giver represents %+v and lost %+v; want nothing", me.Represents, me.Ended)
		}

		lars := p.LoginAs(t, holderPID)
		meAndRepresentation(t, lars, &me)
		if len(me.Represents) != 1 || !me.Represents[0].EndsSoon || len(me.Representatives) != 0 {
			t.Errorf("holder: represents %+v, representatives %+v", me.Represents, me.Representatives)
		}
		lars.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": giver.ID}).Status(t, http.StatusOK).JSON(t, &me)
		if a := me.ActingAs; a == nil || a.ID != giver.ID || a.Relation != "power_of_attorney" || !slices.Equal(a.Scopes, []string{"health"}) ||
			a.ValidUntil == nil || me.ID != holder.ID {
			t.Fatalf("acting as = %+v; want Ingrid with the power of attorney's scope and end", a)
		}

		p.Clock.Advance(13 * 24 * time.Hour) // the power of attorney has ended; sessions too
		meAndRepresentation(t, p.LoginAs(t, holderPID), &me)
		if me.ActingAs != nil || len(me.Represents) != 0 || len(me.Ended) != 1 {
			t.Fatalf("after the end: acting as %+v, represents %+v, ended %+v", me.ActingAs, me.Represents, me.Ended)
		}
		e := me.Ended[0]
		if e.ID != giver.ID || e.Name != "Ingrid Hansen" || e.Relation != "power_of_attorney" || e.Reason != "expired" ||
			!e.EndedAt.Equal(ends.Truncate(time.Microsecond)) || !slices.Equal(e.Scopes, []string{"health"}) ||
			e.Agency.Slug != "folkeregisteret" || e.Agency.Name == "" {
			t.Errorf("ended = %+v; want Ingrid's health power of attorney, expired, with the agency that wrote it", e)
		}
		meAndRepresentation(t, p.LoginAs(t, giverPID), &me)
		if len(me.Representatives) != 0 {
			t.Errorf("after the end the giver still sees %+v", me.Representatives)
		}

		p.Clock.Advance(91 * 24 * time.Hour) // an end is explained for 90 days
		meAndRepresentation(t, p.LoginAs(t, holderPID), &me)
		if len(me.Ended) != 0 {
			t.Errorf("91 days later: ended %+v", me.Ended)
		}
	})
}
