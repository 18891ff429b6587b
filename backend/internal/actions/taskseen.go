package actions

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/changes"
	"minside/backend/internal/store"
	"minside/backend/internal/tasks"
)

// MarkTaskSeen records that the PWA showed a task (or draft) to its person or someone acting for
// them within scope: an unseen task is announced again after a while, a seen one is not. The
// first time wins; marking again answers the stored time.
func (s *Service) MarkTaskSeen(ctx context.Context, tx bun.IDB, v For, taskID string, now time.Time) (*tasks.Task, error) {
	now = store.UTC(now)
	t, err := loadOwned(ctx, v, taskID, "task", func(ctx context.Context, t *tasks.Task) error {
		return tx.NewSelect().Model(t).Where("id = ?", taskID).Scan(ctx)
	}, func(t *tasks.Task) (string, string) { return t.CitizenID, t.Area })
	if err != nil {
		return nil, err
	}
	if t.SeenAt != nil {
		return t, nil
	}
	res, err := tx.NewUpdate().Model((*tasks.Task)(nil)).Set("seen_at = ?", now).Where("id = ? AND seen_at IS NULL", t.ID).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("actions: mark task seen: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return t, nil // another request marked it first; its time stands
	}
	t.SeenAt = &now
	if err := changes.Record(ctx, tx, &t.CitizenID, t.Kind, t.ID, changes.OpUpsert, now); err != nil {
		return nil, err
	}
	return t, nil
}
