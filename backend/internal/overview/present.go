package overview

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/actions"
	"minside/backend/internal/agency"
	"minside/backend/internal/bookings"
	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/keys"
	"minside/backend/internal/texts"
)

// PresentBooking renders one booking, in the shape the lists show, for a reader in lang; withSubject
// names whose booking it is (for someone acting for that person). It reads in the caller's
// transaction, so an action's answer is what it committed and can be stored for an Idempotency-Key
// replay; the Service reads on its own handle, hence this renderer.
func PresentBooking(ctx context.Context, db bun.IDB, b *bookings.Booking, lang string, withSubject bool, now time.Time) (Booking, error) {
	out := Booking{ID: b.ID, Place: Place{Name: b.PlaceName, Address: b.PlaceAddress}, StartsAt: b.StartsAt.UTC(),
		EndsAt: b.EndsAt.UTC(), Status: b.Status, CancellableUntil: b.CancellableUntil, CanCancel: actions.CanCancel(b, now)}
	var a agency.Agency
	if err := db.NewSelect().Model(&a).Column("slug", "name").Where("id = ?", b.AgencyID).Scan(ctx); err != nil {
		return out, fmt.Errorf("overview: booking agency: %w", err)
	}
	out.Agency = Agency{Slug: a.Slug, Name: a.Name}
	t, err := texts.Load(ctx, db, "booking", []string{b.ID})
	if err != nil {
		return out, err
	}
	out.Resource, _ = i18n.Pick(t[b.ID]["resource"], lang)
	var keyIDs []string
	if err := db.NewSelect().Model((*keys.Key)(nil)).Column("id").Where("booking_id = ?", b.ID).Order("id").Limit(1).Scan(ctx, &keyIDs); err != nil {
		return out, fmt.Errorf("overview: booking key: %w", err)
	}
	if len(keyIDs) > 0 {
		out.KeyID = &keyIDs[0]
	}
	if withSubject {
		subject, err := citizens.Get(ctx, db, b.CitizenID)
		if err != nil {
			return out, err
		}
		out.Subject = &Person{ID: subject.ID, Name: subject.Name}
	}
	return out, nil
}
