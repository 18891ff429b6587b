package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/push"
	"minside/backend/internal/store"
)

// MaxDevices is how many push devices one citizen may have. Registering one more evicts the
// device registered longest ago (a new phone replaces the lost one) rather than refusing: the
// citizen who just tapped "turn on notifications" gets them, and the list stays bounded.
const MaxDevices = 10

// DeviceView is a device as the citizen sees it: never the endpoint or keys.
type DeviceView struct {
	ID         string     `json:"id"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastSentAt *time.Time `json:"lastSentAt"`
}

func (d Device) View() DeviceView {
	return DeviceView{ID: d.ID, Label: d.Label, CreatedAt: d.CreatedAt, LastSentAt: d.LastSentAt}
}

// Devices registers, lists and forgets a citizen's push subscriptions.
type Devices struct {
	db    bun.IDB
	allow push.AllowList
}

// NewDevices takes the database and the push-service allow-list endpoints are checked against.
func NewDevices(db bun.IDB, allow push.AllowList) *Devices { return &Devices{db: db, allow: allow} }

// Register stores the browser's PushSubscription.toJSON() body (plus an optional "label") for the
// citizen, tied to the session so logging out forgets it. Posting the same endpoint again updates
// that device (keys, label, owner, session) instead of adding a second one; an endpoint moves to
// whoever registered it last, so a shared browser never notifies its previous user.
func (d *Devices) Register(ctx context.Context, citizenID, sessionHash string, body []byte, now time.Time) (Device, error) {
	sub, err := push.ParseSubscription(body, d.allow)
	if err != nil {
		return Device{}, err
	}
	var session *string
	if sessionHash != "" {
		session = &sessionHash
	}
	dev := Device{ID: store.NewID(), CitizenID: citizenID, SessionHash: session, Endpoint: sub.Endpoint,
		P256dh: sub.P256dh, Auth: sub.Auth, Label: sub.Label, CreatedAt: store.UTC(now)}
	err = d.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var existing Device
		err := tx.NewSelect().Model(&existing).Where("endpoint = ?", sub.Endpoint).Scan(ctx)
		switch {
		case err == nil:
			dev.ID, dev.CreatedAt, dev.LastSentAt = existing.ID, existing.CreatedAt, existing.LastSentAt
			_, err = tx.NewUpdate().Model(&dev).
				Column("citizen_id", "session_hash", "p256dh", "auth", "label", "failures").
				WherePK().Exec(ctx)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var ids []string
		if err := tx.NewSelect().Model((*Device)(nil)).Column("id").Where("citizen_id = ?", citizenID).
			Order("created_at DESC", "id DESC").Scan(ctx, &ids); err != nil {
			return err
		}
		if len(ids) >= MaxDevices {
			if _, err := tx.NewDelete().Model((*Device)(nil)).Where("id IN (?)", bun.In(ids[MaxDevices-1:])).Exec(ctx); err != nil {
				return err
			}
		}
		// A concurrent registration of the same endpoint becomes an update, not an error.
		_, err = tx.NewInsert().Model(&dev).On("CONFLICT (endpoint) DO UPDATE").
			Set("citizen_id = EXCLUDED.citizen_id").Set("session_hash = EXCLUDED.session_hash").
			Set("p256dh = EXCLUDED.p256dh").Set("auth = EXCLUDED.auth").Set("label = EXCLUDED.label").
			Returning("id, created_at").Exec(ctx)
		return err
	})
	if err != nil {
		return Device{}, fmt.Errorf("notify: register device: %w", err)
	}
	return dev, nil
}

// List returns the citizen's devices, newest first.
func (d *Devices) List(ctx context.Context, citizenID string) ([]Device, error) {
	var out []Device
	err := d.db.NewSelect().Model(&out).Where("citizen_id = ?", citizenID).Order("created_at DESC", "id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("notify: list devices: %w", err)
	}
	return out, nil
}

// Forget deletes one of the citizen's devices ("forget this device"); not_found when it is not
// theirs, or not an id at all (PostgreSQL would refuse it as a uuid).
func (d *Devices) Forget(ctx context.Context, citizenID, id string) error {
	if uuid.Validate(id) != nil {
		return apperr.NotFound()
	}
	res, err := d.db.NewDelete().Model((*Device)(nil)).Where("id = ?", id).Where("citizen_id = ?", citizenID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("notify: forget device: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound()
	}
	return nil
}

// ForgetSession deletes the devices registered in a session; logout calls it in its transaction.
func ForgetSession(ctx context.Context, db bun.IDB, sessionHash string) (int64, error) {
	if sessionHash == "" {
		return 0, nil
	}
	res, err := db.NewDelete().Model((*Device)(nil)).Where("session_hash = ?", sessionHash).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("notify: forget session devices: %w", err)
	}
	return res.RowsAffected()
}
