package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/store"
)

// recordAll stores the outcomes of a handled batch, logs the ones an operator should see and
// counts them in the metrics.
func (w *Worker) recordAll(ctx context.Context, msgs []Message, results []Result) {
	if len(msgs) == 0 {
		return
	}
	if err := w.record(ctx, msgs, results); err != nil {
		// The leases run out and the messages are claimed again: at least once, as promised.
		w.opts.Log.Error("outbox: record results", "messages", len(msgs), "topic", msgs[0].Topic, "err", err)
		return
	}
	for i, m := range msgs {
		res := results[i]
		w.opts.Metrics.observe(m.Topic, res.String())
		switch res.outcome {
		case outcomeDead:
			w.opts.Log.Warn("outbox: message dead", "id", m.ID, "topic", m.Topic, "attempts", m.Attempts, "reason", res.reason)
		case outcomeRetry:
			w.opts.Log.Info("outbox: retry", "id", m.ID, "topic", m.Topic, "attempts", m.Attempts, "reason", res.reason)
		}
	}
}

// record stores the outcomes of msgs in as few statements as it can: one for everything done,
// one per distinct dead reason, one per distinct retry time and reason (retries after a push
// service's Retry-After share theirs; backoff jitter spreads the others). Each statement applies
// only while this worker still holds the lease: if it ran out and another worker took a message,
// that worker's outcome counts.
func (w *Worker) record(ctx context.Context, msgs []Message, results []Result) error {
	now := store.UTC(w.opts.Now())
	type retryKey struct {
		at     time.Time
		reason string
	}
	var doneIDs []int64
	dead := map[string][]int64{}
	retries := map[retryKey][]int64{}
	for i, m := range msgs {
		switch res := results[i]; res.outcome {
		case outcomeDone:
			doneIDs = append(doneIDs, m.ID)
		case outcomeDead:
			dead[res.reason] = append(dead[res.reason], m.ID)
		case outcomeRetry:
			k := retryKey{now.Add(w.backoff(m.Attempts, res.after)), res.reason}
			retries[k] = append(retries[k], m.ID)
		}
	}
	var changed int64
	update := func(ids []int64, set func(*bun.UpdateQuery) *bun.UpdateQuery) error {
		if len(ids) == 0 {
			return nil
		}
		q := w.db.NewUpdate().Model((*Message)(nil)).Set("locked_by = NULL").Set("locked_until = NULL").
			Where("id IN (?)", bun.In(ids)).Where("locked_by = ?", w.opts.ID)
		out, err := set(q).Exec(ctx)
		if err != nil {
			return fmt.Errorf("outbox: record %d results: %w", len(ids), err)
		}
		if n, err := out.RowsAffected(); err == nil {
			changed += n
		}
		return nil
	}
	err := update(doneIDs, func(q *bun.UpdateQuery) *bun.UpdateQuery {
		return q.Set("status = ?", StatusDone).Set("done_at = ?", now).Set("last_error = NULL")
	})
	for reason, ids := range dead {
		if err != nil {
			break
		}
		err = update(ids, func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.Set("status = ?", StatusDead).Set("done_at = ?", now).Set("last_error = ?", reason)
		})
	}
	for k, ids := range retries {
		if err != nil {
			break
		}
		err = update(ids, func(q *bun.UpdateQuery) *bun.UpdateQuery {
			return q.Set("available_at = ?", k.at).Set("last_error = ?", k.reason)
		})
	}
	if err != nil {
		return err
	}
	if lost := int64(len(msgs)) - changed; lost > 0 {
		w.opts.Log.Warn("outbox: lease lost before the results were recorded; another worker has the messages", "lost", lost, "topic", msgs[0].Topic)
	}
	return nil
}
