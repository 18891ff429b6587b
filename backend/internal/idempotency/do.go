package idempotency

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
)

// staleAfter is how long a request may stay "in progress" before another request with the same
// key may take it over (the first one crashed or lost its connection).
const staleAfter = 10 * time.Minute

// Response is a stored answer.
type Response struct {
	Status int
	Body   []byte
}

// HashRequest is the fingerprint that tells "the same request again" from "another request under
// the same key": method, path and body.
func HashRequest(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method + " " + path + "\n"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// doOnce runs fn once per (scope, key): a later call with the same key and the same request hash gets
// the first answer back (replayed = true) without running fn; the same key with another request is
// refused (invalid, 422); a call while the first is still running is refused (conflict, 409).
// When fn fails, nothing is remembered and the client may retry with the same key.
func doOnce(ctx context.Context, db bun.IDB, scope, key, requestHash string, now time.Time, fn func() (Response, error)) (Response, bool, error) {
	now = store.UTC(now)
	claim := &Record{Scope: scope, Key: key, RequestHash: requestHash, StatusCode: 0, CreatedAt: now}
	res, err := db.NewInsert().Model(claim).On("CONFLICT (scope, key) DO NOTHING").Exec(ctx)
	if err != nil {
		return Response{}, false, fmt.Errorf("idempotency: claim: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		prev := new(Record)
		if err := db.NewSelect().Model(prev).Where("scope = ? AND key = ?", scope, key).Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return Response{}, false, apperr.New(apperr.CodeConflict).WithDetail("error.detail.idempotency_in_progress", nil)
			}
			return Response{}, false, fmt.Errorf("idempotency: load: %w", err)
		}
		switch {
		case prev.RequestHash != requestHash:
			return Response{}, false, apperr.New(apperr.CodeInvalid).WithDetail("error.detail.idempotency_key_reused", nil)
		case prev.StatusCode != 0:
			return Response{Status: prev.StatusCode, Body: prev.Response}, true, nil
		case now.Sub(prev.CreatedAt) < staleAfter:
			return Response{}, false, apperr.New(apperr.CodeConflict).WithDetail("error.detail.idempotency_in_progress", nil)
		}
		// The first attempt died: take the claim over.
		if _, err := db.NewUpdate().Model(claim).Column("created_at").WherePK().Exec(ctx); err != nil {
			return Response{}, false, fmt.Errorf("idempotency: take over: %w", err)
		}
	}
	out, err := fn()
	if err != nil {
		if _, derr := db.NewDelete().Model(claim).WherePK().Where("status_code = 0").Exec(context.WithoutCancel(ctx)); derr != nil {
			return Response{}, false, errors.Join(err, fmt.Errorf("idempotency: release: %w", derr))
		}
		return Response{}, false, err
	}
	claim.StatusCode, claim.Response = out.Status, out.Body
	if _, err := db.NewUpdate().Model(claim).Column("status_code", "response").WherePK().Exec(context.WithoutCancel(ctx)); err != nil {
		return Response{}, false, fmt.Errorf("idempotency: remember: %w", err)
	}
	return out, false, nil
}

// Store binds Do to a database and a clock, for handlers that take it as a dependency.
type Store struct {
	db  bun.IDB
	now func() time.Time
}

// NewStore builds a Store; now is time.Now outside tests.
func NewStore(db bun.IDB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// Do is doOnce on the store's database and clock.
func (s *Store) Do(ctx context.Context, scope, key, requestHash string, fn func() (Response, error)) (Response, bool, error) {
	return doOnce(ctx, s.db, scope, key, requestHash, s.now(), fn)
}
