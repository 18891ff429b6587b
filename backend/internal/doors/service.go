// Package doors opens doors with digital keys: it checks that a key works at this door right now,
// signs a short-lived single-use token for the agency's lock system (the Adapter), and records
// the attempt (key_uses) and tells the agency (a key.used webhook) in one transaction.
package doors

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/keys"
	"minside/backend/internal/store"
	"minside/backend/internal/webhook"
)

// Outcomes of an attempt, as stored in key_uses.result and sent in key.used.
const (
	UseOpened  = "opened"
	UseRefused = "refused" // the key does not work here now, or the lock refused the token
	UseFailed  = "failed"  // the lock system could not be reached
)

// DetailKeyNotValidNow is the problem detail of a key used outside its windows.
const DetailKeyNotValidNow = "error.detail.key_not_valid_now"

// OpenRequest is one press of the "open door" button.
type OpenRequest struct {
	KeyID         string
	AccessPointID string
	SubjectID     string // whose key: the principal's SubjectID; anyone else's key is not found
	ActorID       string // who pressed: the principal's CitizenID (a representative when acting for someone)
	RequestID     string // for the audit log
}

// Result is a door that opened.
type Result struct {
	UseID   string    `json:"useId"`
	Outcome string    `json:"result"`
	At      time.Time `json:"at"`
}

// Service opens doors. It is safe for concurrent use.
type Service struct {
	db             *store.DB
	issuer         *Issuer
	adapter        Adapter
	log            *slog.Logger
	adapterTimeout time.Duration
}

// NewService builds the door service. adapterTimeout bounds one call to the lock system (zero: 10 s).
func NewService(db *store.DB, issuer *Issuer, adapter Adapter, log *slog.Logger, adapterTimeout time.Duration) *Service {
	if adapterTimeout <= 0 {
		adapterTimeout = 10 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, issuer: issuer, adapter: adapter, log: log, adapterTimeout: adapterTimeout}
}

// target is what Open needs to know about a key and one of its doors.
type target struct {
	key  keys.Key
	door Door
}

// Check answers what Open would refuse, without opening or recording anything: apperr not found
// (no such key for this subject, or the door is not the key's) or invalid with
// DetailKeyNotValidNow. The actions layer may call it before asking for a stronger login.
func (s *Service) Check(ctx context.Context, req OpenRequest, now time.Time) error {
	t, err := s.load(ctx, req)
	if err != nil {
		return err
	}
	ok, err := s.validNow(ctx, t.key, now)
	if err != nil {
		return err
	}
	if !ok {
		return notValidNow()
	}
	return nil
}

// Open opens the door if the key works there now. Every attempt past the lookup is recorded as a
// key use and sent to the agency as key.used, whatever the outcome. Errors: apperr not found,
// invalid (DetailKeyNotValidNow), unavailable (the lock system is down or refused the token).
func (s *Service) Open(ctx context.Context, req OpenRequest, now time.Time) (Result, error) {
	t, err := s.load(ctx, req)
	if err != nil {
		return Result{}, err
	}
	ok, err := s.validNow(ctx, t.key, now)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		if _, err := s.record(ctx, req, t, UseRefused, now); err != nil {
			return Result{}, err
		}
		return Result{}, notValidNow()
	}

	token, _, err := s.issuer.Issue(t.key.ID, t.door, now)
	if err != nil {
		return Result{}, err
	}
	actx, cancel := context.WithTimeout(ctx, s.adapterTimeout)
	openErr := s.adapter.Open(actx, t.door, token)
	cancel()
	outcome := UseOpened
	switch {
	case openErr == nil:
	case errors.Is(openErr, ErrTokenRefused):
		outcome = UseRefused
		s.log.Error("doors: the lock refused a token the portal just issued (key mismatch or clock skew?)",
			"key", t.key.ID, "access_point", t.door.AccessPointID, "err", openErr)
	case errors.Is(openErr, ErrLockBroken):
		outcome = UseFailed
		s.log.Error("doors: lock adapter reports a permanent error", "access_point", t.door.AccessPointID, "err", openErr)
	default:
		outcome = UseFailed
		s.log.Warn("doors: lock system unavailable", "access_point", t.door.AccessPointID, "err", openErr)
	}
	// Recorded with a context that survives the caller leaving: the door may already be open.
	res, err := s.record(context.WithoutCancel(ctx), req, t, outcome, now)
	if err != nil {
		return Result{}, err
	}
	if openErr != nil {
		return Result{}, apperr.Unavailable(openErr)
	}
	return res, nil
}

