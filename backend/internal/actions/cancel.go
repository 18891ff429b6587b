package actions

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/bookings"
	"minside/backend/internal/changes"
	"minside/backend/internal/keys"
	"minside/backend/internal/store"
	"minside/backend/internal/webhook"
)

// CanCancel reports whether a confirmed booking may still be cancelled at now: before its
// cancellation deadline and before it starts (the overview computes canCancel the same way).
func CanCancel(b *bookings.Booking, now time.Time) bool {
	if b.Status != bookings.StatusConfirmed {
		return false
	}
	deadline := b.StartsAt
	if b.CancellableUntil != nil && b.CancellableUntil.Before(deadline) {
		deadline = *b.CancellableUntil
	}
	return now.Before(deadline)
}

// CancelBooking cancels one of the subject's bookings in tx. Cancelling an already cancelled
// booking answers it as it is and does nothing, so concurrent or repeated cancels cancel once:
// the update is conditional on status 'confirmed' and only the request that changed the row
// revokes the linked key, tells the agency, writes the feed and audits.
func (s *Service) CancelBooking(ctx context.Context, tx bun.IDB, v For, bookingID, requestID string, now time.Time) (*bookings.Booking, error) {
	now = store.UTC(now)
	b, err := loadBooking(ctx, tx, v, bookingID)
	if err != nil {
		return nil, err
	}
	if b.Status == bookings.StatusCancelled {
		return b, nil
	}
	if !CanCancel(b, now) {
		return nil, apperr.New(apperr.CodeInvalid).WithDetail("error.detail.cancel_deadline_passed", nil)
	}
	res, err := tx.NewUpdate().Model((*bookings.Booking)(nil)).
		Set("status = ?", bookings.StatusCancelled).
		Set("cancelled_at = ?", now).
		Set("updated_at = ?", now).
		Where("id = ? AND status = ?", b.ID, bookings.StatusConfirmed).
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("actions: cancel booking: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("actions: cancel booking: %w", err)
	} else if n == 0 {
		// Someone else cancelled it between our read and our update: answer what is there now.
		return loadBooking(ctx, tx, v, bookingID)
	}
	b.Status, b.CancelledAt, b.UpdatedAt = bookings.StatusCancelled, &now, now

	if err := revokeLinkedKeys(ctx, tx, b, now); err != nil {
		return nil, err
	}
	if err := s.deps.Webhooks(ctx, tx, b.AgencyID, webhook.EventBookingCancelled,
		webhook.BookingCancelled{Booking: b.ExternalID, CancelledAt: now, By: by(v)}, now); err != nil {
		return nil, fmt.Errorf("actions: cancel booking: %w", err)
	}
	if err := changes.Record(ctx, tx, &b.CitizenID, "booking", b.ID, changes.OpUpsert, now); err != nil {
		return nil, err
	}
	if err := auditRepresentative(ctx, tx, v, audit.ActionBookingCancel, "booking", b.ID, requestID, now, nil); err != nil {
		return nil, err
	}
	return b, nil
}

// loadBooking returns the booking when the view may act on it, else not found (no existence leak).
func loadBooking(ctx context.Context, db bun.IDB, v For, id string) (*bookings.Booking, error) {
	return loadOwned(ctx, v, id, "booking", func(ctx context.Context, b *bookings.Booking) error {
		return db.NewSelect().Model(b).Where("id = ?", id).Scan(ctx)
	}, func(b *bookings.Booking) (string, string) { return b.CitizenID, b.Area })
}

// revokeLinkedKeys revokes the keys that exist for the booking: a key follows its booking.
func revokeLinkedKeys(ctx context.Context, tx bun.IDB, b *bookings.Booking, now time.Time) error {
	var linked []keys.Key
	if err := tx.NewSelect().Model(&linked).Column("id", "citizen_id").
		Where("booking_id = ? AND status IN (?)", b.ID, bun.In([]string{keys.StatusActive, keys.StatusSuspended})).
		Scan(ctx); err != nil {
		return fmt.Errorf("actions: linked keys: %w", err)
	}
	for _, k := range linked {
		if _, err := tx.NewUpdate().Model((*keys.Key)(nil)).
			Set("status = ?", keys.StatusRevoked).Set("updated_at = ?", now).
			Where("id = ?", k.ID).Exec(ctx); err != nil {
			return fmt.Errorf("actions: revoke key: %w", err)
		}
		if err := changes.Record(ctx, tx, &k.CitizenID, "key", k.ID, changes.OpUpsert, now); err != nil {
			return err
		}
	}
	return nil
}
