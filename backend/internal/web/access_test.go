package web

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"minside/backend/internal/audit"
	"minside/backend/internal/citizens"
	"minside/backend/internal/config"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func TestSessionCookieFollowsBaseURL(t *testing.T) {
	tests := []struct {
		env, base string
		name      string
		secure    bool
		fails     bool
	}{
		{config.ModeProduction, "https://minside.kommune.no", "__Host-minside", true, false},
		{config.ModeDev, "https://minside.test", "__Host-minside", true, false},
		{config.ModeDev, "http://localhost:8080", "minside", false, false},
		{config.ModeDev, "http://127.0.0.1:41234", "minside", false, false},
		{config.ModeDev, "http://minside.lan:8080", "", false, true},
		{config.ModeProduction, "http://localhost:8080", "", false, true},
	}
	for _, tc := range tests {
		cfg := config.Default()
		cfg.Env, cfg.BaseURL = tc.env, tc.base
		got, err := newSessionCookie(cfg)
		if (err != nil) != tc.fails || got.name != tc.name || got.secure != tc.secure {
			t.Errorf("%s %s: %+v, %v", tc.env, tc.base, got, err)
		}
	}
}

// TestAuditActing: reads and actions on someone's behalf are audited for both people; one's own are not.
func TestAuditActing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, nil)
		s.deps.DB = db
		ctx := context.Background()
		var ids []string
		for range 2 {
			c := &citizens.Citizen{ID: store.NewID(), PIDHash: store.NewID(), PIDMasked: "x", BirthDate: time.Now().UTC(),
				CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
			if _, err := db.NewInsert().Model(c).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		rep, subject := ids[0], ids[1]
		app := fiber.New()
		app.Get("/:who", func(c *fiber.Ctx) error {
			p := Principal{CitizenID: rep, SubjectID: rep}
			if c.Params("who") == "other" {
				p.SubjectID, p.ActingAs = subject, true
			}
			c.Locals(localPrincipal, p)
			return s.auditRead(c, "case", "case-1")
		})
		for _, path := range []string{"/own", "/other"} {
			if resp, err := app.Test(httptest.NewRequest("GET", path, nil), -1); err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s: %v %v", path, resp, err)
			}
		}
		var rows []audit.Entry
		if err := db.NewSelect().Model(&rows).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d audit rows, want 1 (only the read on someone's behalf)", len(rows))
		}
		r := rows[0]
		if r.ActorKind != audit.ActorRepresentative || *r.ActorID != rep || *r.SubjectID != subject || r.Action != "read" || r.ObjectID != "case-1" {
			t.Errorf("audit row %+v", r)
		}
	})
}
