package actions

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/auth"
	"minside/backend/internal/keys"
	"minside/backend/internal/ratelimit"
	"minside/backend/internal/store"
)

// Results of a door attempt, as key_uses and the key.used webhook record them.
const (
	ResultOpened = "opened"
	ResultFailed = "failed"
)

// ErrDoorFailed is the cause of the 503 answered when the lock system did not open the door. The
// action's transaction is rolled back; the caller then records the failed attempt with
// RecordFailedOpen, so the citizen and the agency still see it.
var ErrDoorFailed = errors.New("actions: the door did not open")

// KeyUsed is the data of the key.used webhook; ids are the agency's own.
type KeyUsed struct {
	Key         string    `json:"key"`
	Facility    string    `json:"facility"`
	AccessPoint string    `json:"accessPoint"`
	Result      string    `json:"result"`
	At          time.Time `json:"at"`
	By          string    `json:"by"`
}

// OpenRequest is one press of "open" in the app.
type OpenRequest struct {
	KeyID         string
	AccessPointID string
	ACR           string // the session's login level
	RequestID     string
}

// CheckOpen runs the checks that must hold before any transaction, on db itself: the key is the
// subject's (else not found), the login level is high enough (else 401 with a stepUpUrl member),
// and the attempt is within the rate limit per (actor, key) (else 429 with retryAfter seconds).
// Attempts count even when the action later fails, so guessing is slow.
func (s *Service) CheckOpen(ctx context.Context, db bun.IDB, v For, req OpenRequest, now time.Time) error {
	if _, err := loadKey(ctx, db, v, req.KeyID); err != nil {
		return err
	}
	if s.deps.StepUpACR != "" && !auth.ACRSatisfies(req.ACR, s.deps.StepUpACR) {
		q := url.Values{"acr": {s.deps.StepUpACR}, "returnTo": {"/keys/" + req.KeyID}}
		return apperr.Unauthorized().WithDetail("error.detail.step_up_required", nil).
			WithExtra("stepUpUrl", "/auth/login?"+q.Encode())
	}
	ok, retry, err := ratelimit.Allow(ctx, db, "door:"+actorOf(v)+":"+req.KeyID, s.deps.OpenLimit, s.deps.OpenWindow, now)
	if err != nil {
		return err
	}
	if !ok {
		secs := int((retry + time.Second - 1) / time.Second)
		return apperr.New(apperr.CodeRateLimited).WithDetail("error.detail.too_many_attempts", nil).WithExtra("retryAfter", secs)
	}
	return nil
}

// Open opens one door of a key in tx: the key must be active and in one of its windows, the door
// one of the key's; then the door adapter is asked, and the use is recorded in key_uses, sent to
// the agency as key.used and audited when a representative pressed it.
func (s *Service) Open(ctx context.Context, tx bun.IDB, v For, req OpenRequest, now time.Time) (time.Time, error) {
	now = store.UTC(now)
	k, err := loadKey(ctx, tx, v, req.KeyID)
	if err != nil {
		return time.Time{}, err
	}
	valid, err := ValidNow(ctx, tx, k, now)
	if err != nil {
		return time.Time{}, err
	}
	if !valid {
		return time.Time{}, apperr.New(apperr.CodeInvalid).WithDetail("error.detail.key_not_valid_now", nil)
	}
	ap, facilityExt, err := accessPointOf(ctx, tx, k, req.AccessPointID)
	if err != nil {
		return time.Time{}, err
	}
	if s.deps.Door == nil {
		return time.Time{}, apperr.Unavailable(errors.New("actions: no door adapter configured")).WithDetail("error.detail.door_unavailable", nil)
	}
	if err := s.deps.Door.Open(ctx, DoorRequest{
		AgencyID: k.AgencyID, KeyExternalID: k.ExternalID, FacilityExternalID: facilityExt,
		AccessPointExternal: ap.ExternalID, ActorCitizenID: actorOf(v), At: now,
	}); err != nil {
		return time.Time{}, apperr.Unavailable(fmt.Errorf("%w: %w", ErrDoorFailed, err)).WithDetail("error.detail.door_unavailable", nil)
	}
	if err := s.recordUse(ctx, tx, v, k, ap, facilityExt, ResultOpened, req.RequestID, now); err != nil {
		return time.Time{}, err
	}
	return now, nil
}

// RecordFailedOpen records an attempt the lock system did not carry out (after Open answered
// ErrDoorFailed and its transaction was rolled back).
func (s *Service) RecordFailedOpen(ctx context.Context, db *store.DB, v For, req OpenRequest, now time.Time) error {
	now = store.UTC(now)
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		k, err := loadKey(ctx, tx, v, req.KeyID)
		if err != nil {
			return err
		}
		ap, facilityExt, err := accessPointOf(ctx, tx, k, req.AccessPointID)
		if err != nil {
			return err
		}
		return s.recordUse(ctx, tx, v, k, ap, facilityExt, ResultFailed, req.RequestID, now)
	})
}

