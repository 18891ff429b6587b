package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/auth"
	"minside/backend/internal/config"
	"minside/backend/internal/outbox"
)

// taskPortal runs fn on both engines with opening sensitive content requiring BankID level.
func taskPortal(t *testing.T, fn func(t *testing.T, p *apptest.Portal)) {
	t.Parallel() // each test runs its own portal and database
	apptest.Each(t, fn, apptest.WithConfig(func(c *config.Config) { c.StepUpACR = auth.ACRHigh }))
}

// agencyClient is a client of the agency API with a new agency's key.
func agencyClient(t *testing.T, p *apptest.Portal, slug string) *apptest.Client {
	t.Helper()
	_, key, _, err := p.App.Agencies.Create(context.Background(), slug, "Etat "+slug, "")
	if err != nil {
		t.Fatal(err)
	}
	c := p.Anonymous(t)
	c.Header.Set("Authorization", "Bearer "+key.Key)
	return c
}

type needsItem struct {
	Kind, ID, Title     string
	Link, StepUpURL     *string
	DueAt, SeenAt       *time.Time
	Sensitive, Withheld bool
	Agency              struct{ Name string }
}

func needsAction(t *testing.T, c *apptest.Client) ([]needsItem, string) {
	t.Helper()
	r := c.Get(t, "/api/v1/me/overview").Status(t, http.StatusOK)
	var o struct{ NeedsAction []needsItem }
	r.JSON(t, &o)
	return o.NeedsAction, string(r.Body)
}

func find(items []needsItem, kind string) *needsItem {
	for i := range items {
		if items[i].Kind == kind {
			return &items[i]
		}
	}
	return nil
}

