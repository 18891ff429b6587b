package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
)

// TTL is how long a key is remembered. After it the same key starts a new request.
const TTL = 24 * time.Hour

// MaxKeyLength bounds the header value; longer keys are refused before they reach the database.
const MaxKeyLength = 255

// Scopes keep one caller's keys apart from another's, so a guessed key never replays someone else's answer.
func CitizenScope(citizenID string) string { return "citizen:" + citizenID }

// AgencyScope is the scope of an agency system's requests.
func AgencyScope(agencyID string) string { return "agency:" + agencyID }

// RequestHash fingerprints a request (method, path and body) so that a key reused for another
// request is recognised and refused.
func RequestHash(method, path string, body []byte) string {
	h, _ := StreamRequestHash(method, path, bytes.NewReader(body))
	return h
}

// StreamRequestHash is RequestHash of a body read from r as it arrives (a body too large to
// hold); the error is r's.
func StreamRequestHash(method, path string, r io.Reader) (string, error) {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ValidKey reports whether a client's Idempotency-Key is usable: 1–255 visible ASCII characters.
func ValidKey(key string) bool {
	if key == "" || len(key) > MaxKeyLength {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// statusInProgress marks a claimed key whose answer is not stored yet. Other transactions never
// see it (the claim commits together with the answer); it guards against reading a half row.
const statusInProgress = 0

// Do runs fn at most once per (scope, key) within TTL, in ONE transaction with the claim of the key:
//
//   - the (scope, key) row is inserted first with ON CONFLICT DO NOTHING. On PostgreSQL a concurrent
//     request with the same key blocks on that insert until the first one commits or rolls back; on
//     SQLite write transactions are serialised at BEGIN. Either way exactly one runs fn.
//   - if the key was already there, the stored answer is returned with replayed = true, or a 422
//     problem when the stored request hash differs (the same key sent with another request).
//   - otherwise fn runs inside the transaction and its status and body are stored with the claim.
//   - an error from fn (an *apperr.Error or any other) rolls everything back, the claim included,
//     so the client may retry with the same key.
//
// An empty key runs fn once in a transaction without remembering anything.
func Do(ctx context.Context, db *store.DB, scope, key, requestHash string, fn func(tx bun.Tx) (status int, body []byte, err error)) (status int, body []byte, replayed bool, err error) {
	return do(ctx, db, time.Now(), scope, key, requestHash, fn)
}

func do(ctx context.Context, db *store.DB, now time.Time, scope, key, requestHash string, fn func(tx bun.Tx) (int, []byte, error)) (status int, body []byte, replayed bool, err error) {
	if key != "" && !ValidKey(key) {
		return 0, nil, false, apperr.BadRequest("error.detail.idempotency_key_invalid")
	}
	now = store.UTC(now)
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if key == "" {
			var ferr error
			status, body, ferr = fn(tx)
			return ferr
		}
		claimed, stored, cerr := claim(ctx, tx, now, scope, key, requestHash)
		if cerr != nil {
			return cerr
		}
		if !claimed {
			if stored.RequestHash != requestHash {
				return apperr.New(apperr.CodeInvalid).WithDetail("error.detail.idempotency_key_reused", nil)
			}
			if stored.StatusCode == statusInProgress {
				return apperr.Conflict("error.detail.idempotency_in_progress")
			}
			status, body, replayed = stored.StatusCode, stored.Response, true
			return nil
		}
		var ferr error
		if status, body, ferr = fn(tx); ferr != nil {
			return ferr
		}
		if _, uerr := tx.NewUpdate().Model((*Record)(nil)).
			Set("status_code = ?", status).
			Set("response = ?", body).
			Where("scope = ? AND key = ?", scope, key).
			Exec(ctx); uerr != nil {
			return fmt.Errorf("idempotency: store answer: %w", uerr)
		}
		return nil
	})
	if err != nil {
		return 0, nil, false, err
	}
	return status, body, replayed, nil
}

// claim inserts the key, or takes over a row older than TTL. It returns the stored row when the
// key belongs to an earlier request that is still remembered.
func claim(ctx context.Context, tx bun.Tx, now time.Time, scope, key, requestHash string) (bool, *Record, error) {
	rec := &Record{Scope: scope, Key: key, RequestHash: requestHash, StatusCode: statusInProgress, CreatedAt: now}
	res, err := tx.NewInsert().Model(rec).On("CONFLICT (scope, key) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, nil, fmt.Errorf("idempotency: claim: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, nil, fmt.Errorf("idempotency: claim: %w", err)
	} else if n == 1 {
		return true, nil, nil
	}
	// An expired row is taken over in place; the conditional update lets only one request do so.
	res, err = tx.NewUpdate().Model((*Record)(nil)).
		Set("request_hash = ?", requestHash).
		Set("status_code = ?", statusInProgress).
		Set("response = NULL").
		Set("created_at = ?", now).
		Where("scope = ? AND key = ? AND created_at < ?", scope, key, now.Add(-TTL)).
		Exec(ctx)
	if err != nil {
		return false, nil, fmt.Errorf("idempotency: renew: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, nil, fmt.Errorf("idempotency: renew: %w", err)
	} else if n == 1 {
		return true, nil, nil
	}
	stored := new(Record)
	if err := tx.NewSelect().Model(stored).Where("scope = ? AND key = ?", scope, key).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			// Deleted between our insert and select (a purge or a closed account): try again later.
			return false, nil, apperr.Conflict("error.detail.idempotency_in_progress").Wrap(err)
		}
		return false, nil, fmt.Errorf("idempotency: load: %w", err)
	}
	return false, stored, nil
}

// Purge deletes keys older than TTL; any replica may run it periodically.
func Purge(ctx context.Context, db bun.IDB, now time.Time) (int64, error) {
	res, err := db.NewDelete().Model((*Record)(nil)).Where("created_at < ?", store.UTC(now).Add(-TTL)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("idempotency: purge: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// DeleteScope forgets every key of one caller (when a citizen closes their account).
func DeleteScope(ctx context.Context, db bun.IDB, scope string) error {
	if _, err := db.NewDelete().Model((*Record)(nil)).Where("scope = ?", scope).Exec(ctx); err != nil {
		return fmt.Errorf("idempotency: delete scope: %w", err)
	}
	return nil
}
