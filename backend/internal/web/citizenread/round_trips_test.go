package citizenread_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest/suggesttest"
	"minside/backend/internal/texts"
)

// readBudget is how many database round trips the first screen's reads may cost on PostgreSQL:
// the session, and everything else.
const readBudget = 2

// roundTrips is what the portal reports (dev mode) for one request.
func roundTrips(t *testing.T, res *apptest.Response) int {
	t.Helper()
	n, err := strconv.Atoi(res.Header.Get("X-DB-Round-Trips"))
	if err != nil {
		t.Fatalf("X-DB-Round-Trips = %q", res.Header.Get("X-DB-Round-Trips"))
	}
	return n
}

// TestFirstScreenReadsFitTheRoundTripBudget counts, through the real app, the database round trips
// of the overview (full and 304) and of /me, as oneself with a child and acting as the child. On
// PostgreSQL each must fit readBudget; SQLite runs in process and may use separate statements, its
// count is printed.
func TestFirstScreenReadsFitTheRoundTripBudget(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1984, 3)
		plan, library, health, waste := p.Agency(t, "plan"), p.Agency(t, "bibliotek"), p.Agency(t, "helse"), p.Agency(t, "renovasjon")
		addCase(t, p, plan.ID, r.me.ID, cases.StatusAwaitingCitizen, "Byggesøknad")
		addBooking(t, p, library.ID, r.me.ID, 3*time.Hour)
		addNotification(t, p, health.ID, r.me.ID, "Timeavtale")
		addKey(t, p, waste.ID, r.me.ID)
		child := p.Citizen(t, apptest.PID(t, time.Now().Year()-8, 4), "Kari")
		p.Relation(t, represent.KindGuardian, r.me, child, nil, nil)
		addCase(t, p, plan.ID, child.ID, cases.StatusAwaitingCitizen, "Skoleskyss")
		// Suggestions with their rules' texts, for the reader and for the child.
		now := store.UTC(p.Clock.Now())
		rule := suggesttest.AddRule(t, p.DB, suggesttest.Rule{AgencyID: plan.ID, Texts: texts.Fields{"title": {"nb": "Forslag"}, "why": {"nb": "Fordi."}}}, now)
		suggesttest.AddSuggestion(t, p.DB, rule, r.me.ID, nil, now)
		suggesttest.AddSuggestion(t, p.DB, rule, child.ID, nil, now)

		postgres := p.DB.Kind == "postgres"
		check := func(what string, res *apptest.Response) {
			t.Helper()
			n := roundTrips(t, res)
			t.Logf("%s %s: %d round trips", p.DB.Kind, what, n)
			if postgres && n > readBudget {
				t.Errorf("%s took %d database round trips on PostgreSQL, budget %d", what, n, readBudget)
			}
		}
		overview := func(what, etag string, want int) string {
			t.Helper()
			req := r.client.NewRequest(t, http.MethodGet, "/api/v1/me/overview", nil)
			if etag != "" {
				req.Header.Set("If-None-Match", etag)
			}
			res := r.client.Do(t, req).Status(t, want)
			check(what, res)
			return res.Header.Get("ETag")
		}

		r.client.Get(t, "/api/v1/me").Status(t, http.StatusOK) // the session's once-a-minute touch is behind us
		check("/me", r.client.Get(t, "/api/v1/me").Status(t, http.StatusOK))
		etag := overview("overview", "", http.StatusOK)
		overview("overview 304", etag, http.StatusNotModified)
		overview("overview with a stale ETag", `"stale"`, http.StatusOK)
		check("suggestions", r.client.Get(t, "/api/v1/me/suggestions").Status(t, http.StatusOK))

		r.client.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": child.ID}).Status(t, http.StatusOK)
		check("/me acting as a child", r.client.Get(t, "/api/v1/me").Status(t, http.StatusOK))
		etag = overview("overview acting as a child", "", http.StatusOK)
		overview("overview 304 acting as a child", etag, http.StatusNotModified)
		check("suggestions acting as a child", r.client.Get(t, "/api/v1/me/suggestions").Status(t, http.StatusOK))
	})
}
