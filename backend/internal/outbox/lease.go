package outbox

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/store"
)

// keepLeased renews the lease on msgs every third of a lease until the returned stop is called,
// so that a batch that takes longer than one lease stays with this worker, while a worker that
// crashes holds its messages no longer than one lease. Renewal ends on its own once the batch has
// had all the time its handlers may take and one lease more: a handler that never returns does
// not keep its messages from the other workers for ever.
func (w *Worker) keepLeased(msgs []Message) (stop func()) {
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.batchTime(len(msgs))+w.opts.Lease)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(w.opts.Lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				w.renew(ctx, ids)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// renew moves the lease of the messages this worker still holds one lease ahead.
func (w *Worker) renew(ctx context.Context, ids []int64) {
	ctx, cancel := context.WithTimeout(ctx, w.opts.Lease/3)
	defer cancel()
	_, err := w.db.NewUpdate().Model((*Message)(nil)).Set("locked_until = ?", store.UTC(w.opts.Now()).Add(w.opts.Lease)).
		Where("id IN (?)", bun.In(ids)).Where("locked_by = ?", w.opts.ID).Where("status = ?", StatusPending).Exec(ctx)
	if err != nil && ctx.Err() == nil {
		w.opts.Log.Warn("outbox: renew the lease of the messages in hand", "messages", len(ids), "err", err)
	}
}