// A task stays in "needs your action" until the agency closes it; a draft shows with its
// continue link until submitted, and an expired one is gone.
func TestTasksAndDraftsInNeedsAction(t *testing.T) {
	taskPortal(t, func(t *testing.T, p *apptest.Portal) {
		number := apptest.PID(t, 1980, 11)
		c := p.LoginAs(t, number)
		ag := agencyClient(t, p, "byggesak")
		now := p.Clock.Now().UTC().Truncate(time.Second)
		task := map[string]any{"pid": number, "area": "building", "title": map[string]string{"nb": "Last opp situasjonsplan"},
			"body": map[string]string{"nb": "Vi trenger planen."}, "dueAt": now.Add(5 * 24 * time.Hour).Format(time.RFC3339),
			"link": "https://byggesak.example.no/o/1", "status": "open", "version": 1}
		ag.Send(t, http.MethodPut, "/api/agency/v1/tasks/t-1", task).Status(t, http.StatusCreated)
		draft := map[string]any{"pid": number, "area": "kindergarten", "title": map[string]string{"nb": "Søknad om barnehageplass"},
			"link": "https://barnehage.example.no/utkast/1", "expiresAt": now.Add(48 * time.Hour).Format(time.RFC3339), "status": "open", "version": 1}
		ag.Send(t, http.MethodPut, "/api/agency/v1/drafts/d-1", draft).Status(t, http.StatusCreated)

		items, _ := needsAction(t, c)
		tk, dr := find(items, "task"), find(items, "draft")
		if tk == nil || tk.Title != "Last opp situasjonsplan" || tk.Link == nil || *tk.Link != "https://byggesak.example.no/o/1" || tk.DueAt == nil || tk.SeenAt != nil {
			t.Fatalf("task in needs action: %+v", tk)
		}
		if dr == nil || dr.Link == nil || *dr.Link != "https://barnehage.example.no/utkast/1" || dr.DueAt == nil || !dr.DueAt.Equal(now.Add(48*time.Hour)) {
			t.Fatalf("draft in needs action: %+v", dr)
		}
		// Shown: recorded once, the first time stands.
		var seen struct{ SeenAt *time.Time }
		c.Send(t, http.MethodPost, "/api/v1/tasks/"+tk.ID+"/seen", nil).Status(t, http.StatusOK).JSON(t, &seen)
		first := seen.SeenAt
		p.Clock.Advance(time.Minute)
		c.Send(t, http.MethodPost, "/api/v1/tasks/"+tk.ID+"/seen", nil).Status(t, http.StatusOK).JSON(t, &seen)
		if first == nil || seen.SeenAt == nil || !seen.SeenAt.Equal(*first) {
			t.Fatalf("seen at %v then %v", first, seen.SeenAt)
		}
		var detail struct {
			Title, Body string
			SeenAt      *time.Time
		}
		c.Get(t, "/api/v1/tasks/"+tk.ID).Status(t, http.StatusOK).JSON(t, &detail)
		if detail.Title != "Last opp situasjonsplan" || detail.Body != "Vi trenger planen." || detail.SeenAt == nil {
			t.Fatalf("task detail %+v", detail)
		}
		// Another person's task is not found, and cannot be marked seen.
		other := p.LoginAs(t, apptest.PID(t, 1981, 12))
		other.Get(t, "/api/v1/tasks/"+tk.ID).Status(t, http.StatusNotFound)
		other.Send(t, http.MethodPost, "/api/v1/tasks/"+tk.ID+"/seen", nil).Status(t, http.StatusNotFound)

		// The agency closes the task and the draft is submitted: both leave.
		task["status"], task["version"] = "done", 2
		ag.Send(t, http.MethodPut, "/api/agency/v1/tasks/t-1", task).Status(t, http.StatusOK)
		draft["status"], draft["version"] = "submitted", 2
		ag.Send(t, http.MethodPut, "/api/agency/v1/drafts/d-1", draft).Status(t, http.StatusOK)
		if items, _ := needsAction(t, c); find(items, "task") != nil || find(items, "draft") != nil {
			t.Fatalf("closed task or submitted draft still shown: %+v", items)
		}
		// A draft that expires is gone from the overview and the detail.
		draft["status"], draft["version"] = "open", 3
		ag.Send(t, http.MethodPut, "/api/agency/v1/drafts/d-1", draft).Status(t, http.StatusOK)
		items, _ = needsAction(t, c)
		if dr = find(items, "draft"); dr == nil {
			t.Fatal("reopened draft not shown")
		}
		draft["expiresAt"], draft["version"] = now.Add(-time.Minute).Format(time.RFC3339), 4
		ag.Send(t, http.MethodPut, "/api/agency/v1/drafts/d-1", draft).Status(t, http.StatusOK)
		if items, _ := needsAction(t, c); find(items, "draft") != nil {
			t.Fatalf("expired draft shown: %+v", items)
		}
		c.Get(t, "/api/v1/tasks/"+dr.ID).Status(t, http.StatusNotFound)
		// The janitor deletes the expired draft and its texts; the agency's record stays, and a
		// newer version brings the draft back under the same id.
		if deleted, err := p.App.Janitor.Clean(context.Background()); err != nil || deleted["tasks"] != 1 || deleted["texts"] != 1 {
			t.Fatalf("janitor: %v %v", deleted, err)
		}
		draft["expiresAt"], draft["version"] = now.Add(24*time.Hour).Format(time.RFC3339), 5
		var back struct{ ID string }
		ag.Send(t, http.MethodPut, "/api/agency/v1/drafts/d-1", draft).Status(t, http.StatusOK).JSON(t, &back)
		if items, _ := needsAction(t, c); back.ID != dr.ID || find(items, "draft") == nil || find(items, "draft").Title != "Søknad om barnehageplass" {
			t.Fatalf("draft after the janitor: %s %+v", back.ID, items)
		}

		// Bad input: named fields, nothing written.
		bad := map[string]any{"pid": number, "area": "nowhere", "title": map[string]string{"nb": "x"}, "status": "open", "version": 1}
		prob := string(ag.Send(t, http.MethodPut, "/api/agency/v1/tasks/t-bad", bad).Status(t, http.StatusUnprocessableEntity).Body)
		if !strings.Contains(prob, `"pointer":"/area"`) || !strings.Contains(prob, `"pointer":"/dueAt"`) {
			t.Fatalf("problem %s", prob)
		}
		ag.Get(t, "/api/agency/v1/tasks/t-bad").Status(t, http.StatusNotFound)
	})
}

