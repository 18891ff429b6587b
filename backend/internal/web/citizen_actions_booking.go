package web

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

// bookingJSON is the Booking of the citizen API (docs/citizen-api.md), as an action answers it.
type bookingJSON struct {
	ID               string      `json:"id"`
	Agency           agencyJSON  `json:"agency"`
	Resource         string      `json:"resource"`
	Place            placeJSON   `json:"place"`
	StartsAt         time.Time   `json:"startsAt"`
	EndsAt           time.Time   `json:"endsAt"`
	Status           string      `json:"status"`
	CancellableUntil *time.Time  `json:"cancellableUntil"`
	CanCancel        bool        `json:"canCancel"`
	KeyID            *string     `json:"keyId"`
	Subject          *personJSON `json:"subject"`
}

type agencyJSON struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type placeJSON struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// presentBooking renders one booking for the caller in lang, reading in the action's transaction
// so the answer is what was committed.
func presentBooking(ctx context.Context, db bun.IDB, b *bookings.Booking, lang string, p Principal, now time.Time) (bookingJSON, error) {
	out := bookingJSON{ID: b.ID, Place: placeJSON{Name: b.PlaceName, Address: b.PlaceAddress}, StartsAt: b.StartsAt.UTC(),
		EndsAt: b.EndsAt.UTC(), Status: b.Status, CancellableUntil: b.CancellableUntil, CanCancel: actions.CanCancel(b, now)}
	var a agency.Agency
	if err := db.NewSelect().Model(&a).Column("slug", "name").Where("id = ?", b.AgencyID).Scan(ctx); err != nil {
		return out, fmt.Errorf("web: booking agency: %w", err)
	}
	out.Agency = agencyJSON{Slug: a.Slug, Name: a.Name}
	t, err := texts.Load(ctx, db, "booking", []string{b.ID})
	if err != nil {
		return out, err
	}
	out.Resource, _ = i18n.Pick(t[b.ID]["resource"], lang)
	var keyIDs []string
	if err := db.NewSelect().Model((*keys.Key)(nil)).Column("id").Where("booking_id = ?", b.ID).Order("id").Limit(1).Scan(ctx, &keyIDs); err != nil {
		return out, fmt.Errorf("web: booking key: %w", err)
	}
	if len(keyIDs) > 0 {
		out.KeyID = &keyIDs[0]
	}
	if p.ActingAs {
		subject, err := citizens.Get(ctx, db, b.CitizenID)
		if err != nil {
			return out, err
		}
		out.Subject = &personJSON{ID: subject.ID, Name: subject.Name}
	}
	return out, nil
}
