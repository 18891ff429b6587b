package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/bookings"
	"minside/backend/internal/keys"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
)

// validSoonLead is how long before a key's first window the citizen hears it is about to work.
const validSoonLead = time.Hour

var keyStatuses = []string{keys.StatusActive, keys.StatusSuspended, keys.StatusRevoked}

// KeyRecord is a digital key as an agency sends it, with the facility it opens.
type KeyRecord struct {
	PID               string     `json:"pid"`
	Facility          Facility   `json:"facility"`
	AccessPoints      []string   `json:"accessPoints,omitempty"`
	Windows           []KeyRange `json:"windows,omitempty"`
	Status            string     `json:"status"`
	BookingExternalID string     `json:"bookingExternalId,omitempty"`
	Version           int64      `json:"version"`
}

// Facility is a building with doors; upserted with the key by external id.
type Facility struct {
	ExternalID string `json:"externalId"`
	Name       string `json:"name"`
	Address    string `json:"address,omitempty"`
	// OpeningHours, per language, are shown with every key to the facility. Absent keeps what is
	// stored (many keys share a facility); {} removes them.
	OpeningHours map[string]string `json:"openingHours,omitempty"`
	AccessPoints []AccessPoint     `json:"accessPoints"`
}

// AccessPoint is one door.
type AccessPoint struct {
	ExternalID string `json:"externalId"`
	Name       string `json:"name"`
}

// KeyRange is one period in which a key works.
type KeyRange struct {
	StartsAt string `json:"startsAt"`
	EndsAt   string `json:"endsAt"`
}

type keySpec struct{}

type parsedKey struct {
	rec     KeyRecord
	number  pid.Number
	windows []keys.Window
}

func (keySpec) parse(body []byte, base string, pids pid.Options) (parsed, error) {
	p := &parsedKey{}
	c := &checker{base: base, pids: pids}
	if err := decodeStrict(body, &p.rec, c); err != nil {
		return nil, err
	}
	r := &p.rec // checks write the canonical text back into the record
	p.number, _ = c.pid("/pid", r.PID)
	f := &r.Facility
	checkExternalID(c, "/facility/externalId", f.ExternalID)
	c.text("/facility/name", &f.Name, nameText.Need(true))
	c.text("/facility/address", &f.Address, nameText)
	c.texts("/facility/openingHours", f.OpeningHours, openingHoursText, false)
	if len(f.AccessPoints) == 0 {
		c.add("/facility/accessPoints", "field.required", nil)
	}
	c.count("/facility/accessPoints", len(f.AccessPoints), maxAccessPts)
	doors := map[string]bool{}
	for i := range f.AccessPoints {
		ap := &f.AccessPoints[i]
		ptr := "/facility/accessPoints/" + strconv.Itoa(i)
		checkExternalID(c, ptr+"/externalId", ap.ExternalID)
		if doors[ap.ExternalID] {
			c.add(ptr+"/externalId", "field.duplicate", nil)
		}
		doors[ap.ExternalID] = true
		c.text(ptr+"/name", &ap.Name, nameText.Need(true))
	}
	for i, id := range r.AccessPoints {
		if !doors[id] {
			c.add("/accessPoints/"+strconv.Itoa(i), "field.unknown_reference", nil)
		}
	}
	c.count("/windows", len(r.Windows), maxWindows)
	for i, win := range r.Windows {
		ptr := "/windows/" + strconv.Itoa(i)
		from := c.time(ptr+"/startsAt", win.StartsAt, true)
		until := c.time(ptr+"/endsAt", win.EndsAt, true)
		if from != nil && until != nil {
			if !until.After(*from) {
				c.add(ptr+"/endsAt", "field.must_be_after", map[string]any{"Other": "startsAt"})
			}
			p.windows = append(p.windows, keys.Window{StartsAt: *from, EndsAt: *until})
		}
	}
	c.oneOf("/status", r.Status, keyStatuses, true)
	if r.BookingExternalID != "" {
		checkExternalID(c, "/bookingExternalId", r.BookingExternalID)
	}
	c.version(r.Version)
	if err := c.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *parsedKey) version() int64 { return p.rec.Version }

