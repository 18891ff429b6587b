package account

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/apperr"
	"minside/backend/internal/audit"
	"minside/backend/internal/changes"
	"minside/backend/internal/citizens"
	"minside/backend/internal/files"
	"minside/backend/internal/idempotency"
	"minside/backend/internal/store"
	"minside/backend/internal/tasks"
	"minside/backend/internal/texts"
)

// ClosedNoteKey is the message that tells the citizen what was deleted and that what agencies hold
// stays with them.
const ClosedNoteKey = "account.closed_note"

// Close deletes everything the portal holds about the citizen in one transaction: the citizen row
// (which cascades to roles, preferences, relations, cases, errands, tasks and drafts, document
// acknowledgements, messages and their attachments' rows, bookings, keys and their uses,
// notifications, devices, deliveries and sessions, so every login ends at once), the agency texts
// of their objects, their delta feed and their idempotency keys. The attachments' bytes live in
// the files store, outside the transaction: their deletion is written to the outbox in it
// (files.EnqueueDelete), so it happens exactly when the rows are gone. It keeps one audit entry
// that the account was closed, without any id or personal data.
//
// Messages the person wrote as someone's representative belong to that someone's case and stay
// with it, no longer naming who wrote them. Reports about public space stay without the person;
// their ideas go (leavePublicSpace).
//
// Audit entries about the citizen stay as the portal's security record: they hold ids only (never
// a name or national id), and a person who comes back gets a new id, so nothing links them again.
func (s *Service) Close(ctx context.Context, db *store.DB, citizenID, requestID string, now time.Time) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if n, err := tx.NewSelect().Model((*citizens.Citizen)(nil)).Where("id = ?", citizenID).Count(ctx); err != nil {
			return fmt.Errorf("account: close: %w", err)
		} else if n == 0 {
			return apperr.NotFound()
		}
		owned := []struct{ kind, query string }{
			{"case", "SELECT id FROM cases WHERE citizen_id = ?"},
			{"case_event", "SELECT e.id FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.citizen_id = ?"},
			{"booking", "SELECT id FROM bookings WHERE citizen_id = ?"},
			{"notification", "SELECT id FROM notifications WHERE citizen_id = ?"},
			{"errand", "SELECT id FROM errands WHERE citizen_id = ?"},
			{"case_step", "SELECT s.id FROM case_steps s JOIN cases c ON c.id = s.case_id WHERE c.citizen_id = ?"},
			{tasks.TextOwner, "SELECT id FROM tasks WHERE citizen_id = ?"},
		}
		for _, o := range owned {
			var ids []string
			if err := tx.NewRaw(o.query, citizenID).Scan(ctx, &ids); err != nil {
				return fmt.Errorf("account: close: %s ids: %w", o.kind, err)
			}
			if err := texts.Delete(ctx, tx, o.kind, ids...); err != nil {
				return err
			}
		}
		var stored []string
		if err := tx.NewRaw(`SELECT a.storage_key FROM message_attachments a JOIN messages m ON m.id = a.message_id
			WHERE m.citizen_id = ? ORDER BY a.storage_key`, citizenID).Scan(ctx, &stored); err != nil {
			return fmt.Errorf("account: close: attachments: %w", err)
		}
		if err := files.EnqueueDelete(ctx, tx, stored, now); err != nil {
			return fmt.Errorf("account: close: %w", err)
		}
		if err := leavePublicSpace(ctx, tx, citizenID, now); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*changes.Change)(nil)).Where("citizen_id = ?", citizenID).Exec(ctx); err != nil {
			return fmt.Errorf("account: close: changes: %w", err)
		}
		if err := idempotency.DeleteScope(ctx, tx, idempotency.CitizenScope(citizenID)); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*citizens.Citizen)(nil)).Where("id = ?", citizenID).Exec(ctx); err != nil {
			return fmt.Errorf("account: close: citizen: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{At: store.UTC(now), ActorKind: audit.ActorCitizen,
			Action: audit.ActionClosed, ObjectKind: "citizen", RequestID: requestID})
	})
}