func (s *Service) recordUse(ctx context.Context, tx bun.IDB, v For, k *keys.Key, ap *keys.AccessPoint, facilityExt, result, requestID string, now time.Time) error {
	use := &keys.Use{ID: store.NewID(), KeyID: k.ID, AccessPointID: ap.ID, CitizenID: k.CitizenID,
		ActorCitizenID: actorOf(v), Result: result, CreatedAt: now}
	if _, err := tx.NewInsert().Model(use).Exec(ctx); err != nil {
		return fmt.Errorf("actions: record key use: %w", err)
	}
	if err := s.deps.Webhooks(ctx, tx, k.AgencyID, EventKeyUsed, KeyUsed{
		Key: k.ExternalID, Facility: facilityExt, AccessPoint: ap.ExternalID, Result: result, At: now, By: by(v),
	}, now); err != nil {
		return fmt.Errorf("actions: key used: %w", err)
	}
	return auditRepresentative(ctx, tx, v, "key.open", "key", k.ID, requestID, now, map[string]any{"accessPoint": ap.ID, "result": result})
}

// ValidNow reports whether a key works at now: active, inside its envelope and, when it has
// windows, inside one of them.
func ValidNow(ctx context.Context, db bun.IDB, k *keys.Key, now time.Time) (bool, error) {
	if k.Status != keys.StatusActive || now.Before(k.ValidFrom) || !now.Before(k.ValidUntil) {
		return false, nil
	}
	windows, err := db.NewSelect().Model((*keys.Window)(nil)).Where("key_id = ?", k.ID).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("actions: key windows: %w", err)
	}
	if windows == 0 {
		return true, nil
	}
	open, err := db.NewSelect().Model((*keys.Window)(nil)).
		Where("key_id = ? AND starts_at <= ? AND ends_at > ?", k.ID, now, now).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("actions: key windows: %w", err)
	}
	return open > 0, nil
}

// loadKey returns the key when the view may act on it. Keys carry no area: a representative
// limited to some areas cannot use them.
func loadKey(ctx context.Context, db bun.IDB, v For, id string) (*keys.Key, error) {
	if !isID(id) {
		return nil, apperr.NotFound()
	}
	k := new(keys.Key)
	err := db.NewSelect().Model(k).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("actions: load key: %w", err)
	}
	if !v.Owns(k.CitizenID, "") {
		return nil, apperr.NotFound()
	}
	return k, nil
}

// accessPointOf returns the door when the key opens it, with the facility's external id.
func accessPointOf(ctx context.Context, db bun.IDB, k *keys.Key, accessPointID string) (*keys.AccessPoint, string, error) {
	bad := apperr.Invalid(apperr.Field("/accessPointId", "field.invalid", nil))
	if accessPointID == "" {
		return nil, "", apperr.Invalid(apperr.Field("/accessPointId", "field.required", nil))
	}
	ap := new(keys.AccessPoint)
	err := db.NewSelect().Model(ap).
		Join("JOIN key_access_points AS kap ON kap.access_point_id = access_point.id").
		Where("kap.key_id = ? AND access_point.id = ?", k.ID, accessPointID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", bad
	}
	if err != nil {
		return nil, "", fmt.Errorf("actions: access point: %w", err)
	}
	var facilityExt string
	if err := db.NewSelect().Model((*keys.Facility)(nil)).Column("external_id").Where("id = ?", k.FacilityID).Scan(ctx, &facilityExt); err != nil {
		return nil, "", fmt.Errorf("actions: facility: %w", err)
	}
	return ap, facilityExt, nil
}

// Use is one entry of a key's use log as the citizen sees it.
type Use struct {
	ID              string    `json:"id"`
	AccessPointID   string    `json:"accessPointId"`
	AccessPointName string    `json:"accessPointName"`
	Result          string    `json:"result"`
	At              time.Time `json:"at"`
	ByOther         bool      `json:"byOther"` // pressed by a representative, not the key holder
}

// Uses lists a key's use log, newest first, after the cursor (a use id) when given.
func (s *Service) Uses(ctx context.Context, db bun.IDB, v For, keyID, cursor string, limit int) ([]Use, string, error) {
	k, err := loadKey(ctx, db, v, keyID)
	if err != nil {
		return nil, "", err
	}
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	var rows []keys.Use
	q := db.NewSelect().Model(&rows).Where("key_id = ?", k.ID).OrderExpr("id DESC").Limit(int64(limit + 1))
	if cursor != "" {
		if !isID(cursor) {
			return nil, "", apperr.BadRequest("error.detail.cursor_expired")
		}
		q = q.Where("id < ?", cursor)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, "", fmt.Errorf("actions: key uses: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	names := map[string]string{}
	var aps []keys.AccessPoint
	if err := db.NewSelect().Model(&aps).Where("facility_id = ?", k.FacilityID).Scan(ctx); err != nil {
		return nil, "", fmt.Errorf("actions: access points: %w", err)
	}
	for _, ap := range aps {
		names[ap.ID] = ap.Name
	}
	out := make([]Use, 0, len(rows))
	for _, r := range rows {
		out = append(out, Use{ID: r.ID, AccessPointID: r.AccessPointID, AccessPointName: names[r.AccessPointID],
			Result: r.Result, At: r.CreatedAt, ByOther: r.ActorCitizenID != r.CitizenID})
	}
	return out, next, nil
}