func (p *parsedKey) apply(ctx context.Context, w *writer, prev *record) (applied, error) {
	r := p.rec
	person, err := w.citizen(ctx, p.number, "")
	if err != nil {
		return applied{}, err
	}
	facility, doors, err := upsertFacility(ctx, w, r.Facility)
	if err != nil {
		return applied{}, err
	}
	booking, err := p.booking(ctx, w, person.ID)
	if err != nil {
		return applied{}, err
	}
	row := &keys.Key{ID: store.NewID(), CreatedAt: w.now}
	if prev != nil {
		row.ID, row.CreatedAt = prev.ObjectID, prev.CreatedAt
	}
	row.AgencyID, row.ExternalID, row.Version, row.CitizenID = w.req.AgencyID, w.externalID, r.Version, person.ID
	row.FacilityID, row.Status, row.UpdatedAt = facility.ID, r.Status, w.now
	windows := p.windows
	if booking == nil && len(windows) == 0 {
		// Without a booking to follow, a key must say when it works.
		return applied{}, apperr.Invalid(apperr.Field("/windows", "field.required", nil))
	}
	if booking != nil {
		row.BookingID = &booking.ID
		if len(windows) == 0 {
			windows = []keys.Window{{StartsAt: booking.StartsAt, EndsAt: booking.EndsAt.Add(KeyGrace)}}
		}
		if booking.Status == bookings.StatusCancelled {
			row.Status = keys.StatusRevoked
		}
	}
	// The envelope is computed before the row is written: valid_from/valid_until are not null.
	envelope := &keys.Key{}
	for i, win := range windows {
		if i == 0 || win.StartsAt.Before(envelope.ValidFrom) {
			envelope.ValidFrom = win.StartsAt
		}
		if i == 0 || win.EndsAt.After(envelope.ValidUntil) {
			envelope.ValidUntil = win.EndsAt
		}
	}
	row.ValidFrom, row.ValidUntil = envelope.ValidFrom, envelope.ValidUntil
	if prev != nil {
		_, err = w.tx.NewUpdate().Model(row).ExcludeColumn("created_at").WherePK().Exec(ctx)
	} else {
		_, err = w.tx.NewInsert().Model(row).Exec(ctx)
	}
	if err != nil {
		return applied{}, fmt.Errorf("ingest: key: %w", err)
	}
	if err := replaceWindows(ctx, w, row, windows); err != nil {
		return applied{}, err
	}
	if err := p.replaceDoors(ctx, w, row.ID, doors); err != nil {
		return applied{}, err
	}
	if err := w.change(ctx, &person.ID, "key", row.ID, "upsert"); err != nil {
		return applied{}, err
	}
	ev := suggest.Event{Kind: "key.issued", ObjectID: row.ID, Status: row.Status}
	if prev != nil {
		ev.Kind = "" // an update: state rules still look
	}
	if err := w.suggestEvent(ctx, person.ID, ev); err != nil {
		return applied{}, err
	}
	if prev == nil && row.Status == keys.StatusActive {
		if err := announceKey(ctx, w, row, person.ID); err != nil {
			return applied{}, err
		}
	}
	body, err := stripPIDs(r, row.ID, map[string]string{"pid": p.number.String()})
	return applied{objectID: row.ID, citizenID: &person.ID, body: body}, err
}

// announceKey tells the citizen about a new key now, and again shortly before it starts working.
func announceKey(ctx context.Context, w *writer, k *keys.Key, citizenID string) error {
	ev := outbox.NotifyEvent{CitizenID: citizenID, Kind: "key", ObjectID: k.ID, Reason: "new"}
	if err := w.notify(ctx, ev, outbox.Options{}); err != nil {
		return err
	}
	if soon := k.ValidFrom.Add(-validSoonLead); soon.After(w.now) {
		ev.Reason = "valid_soon"
		return w.notify(ctx, ev, outbox.Options{At: soon, DedupeKey: "key:" + k.ID + ":valid_soon:" + k.ValidFrom.Format(time.RFC3339)})
	}
	return nil
}

