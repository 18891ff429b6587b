package idempotency

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
)

// abandonAfter is how long a claim without an answer blocks its key: after it, the request is
// taken to have died (a crashed replica) and the key may be used again.
const abandonAfter = time.Minute

// DoOutside is Do for actions that cannot run inside the claim's transaction: their side effects
// commit on their own (a door service that records the attempt in its own transaction) or happen
// outside the database (a lock opening). The claim is committed first, so a concurrent request
// with the same key gets 409 (in progress) instead of running fn again; fn then runs outside any
// transaction, and its answer is stored. An error from fn releases the claim so the client may
// retry. A claim left without an answer for a minute (a crash) is taken over by the next request.
func DoOutside(ctx context.Context, db *store.DB, scope, key, requestHash string, fn func(ctx context.Context) (status int, body []byte, err error)) (status int, body []byte, replayed bool, err error) {
	return doOutside(ctx, db, time.Now(), scope, key, requestHash, fn)
}

func doOutside(ctx context.Context, db *store.DB, now time.Time, scope, key, requestHash string, fn func(ctx context.Context) (int, []byte, error)) (int, []byte, bool, error) {
	if key == "" {
		st, b, err := fn(ctx)
		return st, b, false, err
	}
	if !ValidKey(key) {
		return 0, nil, false, apperr.BadRequest("error.detail.idempotency_key_invalid")
	}
	now = store.UTC(now)
	var stored *Record
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		claimed, rec, err := claim(ctx, tx, now, scope, key, requestHash)
		if err != nil || claimed {
			return err
		}
		if rec.RequestHash != requestHash {
			return apperr.New(apperr.CodeInvalid).WithDetail("error.detail.idempotency_key_reused", nil)
		}
		if rec.StatusCode != statusInProgress {
			stored = rec
			return nil
		}
		// An unanswered claim: still running elsewhere, or abandoned by a crash.
		res, err := tx.NewUpdate().Model((*Record)(nil)).Set("created_at = ?", now).
			Where("scope = ? AND key = ? AND status_code = ? AND created_at < ?", scope, key, statusInProgress, now.Add(-abandonAfter)).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("idempotency: take over: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("error.detail.idempotency_in_progress")
		}
		return nil
	})
	if err != nil {
		return 0, nil, false, err
	}
	if stored != nil {
		return stored.StatusCode, stored.Response, true, nil
	}
	status, body, ferr := fn(ctx)
	// The claim is settled even if the caller has gone: fn's effects have happened.
	settle := context.WithoutCancel(ctx)
	if ferr != nil {
		if _, err := db.NewDelete().Model((*Record)(nil)).
			Where("scope = ? AND key = ? AND status_code = ?", scope, key, statusInProgress).Exec(settle); err != nil {
			return 0, nil, false, fmt.Errorf("idempotency: release after %v: %w", ferr, err)
		}
		return 0, nil, false, ferr
	}
	if _, err := db.NewUpdate().Model((*Record)(nil)).Set("status_code = ?", status).Set("response = ?", body).
		Where("scope = ? AND key = ?", scope, key).Exec(settle); err != nil {
		return 0, nil, false, fmt.Errorf("idempotency: store answer: %w", err)
	}
	return status, body, false, nil
}