func notValidNow() error {
	return apperr.New(apperr.CodeInvalid).WithDetail(DetailKeyNotValidNow, nil)
}

// load finds the subject's key and the door, both or not found.
func (s *Service) load(ctx context.Context, req OpenRequest) (target, error) {
	for _, id := range []string{req.KeyID, req.AccessPointID, req.SubjectID} {
		if _, err := uuid.Parse(id); err != nil {
			return target{}, apperr.NotFound()
		}
	}
	var t target
	err := s.db.NewSelect().Model(&t.key).Where("id = ?", req.KeyID).Where("citizen_id = ?", req.SubjectID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return target{}, apperr.NotFound()
	}
	if err != nil {
		return target{}, fmt.Errorf("doors: load key: %w", err)
	}
	err = s.db.NewSelect().TableExpr("key_access_points AS kap").
		Join("JOIN access_points AS ap ON ap.id = kap.access_point_id").
		Join("JOIN facilities AS f ON f.id = ap.facility_id").
		ColumnExpr("ap.id, ap.external_id, f.external_id, f.id, f.agency_id").
		Where("kap.key_id = ?", req.KeyID).Where("kap.access_point_id = ?", req.AccessPointID).
		Scan(ctx, &t.door.AccessPointID, &t.door.ExternalID, &t.door.FacilityExternalID, &t.door.FacilityID, &t.door.AgencyID)
	if errors.Is(err, sql.ErrNoRows) {
		return target{}, apperr.NotFound()
	}
	if err != nil {
		return target{}, fmt.Errorf("doors: load access point: %w", err)
	}
	return t, nil
}

// validNow: the key is active and now falls in one of its windows [starts_at, ends_at). A key
// the agency sent without windows works throughout [valid_from, valid_until).
func (s *Service) validNow(ctx context.Context, k keys.Key, now time.Time) (bool, error) {
	if k.Status != keys.StatusActive {
		return false, nil
	}
	now = store.UTC(now)
	var counts struct {
		All int `bun:"all_windows"`
		Now int `bun:"now_windows"`
	}
	err := s.db.NewSelect().Model((*keys.Window)(nil)).
		ColumnExpr("count(*) AS all_windows").
		ColumnExpr("count(CASE WHEN starts_at <= ? AND ends_at > ? THEN 1 END) AS now_windows", now, now).
		Where("key_id = ?", k.ID).Scan(ctx, &counts)
	if err != nil {
		return false, fmt.Errorf("doors: load windows: %w", err)
	}
	if counts.All == 0 {
		return !now.Before(k.ValidFrom) && now.Before(k.ValidUntil), nil
	}
	return counts.Now > 0, nil
}

// record writes the key use, the agency's key.used event, the change for the citizen's devices
// and, for a representative, an audit entry, in one transaction.
func (s *Service) record(ctx context.Context, req OpenRequest, t target, outcome string, now time.Time) (Result, error) {
	now = store.UTC(now)
	use := &keys.Use{
		ID: store.NewID(), KeyID: t.key.ID, AccessPointID: t.door.AccessPointID,
		CitizenID: t.key.CitizenID, ActorCitizenID: req.ActorID, Result: outcome, CreatedAt: now,
	}
	by := webhook.ActorCitizen
	if req.ActorID != t.key.CitizenID {
		by = webhook.ActorRepresentative
	}
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(use).Exec(ctx); err != nil {
			return fmt.Errorf("doors: record use: %w", err)
		}
		event := webhook.KeyUsed{
			Key: t.key.ExternalID, Facility: t.door.FacilityExternalID, AccessPoint: t.door.ExternalID,
			Result: outcome, At: now, By: by,
		}
		if err := webhook.Enqueue(ctx, tx, t.key.AgencyID, webhook.EventKeyUsed, event, now); err != nil {
			return err
		}
		if err := changes.Record(ctx, tx, &t.key.CitizenID, "key", t.key.ID, changes.OpUpsert, now); err != nil {
			return err
		}
		if by == webhook.ActorRepresentative {
			return audit.Record(ctx, tx, audit.Entry{
				At: now, ActorKind: audit.ActorRepresentative, ActorID: &req.ActorID, SubjectID: &t.key.CitizenID,
				Action: audit.ActionKeyOpen, ObjectKind: "key", ObjectID: t.key.ID,
				Detail: map[string]any{"accessPoint": t.door.AccessPointID, "result": outcome}, RequestID: req.RequestID,
			})
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return Result{UseID: use.ID, Outcome: outcome, At: now}, nil
}