// A sensitive task shows below the step-up level only as existing: no title, body or link in the
// overview, the detail or the push; after a step-up login it shows in full.
func TestSensitiveTaskIsWithheldBelowStepUp(t *testing.T) {
	taskPortal(t, func(t *testing.T, p *apptest.Portal) {
		number := apptest.PID(t, 1975, 21)
		c := p.LoginAs(t, number) // the dev provider's default: substantial
		ag := agencyClient(t, p, "helse")
		const secret = "Time hos psykolog"
		ag.Send(t, http.MethodPut, "/api/agency/v1/tasks/s-1", map[string]any{"pid": number, "area": "health",
			"title": map[string]string{"nb": secret}, "body": map[string]string{"nb": "Hemmelig innhold"},
			"dueAt": p.Clock.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339), "link": "https://helse.example.no/hemmelig",
			"sensitive": true, "status": "open", "version": 1}).Status(t, http.StatusCreated)

		items, body := needsAction(t, c)
		tk := find(items, "task")
		if tk == nil || !tk.Withheld || !tk.Sensitive || tk.Title != "" || tk.Link != nil || tk.Agency.Name != "Etat helse" {
			t.Fatalf("withheld task: %+v", tk)
		}
		if tk.StepUpURL == nil || !strings.Contains(*tk.StepUpURL, "acr="+auth.ACRHigh) {
			t.Fatalf("step-up url %v", tk.StepUpURL)
		}
		detail := c.Get(t, "/api/v1/tasks/"+tk.ID).Status(t, http.StatusOK)
		for _, leak := range []string{secret, "Hemmelig", "helse.example.no"} {
			if strings.Contains(body, leak) || strings.Contains(string(detail.Body), leak) {
				t.Fatalf("%q leaks below step-up", leak)
			}
		}
		if !strings.Contains(string(detail.Body), `"stepUpUrl":"/auth/login?acr=`) {
			t.Fatalf("detail offers no step-up: %s", detail.Body)
		}
		// The push about it names only the agency (the event carries ids; the text is the agency's name).
		var payloads []string
		if err := p.DB.NewSelect().Model((*outbox.Message)(nil)).Column("payload").Where("topic = ?", outbox.TopicNotify).Scan(context.Background(), &payloads); err != nil {
			t.Fatal(err)
		}
		for _, pl := range payloads {
			if strings.Contains(pl, "Hemmelig") || strings.Contains(pl, "psykolog") {
				t.Fatalf("outbox payload leaks: %s", pl)
			}
		}

		// Step up through the real login flow at the higher level: the content shows.
		c.Login(t, number, apptest.LoginOptions{ACR: auth.ACRHigh})
		items, _ = needsAction(t, c)
		if tk = find(items, "task"); tk == nil || tk.Withheld || tk.Title != secret || tk.Link == nil {
			t.Fatalf("after step-up: %+v", tk)
		}
	})
}

// An open task nobody has opened is announced again once, after MINSIDE_TASK_REMIND_AFTER; a seen
// task is not.
func TestUnseenTaskIsRemindedOnce(t *testing.T) {
	taskPortal(t, func(t *testing.T, p *apptest.Portal) {
		ctx := context.Background()
		number := apptest.PID(t, 1970, 31)
		c := p.LoginAs(t, number)
		ag := agencyClient(t, p, "skatt")
		due := p.Clock.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
		put := func(ext string) string {
			var out struct{ ID string }
			ag.Send(t, http.MethodPut, "/api/agency/v1/tasks/"+ext, map[string]any{"pid": number, "area": "tax",
				"title": map[string]string{"nb": "Bekreft skattekortet"}, "dueAt": due, "status": "open", "version": 1}).
				Status(t, http.StatusCreated).JSON(t, &out)
			return out.ID
		}
		unseen, seen := put("u-1"), put("s-1")
		c.Send(t, http.MethodPost, "/api/v1/tasks/"+seen+"/seen", nil).Status(t, http.StatusOK)
		reminders := func() int {
			n, err := p.DB.NewSelect().Model((*outbox.Message)(nil)).Where("dedupe_key LIKE 'task:%:unseen'").Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		r := p.App.Notify.Reminders
		if n, err := r.RunOnce(ctx); err != nil || n != 0 || reminders() != 0 {
			t.Fatalf("before the delay: %d %v", n, err)
		}
		p.Clock.Advance(72*time.Hour + time.Minute)
		if n, err := r.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("after the delay: %d %v", n, err)
		}
		if n, err := r.RunOnce(ctx); err != nil || n != 0 || reminders() != 1 {
			t.Fatalf("a second run: %d %v (%d reminders)", n, err, reminders())
		}
		var key string
		if err := p.DB.NewSelect().Model((*outbox.Message)(nil)).Column("dedupe_key").Where("dedupe_key LIKE 'task:%:unseen'").Scan(ctx, &key); err != nil || key != "task:"+unseen+":unseen" {
			t.Fatalf("reminded %q, want the unseen task %s (%v)", key, unseen, err)
		}
	})
}
