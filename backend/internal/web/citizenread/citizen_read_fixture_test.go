package citizenread_test

import (
	"context"
	"database/sql"
	"net/http"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/bookings"
	"minside/backend/internal/cases"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/keys"
	"minside/backend/internal/notify"
	"minside/backend/internal/store"
	"minside/backend/internal/texts"
)

// reader is a logged-in citizen and a way to write their read model as an agency push would (rows,
// texts and a changes row in one transaction).
type reader struct {
	p      *apptest.Portal
	client *apptest.Client
	me     *citizens.Citizen
}

func loginReader(t *testing.T, p *apptest.Portal, year, n int) *reader {
	t.Helper()
	c := p.LoginAs(t, apptest.PID(t, year, n))
	var me struct{ ID string }
	c.Get(t, "/api/v1/me").Status(t, http.StatusOK).JSON(t, &me)
	self, err := citizens.Get(context.Background(), p.DB, me.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &reader{p: p, client: c, me: self}
}

func write(t *testing.T, p *apptest.Portal, fn func(ctx context.Context, tx bun.Tx, now time.Time) error) {
	t.Helper()
	now := store.UTC(p.Clock.Now())
	if err := p.DB.RunInTx(context.Background(), &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
		return fn(ctx, tx, now)
	}); err != nil {
		t.Fatal(err)
	}
}

func addCase(t *testing.T, p *apptest.Portal, agencyID, citizenID, status, title string) string {
	t.Helper()
	id := store.NewID()
	write(t, p, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		c := &cases.Case{ID: id, AgencyID: agencyID, ExternalID: id, Version: 1, CitizenID: citizenID, Area: "building",
			Status: status, DeepLink: "https://etat.example.no/sak", CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return err
		}
		if err := texts.Save(ctx, tx, "case", id, texts.Fields{"title": {"nb": title}}); err != nil {
			return err
		}
		return changes.Record(ctx, tx, &citizenID, "case", id, changes.OpUpsert, now)
	})
	return id
}

func setStatus(t *testing.T, p *apptest.Portal, id, citizenID, status string) {
	t.Helper()
	write(t, p, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		if _, err := tx.NewUpdate().Model((*cases.Case)(nil)).Set("status = ?", status).Set("updated_at = ?", now).
			Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return changes.Record(ctx, tx, &citizenID, "case", id, changes.OpUpsert, now)
	})
}

func addBooking(t *testing.T, p *apptest.Portal, agencyID, citizenID string, in time.Duration) string {
	t.Helper()
	id := store.NewID()
	write(t, p, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		b := &bookings.Booking{ID: id, AgencyID: agencyID, ExternalID: id, Version: 1, CitizenID: citizenID, Area: "culture",
			PlaceName: "Biblioteket", StartsAt: now.Add(in), EndsAt: now.Add(in + time.Hour), Status: bookings.StatusConfirmed,
			CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(b).Exec(ctx); err != nil {
			return err
		}
		if err := texts.Save(ctx, tx, "booking", id, texts.Fields{"resource": {"nb": "Møterom"}}); err != nil {
			return err
		}
		return changes.Record(ctx, tx, &citizenID, "booking", id, changes.OpUpsert, now)
	})
	return id
}

func addKey(t *testing.T, p *apptest.Portal, agencyID, citizenID string) string {
	t.Helper()
	id := store.NewID()
	write(t, p, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		f := &keys.Facility{ID: store.NewID(), AgencyID: agencyID, ExternalID: id, Name: "Miljøstasjon", CreatedAt: now, UpdatedAt: now}
		k := &keys.Key{ID: id, AgencyID: agencyID, ExternalID: id, Version: 1, CitizenID: citizenID, FacilityID: f.ID,
			Status: keys.StatusActive, ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
		w := &keys.Window{ID: store.NewID(), KeyID: id, StartsAt: k.ValidFrom, EndsAt: k.ValidUntil}
		for _, m := range []any{f, k, w} {
			if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
				return err
			}
		}
		return changes.Record(ctx, tx, &citizenID, "key", id, changes.OpUpsert, now)
	})
	return id
}

func addNotification(t *testing.T, p *apptest.Portal, agencyID, citizenID, title string) string {
	t.Helper()
	id := store.NewID()
	write(t, p, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		n := &notify.Notification{ID: id, AgencyID: &agencyID, CitizenID: citizenID, Category: "general", Urgency: "normal", CreatedAt: now}
		if _, err := tx.NewInsert().Model(n).Exec(ctx); err != nil {
			return err
		}
		if err := texts.Save(ctx, tx, "notification", id, texts.Fields{"title": {"nb": title}, "body": {"nb": "…"}}); err != nil {
			return err
		}
		return changes.Record(ctx, tx, &citizenID, "notification", id, changes.OpUpsert, now)
	})
	return id
}
