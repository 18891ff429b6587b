package ingest

import (
	"context"
	"fmt"
	"time"

	"minside/backend/internal/bookings"
	"minside/backend/internal/keys"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
)

var bookingStatuses = []string{bookings.StatusConfirmed, bookings.StatusCancelled, bookings.StatusCompleted}

// BookingRecord is a reservation as an agency sends it.
type BookingRecord struct {
	PID              string            `json:"pid"`
	Resource         map[string]string `json:"resource"`
	Place            Place             `json:"place"`
	StartsAt         string            `json:"startsAt"`
	EndsAt           string            `json:"endsAt"`
	Status           string            `json:"status"`
	CancellableUntil string            `json:"cancellableUntil,omitempty"`
	KeyExternalID    string            `json:"keyExternalId,omitempty"`
	Area             string            `json:"area,omitempty"`
	Version          int64             `json:"version"`
}

// Place is where a booking happens.
type Place struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
}

type bookingSpec struct{}

type parsedBooking struct {
	rec                  BookingRecord
	number               pid.Number
	starts, ends, cancel *time.Time
}

func (bookingSpec) parse(body []byte, base string, pids pid.Options) (parsed, error) {
	p := &parsedBooking{}
	c := &checker{base: base, pids: pids}
	if err := decodeStrict(body, &p.rec, c); err != nil {
		return nil, err
	}
	r := &p.rec // checks write the canonical text back into the record
	p.number, _ = c.pid("/pid", r.PID)
	c.texts("/resource", r.Resource, titleText, true)
	c.text("/place/name", &r.Place.Name, nameText.Need(true))
	c.text("/place/address", &r.Place.Address, nameText)
	p.starts = c.time("/startsAt", r.StartsAt, true)
	p.ends = c.time("/endsAt", r.EndsAt, true)
	if p.starts != nil && p.ends != nil && !p.ends.After(*p.starts) {
		c.add("/endsAt", "field.must_be_after", map[string]any{"Other": "startsAt"})
	}
	c.oneOf("/status", r.Status, bookingStatuses, true)
	p.cancel = c.time("/cancellableUntil", r.CancellableUntil, false)
	if r.KeyExternalID != "" {
		checkExternalID(c, "/keyExternalId", r.KeyExternalID)
	}
	c.oneOf("/area", r.Area, areas, false)
	c.version(r.Version)
	if err := c.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *parsedBooking) version() int64 { return p.rec.Version }

func (p *parsedBooking) apply(ctx context.Context, w *writer, prev *record) (applied, error) {
	r := p.rec
	person, err := w.citizen(ctx, p.number, "")
	if err != nil {
		return applied{}, err
	}
	row := &bookings.Booking{ID: store.NewID(), CreatedAt: w.now}
	var old *bookings.Booking
	if prev != nil {
		old = new(bookings.Booking)
		if err := w.tx.NewSelect().Model(old).Where("id = ?", prev.ObjectID).Scan(ctx); err != nil {
			return applied{}, fmt.Errorf("ingest: booking: %w", err)
		}
		row.ID, row.CreatedAt, row.CancelledAt = old.ID, old.CreatedAt, old.CancelledAt
	}
	row.AgencyID, row.ExternalID, row.Version, row.CitizenID = w.req.AgencyID, w.externalID, r.Version, person.ID
	row.Area, row.PlaceName, row.PlaceAddress = r.Area, r.Place.Name, r.Place.Address
	row.StartsAt, row.EndsAt, row.Status, row.CancellableUntil, row.UpdatedAt = *p.starts, *p.ends, r.Status, p.cancel, w.now
	if r.Status == bookings.StatusCancelled && row.CancelledAt == nil {
		row.CancelledAt = &w.now
	}
	if old != nil {
		_, err = w.tx.NewUpdate().Model(row).ExcludeColumn("created_at").WherePK().Exec(ctx)
	} else {
		_, err = w.tx.NewInsert().Model(row).Exec(ctx)
	}
	if err != nil {
		return applied{}, fmt.Errorf("ingest: booking: %w", err)
	}
	if err := texts.Save(ctx, w.tx, "booking", row.ID, texts.Fields{"resource": r.Resource}); err != nil {
		return applied{}, err
	}
	if err := w.change(ctx, &person.ID, "booking", row.ID, "upsert"); err != nil {
		return applied{}, err
	}
	ev := suggest.Event{Kind: "booking.created", ObjectID: row.ID, Status: row.Status}
	if old != nil {
		ev.Kind = "booking.cancelled"
		if row.Status != bookings.StatusCancelled || old.Status == bookings.StatusCancelled {
			ev.Kind = "" // an update that is neither: state rules still look
		}
	}
	if err := w.suggestEvent(ctx, person.ID, ev); err != nil {
		return applied{}, err
	}
	if err := followBooking(ctx, w, row, old, r.KeyExternalID); err != nil {
		return applied{}, err
	}
	body, err := stripPIDs(r, row.ID, map[string]string{"pid": p.number.String()})
	return applied{objectID: row.ID, citizenID: &person.ID, body: body}, err
}

