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
	"minside/backend/internal/doors"
	"minside/backend/internal/keys"
	"minside/backend/internal/ratelimit"
)

// DoorService opens a door and records the attempt (key_uses, the key.used webhook, the feed and
// the audit of a representative) in its own transaction: doors.Service.
type DoorService interface {
	Open(ctx context.Context, req doors.OpenRequest, now time.Time) (doors.Result, error)
}

// OpenRequest is one press of "open" in the app.
type OpenRequest struct {
	KeyID         string
	AccessPointID string
	ACR           string // the session's login level
	RequestID     string
}

// CheckOpen runs the checks that come before the door service: the key is the subject's (else
// not found; keys carry no area, so a representative limited to some areas cannot use them), the
// login level is high enough (else 401 with a stepUpUrl member), and the attempt is within the
// rate limit per (actor, key) (else 429 with a retryAfter member in seconds). It runs outside any
// transaction so that refused and failed attempts count too.
func (s *Service) CheckOpen(ctx context.Context, db bun.IDB, v For, req OpenRequest, now time.Time) error {
	if req.AccessPointID == "" {
		return apperr.Invalid(apperr.Field("/accessPointId", "field.required", nil))
	}
	if _, err := loadKey(ctx, db, v, req.KeyID); err != nil {
		return err
	}
	if s.deps.StepUpACR != "" && !auth.ACRSatisfies(req.ACR, s.deps.StepUpACR) {
		q := url.Values{"acr": {s.deps.StepUpACR}, "returnTo": {"/keys"}} // the app's key list, where the press is repeated
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

// OpenDoor asks the door service to open the door (after CheckOpen). It checks the key's window
// and the door, signs a token for the lock, and records the attempt whatever its outcome.
func (s *Service) OpenDoor(ctx context.Context, v For, req OpenRequest, now time.Time) (doors.Result, error) {
	if s.deps.Doors == nil {
		return doors.Result{}, apperr.Unavailable(errors.New("actions: no door service configured")).WithDetail("error.detail.door_unavailable", nil)
	}
	res, err := s.deps.Doors.Open(ctx, doors.OpenRequest{KeyID: req.KeyID, AccessPointID: req.AccessPointID,
		SubjectID: v.SubjectID, ActorID: actorOf(v), RequestID: req.RequestID}, now)
	if ae, ok := apperr.As(err); ok && ae.Code == apperr.CodeUnavailable && ae.Detail == "" {
		ae.WithDetail("error.detail.door_unavailable", nil)
	}
	return res, err
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
