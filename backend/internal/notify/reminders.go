package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/bookings"
	"minside/backend/internal/keys"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/tasks"
)

// Reminder windows: a booking is reminded 24 h and 2 h before it starts; a key when it becomes
// valid within the hour and when it expires within 24 h.
const (
	RemindBookingEarly = 24 * time.Hour
	RemindBookingLate  = 2 * time.Hour
	RemindKeyValid     = time.Hour
	RemindKeyExpires   = 24 * time.Hour
)

// Reminders plans time-based notifications. Every replica may run it: each reminder is enqueued
// with a unique dedupe key, so two schedulers planning the same reminder enqueue it once. The key
// includes the time it is about ("reminder:<booking>:24h:<unix start>"), so a moved booking is
// reminded again for its new time.
type Reminders struct {
	db  *store.DB
	log *slog.Logger
	now func() time.Time

	taskAfter time.Duration // an open task nobody has opened is announced again this long after it came (0: never)
}

// DefaultTaskRemindAfter is MINSIDE_TASK_REMIND_AFTER's default.
const DefaultTaskRemindAfter = 72 * time.Hour

// WithTaskRemindAfter sets how long an unseen open task waits before its one reminder (0: never).
func (r *Reminders) WithTaskRemindAfter(d time.Duration) *Reminders {
	r.taskAfter = d
	return r
}

// NewReminders builds the scheduler; log and now may be nil.
func NewReminders(db *store.DB, log *slog.Logger, now func() time.Time) *Reminders {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Reminders{db: db, log: log, now: now, taskAfter: DefaultTaskRemindAfter}
}

// Run plans reminders every interval (a minute in production) until ctx ends.
func (r *Reminders) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("notify: plan reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce enqueues the reminders due now and reports how many were new. Most of what is due was
// planned a minute before (here or on another replica; the dedupe key keeps it once), so it is
// written in one statement for all of them rather than one per reminder: at city scale thousands
// are due at any time.
func (r *Reminders) RunOnce(ctx context.Context) (int, error) {
	now := store.UTC(r.now())
	var added int64
	err := r.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		due, err := dueBookingsAndKeys(ctx, tx, now)
		if err != nil {
			return err
		}
		unseen, err := r.remindUnseenTasks(ctx, tx, now)
		if err != nil {
			return err
		}
		added, err = outbox.EnqueueAll(ctx, tx, append(due, unseen...))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("notify: reminders: %w", err)
	}
	return int(added), nil
}

// dueBookingsAndKeys is a reminder message for every confirmed booking starting soon and every
// active key becoming valid or running out soon, each with the dedupe key that makes it once.
func dueBookingsAndKeys(ctx context.Context, tx bun.Tx, now time.Time) ([]outbox.Message, error) {
	var msgs []outbox.Message
	add := func(ev outbox.NotifyEvent, key string) error {
		m, err := outbox.NewMessage(outbox.TopicNotify, ev, now, outbox.Options{DedupeKey: key})
		msgs = append(msgs, m)
		return err
	}
	var bs []bookings.Booking
	if err := tx.NewSelect().Model(&bs).Column("id", "citizen_id", "starts_at").
		Where("status = ?", bookings.StatusConfirmed).
		Where("starts_at > ? AND starts_at <= ?", now, now.Add(RemindBookingEarly)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	for _, b := range bs {
		reason, tag := "reminder_24h", "24h"
		if !b.StartsAt.After(now.Add(RemindBookingLate)) {
			reason, tag = "reminder_2h", "2h"
		}
		key := "reminder:" + b.ID + ":" + tag + ":" + strconv.FormatInt(b.StartsAt.Unix(), 10)
		if err := add(outbox.NotifyEvent{CitizenID: b.CitizenID, Kind: "booking", ObjectID: b.ID, Reason: reason}, key); err != nil {
			return nil, err
		}
	}
	var ks []keys.Key
	if err := tx.NewSelect().Model(&ks).Column("id", "citizen_id", "valid_from", "valid_until").
		Where("status = ?", keys.StatusActive).
		Where("(valid_from > ? AND valid_from <= ?) OR (valid_until > ? AND valid_until <= ?)",
			now, now.Add(RemindKeyValid), now, now.Add(RemindKeyExpires)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	for _, k := range ks {
		if k.ValidFrom.After(now) && !k.ValidFrom.After(now.Add(RemindKeyValid)) {
			key := "key:" + k.ID + ":valid_soon:" + strconv.FormatInt(k.ValidFrom.Unix(), 10)
			if err := add(outbox.NotifyEvent{CitizenID: k.CitizenID, Kind: "key", ObjectID: k.ID, Reason: "valid_soon"}, key); err != nil {
				return nil, err
			}
		}
		if k.ValidUntil.After(now) && !k.ValidUntil.After(now.Add(RemindKeyExpires)) {
			key := "key:" + k.ID + ":expires_soon:" + strconv.FormatInt(k.ValidUntil.Unix(), 10)
			if err := add(outbox.NotifyEvent{CitizenID: k.CitizenID, Kind: "key", ObjectID: k.ID, Reason: "expires_soon"}, key); err != nil {
				return nil, err
			}
		}
	}
	return msgs, nil
}

// remindUnseenTasks announces again, once, every open task nobody has opened within taskAfter of
// its coming (at most 500 a run, the oldest first). reminded_at marks it in the same statement that
// picks it, so the reminder is planned once whatever the replicas; the push itself goes through the
// outbox and the fan-out, which keep quiet hours and the person's categories (tasks are in "cases").
func (r *Reminders) remindUnseenTasks(ctx context.Context, tx bun.Tx, now time.Time) ([]outbox.Message, error) {
	if r.taskAfter <= 0 {
		return nil, nil
	}
	unseen := tx.NewSelect().Model((*tasks.Task)(nil)).Column("id").
		Where("status = ? AND kind = ? AND seen_at IS NULL AND reminded_at IS NULL", tasks.StatusOpen, tasks.KindTask).
		Where("created_at <= ?", now.Add(-r.taskAfter)).Where("due_at IS NULL OR due_at > ?", now).
		Order("created_at").Limit(500)
	var marked []tasks.Task
	if err := tx.NewUpdate().Model((*tasks.Task)(nil)).Set("reminded_at = ?", now).
		Where("id IN (?) AND reminded_at IS NULL", unseen).Returning("id, citizen_id").Scan(ctx, &marked); err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	msgs := make([]outbox.Message, 0, len(marked))
	for _, t := range marked {
		m, err := outbox.NewMessage(outbox.TopicNotify, outbox.NotifyEvent{CitizenID: t.CitizenID, Kind: tasks.KindTask, ObjectID: t.ID, Reason: "reminder"},
			now, outbox.Options{DedupeKey: "task:" + t.ID + ":unseen"})
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}
