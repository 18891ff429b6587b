package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/store"
)

// Allow counts one attempt on bucket and reports whether it is within limit for the current
// fixed window (windows are aligned to multiples of window since the Unix epoch, so every replica
// agrees on them). When refused, retryAfter is the time until the window ends.
//
// The count is one atomic upsert, so concurrent replicas never lose an attempt. Run it outside the
// transaction of the action it guards: a refused or failed action must still count.
func Allow(ctx context.Context, db bun.IDB, bucket string, limit int, window time.Duration, now time.Time) (allowed bool, retryAfter time.Duration, err error) {
	if limit <= 0 || window <= 0 {
		return false, 0, fmt.Errorf("ratelimit: limit and window must be positive")
	}
	now = store.UTC(now)
	start := now.Truncate(window)
	var row Bucket
	// A row from a newer window (a replica whose clock runs ahead) is counted on, never reset.
	err = db.NewRaw(`INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, 1)
ON CONFLICT (bucket) DO UPDATE SET
  count = CASE WHEN rate_limits.window_start >= excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
  window_start = CASE WHEN rate_limits.window_start >= excluded.window_start THEN rate_limits.window_start ELSE excluded.window_start END
RETURNING bucket, window_start, count`, bucket, start).Scan(ctx, &row)
	if err != nil {
		return false, 0, fmt.Errorf("ratelimit: count %s: %w", bucket, err)
	}
	if row.Count <= limit {
		return true, 0, nil
	}
	retryAfter = row.WindowStart.Add(window).Sub(now)
	if retryAfter < time.Second {
		retryAfter = time.Second
	}
	return false, retryAfter, nil
}

// Purge deletes counters whose window started before the given time; any replica may run it.
func Purge(ctx context.Context, db bun.IDB, before time.Time) (int64, error) {
	res, err := db.NewDelete().Model((*Bucket)(nil)).Where("window_start < ?", store.UTC(before)).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("ratelimit: purge: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