// booking resolves bookingExternalId, or a booking that named this key by keyExternalId.
func (p *parsedKey) booking(ctx context.Context, w *writer, citizenID string) (*bookings.Booking, error) {
	b := new(bookings.Booking)
	q := w.tx.NewSelect().Model(b).Where("agency_id = ?", w.req.AgencyID)
	if p.rec.BookingExternalID != "" {
		q = q.Where("external_id = ?", p.rec.BookingExternalID)
	} else {
		q = q.Where("id IN (SELECT object_id FROM agency_records WHERE agency_id = ? AND kind = ? AND body->>'keyExternalId' = ?)",
			w.req.AgencyID, string(KindBookings), w.externalID)
	}
	err := q.Limit(1).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if p.rec.BookingExternalID != "" {
			return nil, apperr.Invalid(apperr.Field("/bookingExternalId", "field.unknown_reference", nil))
		}
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("ingest: key booking: %w", err)
	case b.CitizenID != citizenID:
		return nil, apperr.Invalid(apperr.Field("/bookingExternalId", "field.unknown_reference", nil))
	}
	return b, nil
}

func (p *parsedKey) replaceDoors(ctx context.Context, w *writer, keyID string, doors map[string]string) error {
	if _, err := w.tx.NewDelete().Model((*keys.KeyAccessPoint)(nil)).Where("key_id = ?", keyID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: key doors: %w", err)
	}
	opens := p.rec.AccessPoints
	if len(opens) == 0 {
		for _, ap := range p.rec.Facility.AccessPoints {
			opens = append(opens, ap.ExternalID)
		}
	}
	rows := make([]keys.KeyAccessPoint, 0, len(opens))
	for _, ext := range slices.Compact(slices.Sorted(slices.Values(opens))) {
		rows = append(rows, keys.KeyAccessPoint{KeyID: keyID, AccessPointID: doors[ext]})
	}
	if _, err := w.tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: key doors: %w", err)
	}
	return nil
}

// upsertFacility writes the facility and its doors; doors no longer listed are removed. It returns
// the portal ids of the doors by external id.
func upsertFacility(ctx context.Context, w *writer, f Facility) (*keys.Facility, map[string]string, error) {
	row := &keys.Facility{ID: store.NewID(), AgencyID: w.req.AgencyID, ExternalID: f.ExternalID, Name: f.Name, Address: f.Address, CreatedAt: w.now, UpdatedAt: w.now}
	if _, err := w.tx.NewInsert().Model(row).
		On("CONFLICT (agency_id, external_id) DO UPDATE").
		Set("name = EXCLUDED.name, address = EXCLUDED.address, updated_at = EXCLUDED.updated_at").
		Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("ingest: facility: %w", err)
	}
	if err := w.tx.NewSelect().Model(row).Where("agency_id = ? AND external_id = ?", w.req.AgencyID, f.ExternalID).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("ingest: facility: %w", err)
	}
	if f.OpeningHours != nil {
		if err := texts.Save(ctx, w.tx, "facility", row.ID, texts.Fields{"opening_hours": f.OpeningHours}); err != nil {
			return nil, nil, err
		}
	}
	listed := make([]string, len(f.AccessPoints))
	for i, ap := range f.AccessPoints {
		listed[i] = ap.ExternalID
		door := &keys.AccessPoint{ID: store.NewID(), FacilityID: row.ID, ExternalID: ap.ExternalID, Name: ap.Name, CreatedAt: w.now}
		if _, err := w.tx.NewInsert().Model(door).
			On("CONFLICT (facility_id, external_id) DO UPDATE").Set("name = EXCLUDED.name").
			Exec(ctx); err != nil {
			return nil, nil, fmt.Errorf("ingest: access point: %w", err)
		}
	}
	if _, err := w.tx.NewDelete().Model((*keys.AccessPoint)(nil)).
		Where("facility_id = ? AND external_id NOT IN (?)", row.ID, bun.In(listed)).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("ingest: access points: %w", err)
	}
	var doors []keys.AccessPoint
	if err := w.tx.NewSelect().Model(&doors).Where("facility_id = ?", row.ID).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("ingest: access points: %w", err)
	}
	ids := make(map[string]string, len(doors))
	for _, d := range doors {
		ids[d.ExternalID] = d.ID
	}
	return row, ids, nil
}

func deleteKey(ctx context.Context, w *writer, r *record) error {
	if _, err := w.tx.NewDelete().Model((*keys.Key)(nil)).Where("id = ?", r.ObjectID).Exec(ctx); err != nil {
		return fmt.Errorf("ingest: delete key: %w", err)
	}
	if err := w.suggestEvent(ctx, *r.CitizenID, suggest.Event{Kind: "key.deleted", ObjectID: r.ObjectID}); err != nil {
		return err
	}
	return w.change(ctx, r.CitizenID, "key", r.ObjectID, "delete")
}
