package citizenread_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
)

// feedPage is one answer of the changes feed, with its notification summary kept raw so a test
// compares it with the overview's section byte for byte.
type feedPage struct {
	Changes       []struct{ Kind, ID, Op string }
	Cursor        string
	More          bool
	Notifications json.RawMessage
}

// TestChangesFeedSendsTheUnreadSummaryOverHTTP: a feed page that carries notifications also carries
// the overview's notification section as it stands (unread count and the newest few), so the PWA
// sets its badge without reloading the overview; a page without notifications carries none.
func TestChangesFeedSendsTheUnreadSummaryOverHTTP(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		r := loginReader(t, p, 1986, 7)
		health, plan := p.Agency(t, "helse"), p.Agency(t, "plan")
		var notes []string
		for _, title := range []string{"Timeavtale", "Prøvesvar", "Resept", "Innkalling", "Vaksine", "Påminnelse"} {
			notes = append(notes, addNotification(t, p, health.ID, r.me.ID, title))
		}
		var o overviewBody
		r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &o)
		if o.Notifications.Unread != len(notes) {
			t.Fatalf("overview unread = %d, want %d", o.Notifications.Unread, len(notes))
		}
		cursor := o.Cursor

		// read pulls the feed until a page has the object, checking on every page that the summary
		// comes exactly with notifications; it returns the last page.
		read := func(id string) feedPage {
			t.Helper()
			// On PostgreSQL a page may replay changes the overview already had: never fewer.
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
				var d feedPage
				r.client.Get(t, "/api/v1/changes?cursor="+url.QueryEscape(cursor)).Status(t, http.StatusOK).JSON(t, &d)
				cursor = d.Cursor
				withNotes := slices.ContainsFunc(d.Changes, func(c struct{ Kind, ID, Op string }) bool { return c.Kind == "notification" })
				if withNotes != (len(d.Notifications) > 0) {
					t.Fatalf("a page with notification changes %v carries the summary %s", withNotes, d.Notifications)
				}
				if slices.ContainsFunc(d.Changes, func(c struct{ Kind, ID, Op string }) bool { return c.ID == id }) {
					return d
				}
			}
			t.Fatalf("%s never came in the feed", id)
			return feedPage{}
		}
		// The summary is the overview's section as it stands after the page's changes.
		sameAsOverview := func(d feedPage) {
			t.Helper()
			var now struct{ Notifications json.RawMessage }
			r.client.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK).JSON(t, &now)
			if string(d.Notifications) != string(now.Notifications) {
				t.Errorf("feed summary %s\noverview     %s", d.Notifications, now.Notifications)
			}
		}

		caseID := addCase(t, p, plan.ID, r.me.ID, cases.StatusReceived, "Byggesøknad")
		read(caseID)

		// Read through the API: the badge goes down.
		r.client.Send(t, http.MethodPost, "/api/v1/notifications/"+notes[len(notes)-1]+"/read", nil).Status(t, http.StatusOK)
		d := read(notes[len(notes)-1])
		var summary struct {
			Unread int
			Items  []struct{ ID, Title string }
		}
		if err := json.Unmarshal(d.Notifications, &summary); err != nil {
			t.Fatalf("summary %s: %v", d.Notifications, err)
		}
		if summary.Unread != len(notes)-1 || len(summary.Items) != 5 || summary.Items[0].ID != notes[len(notes)-2] || summary.Items[0].Title != "Vaksine" {
			t.Errorf("after one read: %s", d.Notifications)
		}
		sameAsOverview(d)

		// A new one: the badge goes up and it is the newest.
		fresh := addNotification(t, p, health.ID, r.me.ID, "Nytt brev")
		d = read(fresh)
		if err := json.Unmarshal(d.Notifications, &summary); err != nil {
			t.Fatal(err)
		}
		if summary.Unread != len(notes) || summary.Items[0].ID != fresh {
			t.Errorf("after a new one: %s", d.Notifications)
		}
		sameAsOverview(d)
	})
}
