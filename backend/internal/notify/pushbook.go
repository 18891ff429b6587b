package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// pushBook collects the outcomes of a batch of pushes and writes them in one statement per kind
// of change rather than two or three per push: on PostgreSQL each statement is a network round
// trip, on SQLite each is a commit, and either used to cost more than the encryption itself.
type pushBook struct {
	finished  map[string][]string   // delivery state → deliveries that reached it
	stamped   []string              // devices that answered: last_sent_at = now, failures = 0
	forgotten []string              // devices to delete (gone, or no longer allowed)
	attempted []string              // deliveries to be retried: attempts + 1
	failed    map[string]int        // device → failed sends in this batch
	answers   map[int]handlerResult // by push
}

func newPushBook() *pushBook {
	return &pushBook{finished: map[string][]string{}, failed: map[string]int{}, answers: map[int]handlerResult{}}
}

// final records push i's delivery as finished in state; dev, when set, answered (stamp it, or
// forget it). r is the answer to the worker once the writes succeed.
func (b *pushBook) final(i int, deliveryID, state string, dev *Device, forget bool, r handlerResult) {
	b.finished[state] = append(b.finished[state], deliveryID)
	if dev != nil {
		if forget {
			b.forgotten = append(b.forgotten, dev.ID)
		} else {
			b.stamped = append(b.stamped, dev.ID)
		}
	}
	b.answers[i] = r
}

// add records the outcome of push i's send.
func (b *pushBook) add(i int, t *pushTarget, out pushOutcome) {
	if out.state == "" { // to be retried: count the attempt on the delivery and the device
		b.attempted = append(b.attempted, t.job.DeliveryID)
		b.failed[t.dev.ID]++
		b.answers[i] = out.res
		return
	}
	var dev *Device
	if out.stamp {
		dev = t.dev
	}
	b.final(i, t.job.DeliveryID, out.state, dev, out.forget, out.res)
}

// write stores everything and puts each push's answer into answers. The statements need not
// be atomic together: a lost last_sent_at is cosmetic, deleting a gone device is idempotent, and
// a final state is only set on a delivery still pending. If a write fails, every push of the
// batch is retried: it may be sent twice, which beats losing the outcome; the payload's id (the
// delivery's) is the notification tag, so the browser shows it once.
func (b *pushBook) write(ctx context.Context, db bun.IDB, now time.Time, answers []handlerResult) {
	if err := b.exec(ctx, db, now); err != nil {
		for i := range b.answers {
			answers[i] = retry(0, "push: record outcome: "+err.Error())
		}
		return
	}
	for i, r := range b.answers {
		answers[i] = r
	}
}

func (b *pushBook) exec(ctx context.Context, db bun.IDB, now time.Time) error {
	for state, ids := range b.finished {
		if _, err := db.NewUpdate().Model((*Delivery)(nil)).Set("state = ?", state).
			Set("attempts = attempts + 1").Set("updated_at = ?", now).
			Where("id IN (?)", bun.In(ids)).Where("state = ?", StatePending).Exec(ctx); err != nil {
			return fmt.Errorf("push: record %s: %w", state, err)
		}
	}
	if len(b.stamped) > 0 {
		if _, err := db.NewUpdate().Model((*Device)(nil)).Set("last_sent_at = ?", now).Set("failures = 0").
			Where("id IN (?)", bun.In(b.stamped)).Exec(ctx); err != nil {
			return fmt.Errorf("push: stamp devices: %w", err)
		}
	}
	if len(b.forgotten) > 0 { // after the stamp: a device both answered and gone in one batch is gone
		if _, err := db.NewDelete().Model((*Device)(nil)).Where("id IN (?)", bun.In(b.forgotten)).Exec(ctx); err != nil {
			return fmt.Errorf("push: forget devices: %w", err)
		}
	}
	if len(b.attempted) > 0 {
		if _, err := db.NewUpdate().Model((*Delivery)(nil)).Set("attempts = attempts + 1").Set("updated_at = ?", now).
			Where("id IN (?)", bun.In(b.attempted)).Exec(ctx); err != nil {
			return fmt.Errorf("push: count attempts: %w", err)
		}
	}
	// One statement per distinct count: nearly always one, for devices that failed once.
	byCount := map[int][]string{}
	for id, n := range b.failed {
		byCount[n] = append(byCount[n], id)
	}
	for n, ids := range byCount {
		if _, err := db.NewUpdate().Model((*Device)(nil)).Set("failures = failures + ?", n).
			Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
			return fmt.Errorf("push: count device failures: %w", err)
		}
	}
	return nil
}
