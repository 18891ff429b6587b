package doors

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/keys"
	"minside/backend/internal/store"
)

// Adapter states, as the manifest poll last saw them.
const (
	AdapterUnknown = "unknown" // configured, not polled yet
	AdapterUp      = "up"
	AdapterDown    = "down"
)

// LockAdapter is a facility's configured lock adapter and the last manifest poll (lock_adapters).
type LockAdapter struct {
	bun.BaseModel `bun:"table:lock_adapters"`

	FacilityID      string     `bun:"facility_id,pk"`
	URL             string     `bun:"url,notnull"`
	PublicKey       string     `bun:"public_key,notnull"` // the adapter's Ed25519 key, base64url
	CreatedAt       time.Time  `bun:"created_at,notnull"`
	UpdatedAt       time.Time  `bun:"updated_at,notnull"`
	ClaimedAt       *time.Time `bun:"claimed_at"`
	CheckedAt       *time.Time `bun:"checked_at"`
	Status          string     `bun:"status,notnull"`
	DoorsOutOfOrder string     `bun:"doors_out_of_order,notnull"` // JSON array of external door ids
	LastError       string     `bun:"last_error,notnull"`
}

// DoorOutOfOrder is the one rule for "this door cannot open now": its adapter was down at the last
// manifest poll, or the manifest lists the door as out of order or not at all (doorsOutOfOrder,
// as stored). An adapter never polled yet is given the benefit of the doubt.
func DoorOutOfOrder(status, doorsOutOfOrder, doorExternalID string) bool {
	if status == AdapterDown {
		return true
	}
	if status != AdapterUp || doorsOutOfOrder == "" || doorsOutOfOrder == "[]" {
		return false
	}
	var out []string
	if json.Unmarshal([]byte(doorsOutOfOrder), &out) != nil {
		return false
	}
	for _, id := range out {
		if id == doorExternalID {
			return true
		}
	}
	return false
}

// AdapterListing is one configured adapter as the operator lists it.
type AdapterListing struct {
	AgencySlug string
	Facility   string // the agency's external id
	LockAdapter
}

// Adapters configures lock adapters per facility (the operator's `minside facility lock`).
type Adapters struct{ db *store.DB }

// NewAdapters builds the configuration service.
func NewAdapters(db *store.DB) *Adapters { return &Adapters{db: db} }

// Set points the facility (agency slug, the agency's facility id) at the adapter at rawURL
// (https), trusting publicKey for its answers. The poll state starts over.
func (a *Adapters) Set(ctx context.Context, agencySlug, facility, rawURL, publicKey string, now time.Time) (LockAdapter, error) {
	var fields []apperr.FieldError
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		fields = append(fields, apperr.Field("/url", "field.invalid_url", nil))
	}
	key, err := ParsePublicKey(publicKey)
	if err != nil {
		fields = append(fields, apperr.Field("/publicKey", "field.invalid", nil))
	}
	if len(fields) > 0 {
		return LockAdapter{}, apperr.Invalid(fields...)
	}
	f, err := a.facility(ctx, agencySlug, facility)
	if err != nil {
		return LockAdapter{}, err
	}
	now = store.UTC(now)
	la := LockAdapter{FacilityID: f.ID, URL: strings.TrimRight(u.String(), "/"), PublicKey: EncodePublicKey(key),
		CreatedAt: now, UpdatedAt: now, Status: AdapterUnknown, DoorsOutOfOrder: "[]"}
	_, err = a.db.NewInsert().Model(&la).
		On("CONFLICT (facility_id) DO UPDATE").
		Set("url = EXCLUDED.url, public_key = EXCLUDED.public_key, updated_at = EXCLUDED.updated_at").
		Set("claimed_at = NULL, checked_at = NULL, status = EXCLUDED.status, doors_out_of_order = EXCLUDED.doors_out_of_order, last_error = ''").
		Exec(ctx)
	if err != nil {
		return LockAdapter{}, fmt.Errorf("doors: set lock adapter: %w", err)
	}
	return la, nil
}

// Unset removes the facility's adapter: its doors then have none (see Locks for what that means).
func (a *Adapters) Unset(ctx context.Context, agencySlug, facility string) error {
	f, err := a.facility(ctx, agencySlug, facility)
	if err != nil {
		return err
	}
	res, err := a.db.NewDelete().Model((*LockAdapter)(nil)).Where("facility_id = ?", f.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("doors: unset lock adapter: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound()
	}
	return nil
}

// List returns every configured adapter with its facility, by agency and facility.
func (a *Adapters) List(ctx context.Context) ([]AdapterListing, error) {
	var out []AdapterListing
	err := a.db.NewSelect().TableExpr("lock_adapters AS la").
		Join("JOIN facilities AS f ON f.id = la.facility_id").Join("JOIN agencies AS ag ON ag.id = f.agency_id").
		ColumnExpr("ag.slug AS agency_slug, f.external_id AS facility, la.*").
		OrderExpr("ag.slug, f.external_id").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("doors: list lock adapters: %w", err)
	}
	return out, nil
}

func (a *Adapters) facility(ctx context.Context, agencySlug, externalID string) (keys.Facility, error) {
	var f keys.Facility
	err := a.db.NewSelect().Model(&f).
		Where("agency_id = (SELECT id FROM agencies WHERE slug = ?)", agencySlug).
		Where("external_id = ?", externalID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return keys.Facility{}, apperr.NotFound()
	}
	if err != nil {
		return keys.Facility{}, fmt.Errorf("doors: find facility: %w", err)
	}
	return f, nil
}
