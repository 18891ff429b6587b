package actions

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/notify"
	"minside/backend/internal/store"
)

// MarkRead marks one notification read. Reading it again changes nothing and writes no change row.
// Notifications have no area: a representative limited to some areas cannot mark them.
func (s *Service) MarkRead(ctx context.Context, tx bun.IDB, v For, notificationID, requestID string, now time.Time) (*notify.Notification, error) {
	now = store.UTC(now)
	n, err := loadOwned(ctx, v, notificationID, "notification", func(ctx context.Context, n *notify.Notification) error {
		return tx.NewSelect().Model(n).Where("id = ?", notificationID).Scan(ctx)
	}, func(n *notify.Notification) (string, string) { return n.CitizenID, "" })
	if err != nil {
		return nil, err
	}
	if n.ReadAt != nil {
		return n, nil
	}
	res, err := tx.NewUpdate().Model((*notify.Notification)(nil)).Set("read_at = ?", now).
		Where("id = ? AND read_at IS NULL", n.ID).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("actions: mark read: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return n, nil
	}
	n.ReadAt = &now
	if err := changes.Record(ctx, tx, &n.CitizenID, "notification", n.ID, changes.OpUpsert, now); err != nil {
		return nil, err
	}
	if err := auditRepresentative(ctx, tx, v, audit.ActionNotificationRead, "notification", n.ID, requestID, now, nil); err != nil {
		return nil, err
	}
	return n, nil
}

// MarkAllRead marks every unread notification of the subject read and reports how many, with a
// change row for each.
func (s *Service) MarkAllRead(ctx context.Context, tx bun.IDB, v For, requestID string, now time.Time) (int, error) {
	now = store.UTC(now)
	if !v.Owns(v.SubjectID, "") {
		return 0, nil
	}
	var ids []string
	if err := tx.NewSelect().Model((*notify.Notification)(nil)).Column("id").
		Where("citizen_id = ? AND read_at IS NULL", v.SubjectID).Order("id").Scan(ctx, &ids); err != nil {
		return 0, fmt.Errorf("actions: unread notifications: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if _, err := tx.NewUpdate().Model((*notify.Notification)(nil)).Set("read_at = ?", now).
		Where("id IN (?) AND read_at IS NULL", bun.In(ids)).Exec(ctx); err != nil {
		return 0, fmt.Errorf("actions: mark all read: %w", err)
	}
	subject := v.SubjectID
	for _, id := range ids {
		if err := changes.Record(ctx, tx, &subject, "notification", id, changes.OpUpsert, now); err != nil {
			return 0, err
		}
	}
	if err := auditRepresentative(ctx, tx, v, audit.ActionNotificationReadAll, "notification", "", requestID, now, map[string]any{"count": len(ids)}); err != nil {
		return 0, err
	}
	return len(ids), nil
}
