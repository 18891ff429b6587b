package apptest

import (
	"context"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/citizens"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
)

// Citizen returns the citizen with this national identity number, creating them as an agency
// mention would (the same row a later login finds).
func (p *Portal) Citizen(t testing.TB, number, name string) *citizens.Citizen {
	t.Helper()
	n, err := p.App.Citizens.Parse(number)
	if err != nil {
		t.Fatalf("apptest: citizen: %v", err)
	}
	c, err := p.App.Citizens.Ensure(context.Background(), p.DB, n, name, p.Clock.Now())
	if err != nil {
		t.Fatalf("apptest: citizen: %v", err)
	}
	return c
}

// Agency creates an agency with this slug (no API key, no webhook).
func (p *Portal) Agency(t testing.TB, slug string) *agency.Agency {
	t.Helper()
	now := store.UTC(p.Clock.Now())
	a := &agency.Agency{ID: store.NewID(), Slug: slug, Name: slug, CreatedAt: now, UpdatedAt: now}
	if _, err := p.DB.NewInsert().Model(a).Exec(context.Background()); err != nil {
		t.Fatalf("apptest: agency: %v", err)
	}
	return a
}

// Relation records that rep may act for subject, as the population register or a fullmakt
// registry would: kind represent.KindGuardian or KindPowerOfAttorney, scopes nil for every area,
// valid from now on until until (nil: open-ended). It creates the feeding agency when needed.
func (p *Portal) Relation(t testing.TB, kind string, rep, subject *citizens.Citizen, scopes []string, until *time.Time) *represent.Relation {
	t.Helper()
	ctx := context.Background()
	var ag agency.Agency
	if err := p.DB.NewSelect().Model(&ag).Where("slug = ?", "folkeregisteret").Scan(ctx); err != nil {
		ag = *p.Agency(t, "folkeregisteret")
	}
	now := store.UTC(p.Clock.Now())
	if err := agency.Grant(ctx, p.DB, ag.ID, kind, now); err != nil { // the register holds the authority
		t.Fatalf("apptest: authority: %v", err)
	}
	r := &represent.Relation{ID: store.NewID(), AgencyID: ag.ID, ExternalID: store.NewID(), Version: 1, Kind: kind,
		RepresentativeID: rep.ID, SubjectID: subject.ID, Scopes: scopes, ValidFrom: now.Add(-time.Hour),
		CreatedAt: now, UpdatedAt: now}
	if until != nil {
		u := store.UTC(*until)
		r.ValidUntil = &u
	}
	if _, err := p.DB.NewInsert().Model(r).Exec(ctx); err != nil {
		t.Fatalf("apptest: relation: %v", err)
	}
	return r
}

// Settle waits until the outbox has nothing pending (claimed or not): the work a portal starts on its
// own (the day's suggestion sweep is planned at start) and what earlier requests caused are done,
// so a test that compares the database before and after a request sees only that request.
// Messages scheduled for later by the portal's clock (a push held back by quiet hours until the
// morning) are not work in flight: counting them made every test that settles fail at night.
func (p *Portal) Settle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := p.DB.NewSelect().Table("outbox").
			Where("status = 'pending' AND available_at <= ?", p.Clock.Now().UTC().Add(time.Second)).Count(context.Background())
		if err != nil {
			t.Fatalf("apptest: settle: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("apptest: %d outbox messages still pending after 10 s", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Drain sends what the outbox holds now from the test's goroutine, then waits (Settle) for what
// the portal's own worker has claimed: that worker runs beside the test, so a RunOnce that finds
// nothing free to claim does not mean nothing is in flight. A test that drained with RunOnce
// alone checked the database while the worker was still writing, and failed when the machine
// was busy.
func (p *Portal) Drain(t testing.TB) {
	t.Helper()
	for range 100 {
		n, err := p.App.Outbox.RunOnce(context.Background())
		if err != nil {
			t.Fatalf("apptest: drain: %v", err)
		}
		if n == 0 {
			p.Settle(t)
			return
		}
	}
	t.Fatal("apptest: the outbox does not drain")
}
