package citizenread_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/messages"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest/suggesttest"
	"minside/backend/internal/tasks"
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

		touchAtAFreshMinute(t, p, r)
		check("/me", r.client.Get(t, "/api/v1/me").Status(t, http.StatusOK))
		etag := overview("overview", "", http.StatusOK)
		overview("overview 304", etag, http.StatusNotModified)
		overview("overview with a stale ETag", `"stale"`, http.StatusOK)
		// The session was looked up before in this process: its lookup travels in the overview's
		// statement, which is the whole request.
		if res := r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK); postgres && roundTrips(t, res) != 1 {
			t.Errorf("the overview of a session seen before took %d round trips on PostgreSQL, want 1", roundTrips(t, res))
		}
		check("suggestions", r.client.Get(t, "/api/v1/me/suggestions").Status(t, http.StatusOK))

		r.client.Send(t, http.MethodPut, "/api/v1/me/acting-as", map[string]any{"citizenId": child.ID}).Status(t, http.StatusOK)
		check("/me acting as a child", r.client.Get(t, "/api/v1/me").Status(t, http.StatusOK))
		etag = overview("overview acting as a child", "", http.StatusOK)
		overview("overview 304 acting as a child", etag, http.StatusNotModified)
		check("suggestions acting as a child", r.client.Get(t, "/api/v1/me/suggestions").Status(t, http.StatusOK))
	})
}

// addTaskAndDraft writes an open task (due in a week) and a draft (expiring in a month) for citizenID.
func addTaskAndDraft(t *testing.T, p *apptest.Portal, agencyID, citizenID string) {
	t.Helper()
	write(t, p, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		due, expires := now.Add(7*24*time.Hour), now.Add(30*24*time.Hour)
		for _, row := range []*tasks.Task{
			{Kind: tasks.KindTask, DueAt: &due, Link: "https://etat.example.no/oppgave"},
			{Kind: tasks.KindDraft, ExpiresAt: &expires, Link: "https://etat.example.no/utkast"},
		} {
			row.ID, row.AgencyID, row.ExternalID, row.Version = store.NewID(), agencyID, store.NewID(), 1
			row.CitizenID, row.Area, row.Status, row.CreatedAt, row.UpdatedAt = citizenID, "building", tasks.StatusOpen, now, now
			if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
				return err
			}
			if err := texts.Save(ctx, tx, tasks.TextOwner, row.ID, texts.Fields{"title": {"nb": "Gjør noe"}}); err != nil {
				return err
			}
			if err := changes.Record(ctx, tx, &citizenID, row.Kind, row.ID, changes.OpUpsert, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// addDocumentToAcknowledge puts a document asking to be acknowledged on caseID.
func addDocumentToAcknowledge(t *testing.T, p *apptest.Portal, caseID string) {
	t.Helper()
	write(t, p, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		due := now.Add(10 * 24 * time.Hour)
		d := &cases.Document{ID: store.NewID(), CaseID: caseID, ExternalID: "mangelbrev", Name: "Mangelbrev", DocType: "letter",
			URL: "https://etat.example.no/dok", Requires: cases.RequiresAcknowledge, DueAt: &due, CreatedAt: now}
		_, err := tx.NewInsert().Model(d).Exec(ctx)
		return err
	})
}

// addUnreadAnswers writes n answers from the agency on caseID that the citizen has not read.
func addUnreadAnswers(t *testing.T, p *apptest.Portal, agencyID, citizenID, caseID string, n int) {
	t.Helper()
	write(t, p, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		for i := range n {
			ext := store.NewID()
			m := &messages.Message{ID: store.NewID(), SubjectKind: messages.SubjectCase, SubjectID: caseID, AgencyID: agencyID,
				CitizenID: citizenID, Direction: messages.FromAgency, ExternalID: &ext, Version: 1, Body: "Svar",
				CreatedAt: now.Add(time.Duration(i) * time.Minute)}
			if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestOverviewWithErrandsFitsTheRoundTripBudget: a citizen with everything the first screen can
// show at once — an errand of three cases from three agencies, an open task, a draft, a document
// to acknowledge and unread answers — still costs the overview (full and 304) and /me at most
// readBudget round trips on PostgreSQL, and the overview lists each of them.
func TestOverviewWithErrandsFitsTheRoundTripBudget(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1977, 7)
		pbe, bym, vav := p.Agency(t, "pbe"), p.Agency(t, "bym"), p.Agency(t, "vav")
		building := addCase(t, p, pbe.ID, r.me.ID, cases.StatusInProgress, "Byggesøknad")
		road := addCase(t, p, bym.ID, r.me.ID, cases.StatusAwaitingCitizen, "Avkjørsel")
		water := addCase(t, p, vav.ID, r.me.ID, cases.StatusReceived, "Vann")
		errand := addErrand(t, p, pbe.ID, r.me.ID, "building", building, road, water)
		addTaskAndDraft(t, p, bym.ID, r.me.ID)
		addDocumentToAcknowledge(t, p, building)
		addUnreadAnswers(t, p, pbe.ID, r.me.ID, building, 3)

		check := func(what string, res *apptest.Response) {
			t.Helper()
			n := roundTrips(t, res)
			t.Logf("%s %s: %d round trips", p.DB.Kind, what, n)
			if p.DB.Kind == store.Postgres && n > readBudget {
				t.Errorf("%s took %d database round trips on PostgreSQL, budget %d", what, n, readBudget)
			}
		}
		touchAtAFreshMinute(t, p, r)
		check("/me", r.client.Get(t, "/api/v1/me").Status(t, http.StatusOK))
		res := r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK)
		check("overview with errands", res)
		var o struct {
			NeedsAction []struct{ Kind, ID string }
			Errands     []struct{ ID string }
		}
		res.JSON(t, &o)
		kinds := map[string]int{}
		for _, it := range o.NeedsAction {
			kinds[it.Kind]++
		}
		if len(o.Errands) != 1 || o.Errands[0].ID != errand {
			t.Errorf("errands = %+v, want the one errand", o.Errands)
		}
		for _, kind := range []string{"errand", tasks.KindTask, tasks.KindDraft, "document"} {
			if kinds[kind] != 1 {
				t.Errorf("needs action has %d of %s, want 1: %+v", kinds[kind], kind, o.NeedsAction)
			}
		}
		req := r.client.NewRequest(t, http.MethodGet, "/api/v1/me/overview", nil)
		req.Header.Set("If-None-Match", res.Header.Get("ETag"))
		check("overview 304 with errands", r.client.Do(t, req).Status(t, http.StatusNotModified))
	})
}

// touchAtAFreshMinute moves the clock a minute on, to the start of a minute, and asks for /me: the
// session's once-a-minute touch is then behind the requests that count round trips, and the
// overview's ETags (which name the minute; the clock runs with real time) stay the same for them.
func touchAtAFreshMinute(t *testing.T, p *apptest.Portal, r *reader) {
	t.Helper()
	p.Clock.Advance(time.Minute)
	p.Clock.ToNextMinute()
	r.client.Get(t, "/api/v1/me").Status(t, http.StatusOK)
}