// followBooking makes the booking's key follow it: linked by keyExternalId (when the key already
// exists), moved with the booking's times and kept until the end plus KeyGrace, revoked when the
// booking is cancelled.
func followBooking(ctx context.Context, w *writer, b *bookings.Booking, old *bookings.Booking, keyExternalID string) error {
	if keyExternalID != "" {
		if _, err := w.tx.NewUpdate().Model((*keys.Key)(nil)).Set("booking_id = ?", b.ID).
			Where("agency_id = ? AND external_id = ? AND citizen_id = ?", w.req.AgencyID, keyExternalID, b.CitizenID).
			Exec(ctx); err != nil {
			return fmt.Errorf("ingest: link key: %w", err)
		}
	}
	var linked []keys.Key
	if err := w.tx.NewSelect().Model(&linked).Where("booking_id = ?", b.ID).Scan(ctx); err != nil {
		return fmt.Errorf("ingest: booking keys: %w", err)
	}
	moved := old == nil || !old.StartsAt.Equal(b.StartsAt) || !old.EndsAt.Equal(b.EndsAt)
	for i := range linked {
		k := &linked[i]
		switch {
		case b.Status == bookings.StatusCancelled && k.Status != keys.StatusRevoked:
			k.Status = keys.StatusRevoked
		case b.Status != bookings.StatusCancelled && moved:
			if err := moveWindows(ctx, w, k, old, b); err != nil {
				return err
			}
		default:
			continue
		}
		k.UpdatedAt = w.now
		if _, err := w.tx.NewUpdate().Model(k).Column("status", "valid_from", "valid_until", "updated_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("ingest: booking key: %w", err)
		}
		if err := w.change(ctx, &k.CitizenID, "key", k.ID, "upsert"); err != nil {
			return err
		}
	}
	return nil
}

// moveWindows shifts a key's windows by as much as the booking's start moved and keeps the last
// one open until the booking's end plus the grace period.
func moveWindows(ctx context.Context, w *writer, k *keys.Key, old, b *bookings.Booking) error {
	var windows []keys.Window
	if err := w.tx.NewSelect().Model(&windows).Where("key_id = ?", k.ID).Order("starts_at").Scan(ctx); err != nil {
		return fmt.Errorf("ingest: key windows: %w", err)
	}
	if len(windows) == 0 || old == nil {
		windows = []keys.Window{{ID: store.NewID(), KeyID: k.ID, StartsAt: b.StartsAt, EndsAt: b.EndsAt.Add(KeyGrace)}}
	} else {
		shift := b.StartsAt.Sub(old.StartsAt)
		for i := range windows {
			windows[i].StartsAt = store.UTC(windows[i].StartsAt.Add(shift))
			windows[i].EndsAt = store.UTC(windows[i].EndsAt.Add(shift))
		}
		last := &windows[len(windows)-1]
		last.EndsAt = b.EndsAt.Add(KeyGrace)
		if !last.EndsAt.After(last.StartsAt) {
			last.StartsAt = b.StartsAt
		}
	}
	return replaceWindows(ctx, w, k, windows)
}

func replaceWindows(ctx context.Context, w *writer, k *keys.Key, windows []keys.Window) error {
	if _, err := w.tx.NewDelete().Model((*keys.Window)(nil)).Where("key_id = ?", k.ID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: key windows: %w", err)
	}
	for i := range windows {
		windows[i].ID, windows[i].KeyID = store.NewID(), k.ID
		if i == 0 || windows[i].StartsAt.Before(k.ValidFrom) {
			k.ValidFrom = windows[i].StartsAt
		}
		if i == 0 || windows[i].EndsAt.After(k.ValidUntil) {
			k.ValidUntil = windows[i].EndsAt
		}
	}
	if len(windows) == 0 {
		return nil
	}
	if _, err := w.tx.NewInsert().Model(&windows).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: key windows: %w", err)
	}
	return nil
}

func deleteBooking(ctx context.Context, w *writer, r *record) error {
	if err := texts.Delete(ctx, w.tx, "booking", r.ObjectID); err != nil {
		return err
	}
	if _, err := w.tx.NewDelete().Model((*bookings.Booking)(nil)).Where("id = ?", r.ObjectID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete booking: %w", err)
	}
	if err := w.suggestEvent(ctx, *r.CitizenID, suggest.Event{Kind: "booking.deleted", ObjectID: r.ObjectID}); err != nil {
		return err
	}
	return w.change(ctx, r.CitizenID, "booking", r.ObjectID, "delete")
}
